import { defineConfig } from 'prisma/config';

// The CLI is used here only for `prisma generate` (and, on machines with internet, optionally
// `prisma migrate deploy` on the same folder). Migrations are applied offline by
// scripts/db-migrate.mjs through Prisma's WASM schema engine.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres' },
});
