import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { PlatformConfig } from './config';
import { acknowledge } from './nag';
import { SUBNET } from './network-stack';

export interface DataStackProps extends StackProps {
  readonly config: PlatformConfig;
  readonly vpc: ec2.IVpc;
}

/** Characters that would need URL-encoding in DATABASE_URL are never generated. */
const URL_UNSAFE = ' %+~`#$&*()|[]{}:;<>?!\'/@"\\=,^';

export const DB_NAME = 'maas';

/**
 * Bucket names are derived, not generated: consumers import the bucket by name, so no
 * CloudFormation export ties them to this stack, and grants read the same in every template.
 */
export function bucketName(config: PlatformConfig, purpose: 'artifacts' | 'audit'): string {
  return `${config.prefix.toLowerCase()}-${purpose}-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}
export const REDIS_PORT = 6379;

/** Every store of the platform: Aurora, ElastiCache, S3 (artifacts, audit exports) and secrets. */
export class DataStack extends Stack {
  readonly key: kms.Key;
  readonly database: rds.DatabaseCluster;
  readonly databaseSecret: secretsmanager.ISecret;
  readonly cache: elasticache.CfnServerlessCache;
  readonly cacheSecurityGroup: ec2.SecurityGroup;
  readonly artifactBucket: s3.Bucket;
  readonly auditBucket: s3.Bucket;
  readonly stripeSecret: secretsmanager.Secret;
  readonly signingKeySecret: secretsmanager.Secret;
  readonly workerSharedSecret: secretsmanager.Secret;
  readonly uploadSigningSecret: secretsmanager.Secret;
  readonly deviceCookieSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { config, vpc } = props;
    const dataSubnets = { subnetGroupName: SUBNET.data };

    this.key = new kms.Key(this, 'DataKey', {
      description: 'Platform data at rest: database, cache, buckets',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // The log group Aurora exports to, owned here so its retention needs no helper Lambda.
    const clusterIdentifier = `${config.prefix.toLowerCase()}-db`;
    const dbLogs = new logs.LogGroup(this, 'DatabaseLogs', {
      logGroupName: `/aws/rds/cluster/${clusterIdentifier}/postgresql`,
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.database = new rds.DatabaseCluster(this, 'Database', {
      clusterIdentifier,
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_6 }),
      // Secrets use Secrets Manager's own KMS key: a customer key shared across stacks would put
      // every consumer's role into the key policy and make this stack depend on its consumers.
      credentials: rds.Credentials.fromGeneratedSecret('maas_admin', { excludeCharacters: URL_UNSAFE }),
      defaultDatabaseName: DB_NAME,
      writer: rds.ClusterInstance.serverlessV2('writer', { publiclyAccessible: false }),
      // Min 0 ACU + auto-pause: an idle platform pays for storage only.
      serverlessV2MinCapacity: 0,
      serverlessV2MaxCapacity: config.dbMaxAcu,
      serverlessV2AutoPauseDuration: Duration.seconds(config.dbAutoPauseSeconds),
      vpc,
      vpcSubnets: dataSubnets,
      storageEncrypted: true,
      storageEncryptionKey: this.key,
      iamAuthentication: true,
      deletionProtection: true,
      backup: { retention: Duration.days(7) },
      cloudwatchLogsExports: ['postgresql'],
      // TLS only: clients that try plain text are refused by the server.
      parameters: { 'rds.force_ssl': '1' },
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    this.database.node.addDependency(dbLogs);
    this.databaseSecret = this.database.secret!;
    // database.secret is the attachment; the finding sits on the secret itself, its parent.
    acknowledge(
      this.database.node.findChild('Secret'),
      'Rotation is a planned operation (README): the api Lambda caches credentials per container and ECS injects them at task start, so an unplanned rotation would break live connections',
      'AwsSolutions-SMG4',
    );

    this.cacheSecurityGroup = new ec2.SecurityGroup(this, 'CacheSg', {
      vpc,
      description: 'ElastiCache Serverless: reachable only from the api and worker security groups',
      allowAllOutbound: false,
    });
    // ElastiCache Serverless always encrypts at rest and requires TLS in transit.
    this.cache = new elasticache.CfnServerlessCache(this, 'Cache', {
      serverlessCacheName: `${config.prefix.toLowerCase()}-cache`,
      engine: 'valkey',
      majorEngineVersion: '8',
      kmsKeyId: this.key.keyId,
      securityGroupIds: [this.cacheSecurityGroup.securityGroupId],
      subnetIds: vpc.selectSubnets(dataSubnets).subnetIds,
      cacheUsageLimits: { dataStorage: { maximum: 5, unit: 'GB' }, ecpuPerSecond: { maximum: 100000 } },
    });

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // S3 server access log delivery supports SSE-S3 only.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.artifactBucket = new s3.Bucket(this, 'Artifacts', {
      bucketName: bucketName(config, 'artifacts'),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'artifacts/',
      lifecycleRules: [
        { noncurrentVersionExpiration: Duration.days(90) },
        // Staged uploads nobody published: an upload URL lives a day at most (UPLOAD_URL_TTL_SECONDS),
        // so what is still under uploads/ a day later can never be taken. The api's sweep does the same.
        {
          id: 'expire-staged-uploads',
          prefix: 'uploads/',
          expiration: Duration.days(1),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      // Browsers PUT model files and datasets straight to presigned URLs of this bucket.
      cors: [
        {
          allowedMethods: [s3.HttpMethods.PUT, s3.HttpMethods.GET],
          allowedOrigins: config.uploadCorsOrigins.split(',').map((o) => o.trim()),
          allowedHeaders: ['content-type', 'content-length', 'x-amz-checksum-sha256'],
          exposedHeaders: ['ETag'],
          maxAge: 3000,
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.auditBucket = new s3.Bucket(this, 'AuditExports', {
      bucketName: bucketName(config, 'audit'),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      versioned: true,
      objectLockEnabled: true,
      // Compliance mode: nobody, the root user included, can shorten or remove the retention.
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(Duration.days(config.auditRetentionDays)),
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'audit/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Operators fill in the real values after the first deploy (README); the shape is fixed here.
    this.stripeSecret = new secretsmanager.Secret(this, 'StripeSecret', {
      description: 'Stripe API key and webhook signing secret: {"secretKey","webhookSecret"}',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ secretKey: 'unset', webhookSecret: 'unset' }),
        generateStringKey: 'placeholder',
      },
    });
    this.signingKeySecret = new secretsmanager.Secret(this, 'AuditSigningKey', {
      description: 'Ed25519 private key (PEM) that signs audit exports',
    });
    this.workerSharedSecret = new secretsmanager.Secret(this, 'WorkerSharedSecret', {
      description: 'Shared secret between the api and the real-time inference workers',
      generateSecretString: { excludePunctuation: true, passwordLength: 48 },
    });
    // One HMAC key for every api instance: an upload URL signed by one Lambda verifies on the next.
    this.uploadSigningSecret = new secretsmanager.Secret(this, 'UploadSigningSecret', {
      description: 'HMAC key of the signed model/dataset upload URLs, shared by every api instance',
      generateSecretString: { excludePunctuation: true, passwordLength: 48 },
    });
    // One HMAC key for every api instance: a device cookie left by one Lambda is known to the next.
    this.deviceCookieSecret = new secretsmanager.Secret(this, 'DeviceCookieSecret', {
      description: 'HMAC key of the log-in device cookies (AUTH_DEVICE_COOKIE_SECRET), shared by every api instance',
      generateSecretString: { excludePunctuation: true, passwordLength: 48 },
    });
    // Operators fill these two in after the first deploy (README, step 5).
    new CfnOutput(this, 'StripeSecretArn', { value: this.stripeSecret.secretArn });
    new CfnOutput(this, 'AuditSigningKeySecretArn', { value: this.signingKeySecret.secretArn });
    acknowledge(
      this.stripeSecret,
      'Stripe keys are rolled in the Stripe dashboard, then written here (README); Secrets Manager cannot rotate them',
      'AwsSolutions-SMG4',
    );
    acknowledge(
      this.signingKeySecret,
      'Rotating the audit signing key is a key-ceremony event: verifiers must learn the new public key first',
      'AwsSolutions-SMG4',
    );
    acknowledge(
      this.uploadSigningSecret,
      'Rotation invalidates upload URLs in flight (one hour at most); rotate by redeploying',
      'AwsSolutions-SMG4',
    );
    acknowledge(
      this.deviceCookieSecret,
      'Rotation only makes known devices unknown until their next log-in; rotate by redeploying',
      'AwsSolutions-SMG4',
    );
    acknowledge(
      this.workerSharedSecret,
      'Rotated by redeploying both sides together; automatic rotation would desynchronise api and workers',
      'AwsSolutions-SMG4',
    );
  }
}
