#!/bin/sh
# Entrypoint of the api (migration task) and worker images on ECS.
# ECS injects the Aurora secret's fields (DB_*) from Secrets Manager; the application reads one
# DATABASE_URL. The password is generated without URL-special characters (infra/lib/data-stack.ts),
# so it can be placed in the URL as is. TLS is required by the cluster (rds.force_ssl=1).
set -eu
if [ -z "${DATABASE_URL:-}" ] && [ -n "${DB_HOST:-}" ]; then
  DATABASE_URL="postgresql://${DB_USER}:${DB_PASSWORD}@${DB_HOST}:${DB_PORT}/${DB_NAME}?sslmode=require"
  export DATABASE_URL
fi
unset DB_PASSWORD
exec "$@"
