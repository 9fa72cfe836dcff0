'use strict';
// Lambda handler of the api image. Lambda cannot inject Secrets Manager values the way ECS does,
// and putting them in the function's environment would expose them to anyone who can read its
// configuration. So the first invocation of each container reads the secrets named by *_ARN
// variables, sets the same variables the app reads elsewhere, then loads the real handler.
// The AWS SDK v3 ships in the Lambda Node.js base image.
const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');

async function read(client, arn) {
  const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  return out.SecretString;
}

async function load() {
  const env = process.env;
  const client = new SecretsManagerClient({});
  const [db, stripe, signingKey, shared, uploadKey, deviceKey] = await Promise.all([
    read(client, env.DATABASE_SECRET_ARN).then(JSON.parse),
    read(client, env.STRIPE_SECRET_ARN).then(JSON.parse),
    read(client, env.AUDIT_SIGNING_KEY_SECRET_ARN),
    read(client, env.WORKER_SHARED_SECRET_ARN),
    read(client, env.UPLOAD_SIGNING_SECRET_ARN),
    read(client, env.DEVICE_COOKIE_SECRET_ARN),
  ]);
  const user = encodeURIComponent(db.username);
  const password = encodeURIComponent(db.password);
  env.DATABASE_URL = `postgresql://${user}:${password}@${db.host}:${db.port}/${db.dbname}?sslmode=require`;
  env.STRIPE_SECRET_KEY = stripe.secretKey;
  env.STRIPE_WEBHOOK_SECRET = stripe.webhookSecret;
  env.AUDIT_SIGNING_KEY = signingKey;
  env.WORKER_SHARED_SECRET = shared;
  env.UPLOAD_SIGNING_SECRET = uploadKey;
  env.AUTH_DEVICE_COOKIE_SECRET = deviceKey;
  return require('./dist/apps/api/src/lambda.js').handler;
}

let ready;
module.exports.handler = async (event, context) => {
  ready ??= load().catch((err) => {
    ready = undefined; // retry on the next invocation instead of caching the failure
    throw err;
  });
  const handler = await ready;
  return handler(event, context);
};
