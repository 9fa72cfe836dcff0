import { Match } from 'aws-cdk-lib/assertions';
import { VISIBILITY_MARGIN_SECONDS } from '../lib/queue-stack';
import { synthPlatform, templateOf } from './platform.fixture';

const { platform, config } = synthPlatform({ auditRetentionDays: 2555 });
const data = templateOf(platform.data);
const queue = templateOf(platform.queue);

describe('data stores', () => {
  it('locks audit exports in compliance mode for the configured retention', () => {
    data.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2555 } },
      },
    });
  });

  it('keeps every bucket private, encrypted and TLS-only; artifacts are KMS-encrypted and versioned', () => {
    const buckets = Object.values(data.findResources('AWS::S3::Bucket'));
    expect(buckets.length).toBe(3);
    for (const b of buckets) {
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.Properties.BucketEncryption.ServerSideEncryptionConfiguration.length).toBe(1);
    }
    data.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['maas-artifacts-'])] }),
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
        ],
      },
    });
    const policies = JSON.stringify(data.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toContain('"aws:SecureTransport":"false"');
  });

  it('expires staged uploads in the artifact bucket and lets browsers PUT to its presigned URLs', () => {
    data.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['maas-artifacts-'])] }),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Id: 'expire-staged-uploads', Prefix: 'uploads/', ExpirationInDays: 1, Status: 'Enabled' }),
        ]),
      },
      CorsConfiguration: {
        CorsRules: [
          Match.objectLike({
            AllowedMethods: ['PUT', 'GET'],
            AllowedOrigins: ['*'],
            AllowedHeaders: Match.arrayWith(['content-length', 'x-amz-checksum-sha256']),
          }),
        ],
      },
    });
  });

  it('runs a private, encrypted Aurora Serverless v2 that scales to zero', () => {
    data.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      StorageEncrypted: true,
      ServerlessV2ScalingConfiguration: Match.objectLike({ MinCapacity: 0, MaxCapacity: config.dbMaxAcu }),
    });
    data.resourcePropertiesCountIs('AWS::RDS::DBInstance', { PubliclyAccessible: true }, 0);
    data.hasResourceProperties('AWS::RDS::DBInstance', { PubliclyAccessible: false, DBInstanceClass: 'db.serverless' });
    data.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Parameters: { 'rds.force_ssl': '1' } });
  });

  it('uses ElastiCache Serverless with a customer KMS key, inside the data subnets', () => {
    data.hasResourceProperties('AWS::ElastiCache::ServerlessCache', {
      Engine: 'valkey',
      KmsKeyId: Match.anyValue(),
      SubnetIds: Match.anyValue(),
      SecurityGroupIds: Match.anyValue(),
    });
  });

  it('keeps database, Stripe, signing, worker, upload-signing and device-cookie secrets in Secrets Manager', () => {
    data.resourceCountIs('AWS::SecretsManager::Secret', 6);
    // Generated once and shared: every api instance verifies every other's upload URLs.
    data.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { ExcludePunctuation: true, PasswordLength: 48 },
      Description: Match.stringLikeRegexp('upload URLs'),
    });
    data.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { ExcludePunctuation: true, PasswordLength: 48 },
      Description: Match.stringLikeRegexp('device cookies'),
    });
  });

  it('encrypts both queues and wires the dead-letter queue, with visibility above the longest job', () => {
    const queues = Object.values(queue.findResources('AWS::SQS::Queue'));
    expect(queues).toHaveLength(2);
    for (const q of queues) expect(q.Properties.KmsMasterKeyId).toBeDefined();
    queue.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: Match.anyValue() },
      VisibilityTimeout: config.longestJobSeconds + VISIBILITY_MARGIN_SECONDS,
    });
    expect(VISIBILITY_MARGIN_SECONDS).toBeGreaterThan(0);
  });
});
