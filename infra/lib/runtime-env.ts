import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { REDIS_PORT } from './data-stack';

/** What every container of the platform is configured with, whichever compute runs it. */
export interface RuntimeResources {
  readonly queue: sqs.IQueue;
  readonly artifactBucketName: string;
  readonly auditBucketName: string;
  /** The buckets' KMS key. */
  readonly dataKey: kms.IKey;
  readonly cacheEndpoint: string;
  readonly databaseSecret: secretsmanager.ISecret;
  readonly stripeSecret: secretsmanager.ISecret;
  readonly signingKeySecret: secretsmanager.ISecret;
  readonly workerSharedSecret: secretsmanager.ISecret;
  readonly uploadSigningSecret: secretsmanager.ISecret;
  readonly deviceCookieSecret: secretsmanager.ISecret;
}

/** Plain (non-secret) configuration, identical for the api and the workers. */
export function plainEnvironment(r: RuntimeResources): Record<string, string> {
  return {
    NODE_ENV: 'production',
    QUEUE_DRIVER: 'sqs',
    SQS_QUEUE_URL: r.queue.queueUrl,
    ARTIFACT_STORE: 's3',
    ARTIFACT_BUCKET: r.artifactBucketName,
    AUDIT_EXPORT_S3_BUCKET: r.auditBucketName,
    // ElastiCache Serverless accepts TLS connections only.
    REDIS_URL: `rediss://${r.cacheEndpoint}:${REDIS_PORT}`,
  };
}

/**
 * ECS injects these from Secrets Manager when a task starts, so they never appear in the task
 * definition. DATABASE_URL is assembled from the DB_* parts by the images' entrypoint
 * (infra/runtime/container-entrypoint.sh), because Aurora's secret is JSON, not a URL.
 */
export function ecsSecrets(r: RuntimeResources): Record<string, ecs.Secret> {
  const db = (field: string) => ecs.Secret.fromSecretsManager(r.databaseSecret, field);
  return {
    DB_USER: db('username'),
    DB_PASSWORD: db('password'),
    DB_HOST: db('host'),
    DB_PORT: db('port'),
    DB_NAME: db('dbname'),
    STRIPE_SECRET_KEY: ecs.Secret.fromSecretsManager(r.stripeSecret, 'secretKey'),
    STRIPE_WEBHOOK_SECRET: ecs.Secret.fromSecretsManager(r.stripeSecret, 'webhookSecret'),
    AUDIT_SIGNING_KEY: ecs.Secret.fromSecretsManager(r.signingKeySecret),
    WORKER_SHARED_SECRET: ecs.Secret.fromSecretsManager(r.workerSharedSecret),
    UPLOAD_SIGNING_SECRET: ecs.Secret.fromSecretsManager(r.uploadSigningSecret),
    AUTH_DEVICE_COOKIE_SECRET: ecs.Secret.fromSecretsManager(r.deviceCookieSecret),
  };
}

/**
 * Lambda has no native secret injection. The api image's bootstrap
 * (infra/runtime/lambda-secrets-bootstrap.js) reads these ARNs at cold start and sets the same
 * variables ECS would, so secret values never sit in the function's configuration.
 */
export function lambdaSecretArns(r: RuntimeResources): Record<string, string> {
  return {
    DATABASE_SECRET_ARN: r.databaseSecret.secretArn,
    STRIPE_SECRET_ARN: r.stripeSecret.secretArn,
    AUDIT_SIGNING_KEY_SECRET_ARN: r.signingKeySecret.secretArn,
    WORKER_SHARED_SECRET_ARN: r.workerSharedSecret.secretArn,
    UPLOAD_SIGNING_SECRET_ARN: r.uploadSigningSecret.secretArn,
    DEVICE_COOKIE_SECRET_ARN: r.deviceCookieSecret.secretArn,
  };
}

export function allSecrets(r: RuntimeResources): secretsmanager.ISecret[] {
  return [
    r.databaseSecret,
    r.stripeSecret,
    r.signingKeySecret,
    r.workerSharedSecret,
    r.uploadSigningSecret,
    r.deviceCookieSecret,
  ];
}

/**
 * What the images' start-up scripts turn into the variables the libraries read: for ECS,
 * infra/runtime/container-entrypoint.sh assembles DATABASE_URL from the DB_* secrets; for Lambda,
 * infra/runtime/lambda-secrets-bootstrap.js reads each *_ARN and sets the variables listed.
 * The configuration contract test (infra/test/config-contract.test.ts) checks both scripts.
 */
export const ECS_ENTRYPOINT_PRODUCES: Record<string, string[]> = {
  DATABASE_URL: ['DB_USER', 'DB_PASSWORD', 'DB_HOST', 'DB_PORT', 'DB_NAME'],
};
export const LAMBDA_BOOTSTRAP_PRODUCES: Record<string, string[]> = {
  DATABASE_SECRET_ARN: ['DATABASE_URL'],
  STRIPE_SECRET_ARN: ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'],
  AUDIT_SIGNING_KEY_SECRET_ARN: ['AUDIT_SIGNING_KEY'],
  WORKER_SHARED_SECRET_ARN: ['WORKER_SHARED_SECRET'],
  UPLOAD_SIGNING_SECRET_ARN: ['UPLOAD_SIGNING_SECRET'],
  DEVICE_COOKIE_SECRET_ARN: ['AUTH_DEVICE_COOKIE_SECRET'],
};

/** The two buckets, imported by name in the consuming stack (see bucketName in data-stack.ts). */
export function importBuckets(scope: Construct, r: RuntimeResources): { artifacts: s3.IBucket; audit: s3.IBucket } {
  return {
    artifacts: s3.Bucket.fromBucketAttributes(scope, 'ArtifactBucket', {
      bucketName: r.artifactBucketName,
      encryptionKey: r.dataKey,
    }),
    audit: s3.Bucket.fromBucketAttributes(scope, 'AuditBucket', {
      bucketName: r.auditBucketName,
      encryptionKey: r.dataKey,
    }),
  };
}
