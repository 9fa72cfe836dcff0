import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PlatformConfig } from './config';

export interface QueueStackProps extends StackProps {
  readonly config: PlatformConfig;
}

/** Head-room over the longest job so a running job is never handed to a second worker. */
export const VISIBILITY_MARGIN_SECONDS = 300;
export const MAX_RECEIVES = 5;

/** Async inference jobs: SQS with a dead-letter queue for jobs that keep failing. */
export class QueueStack extends Stack {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: QueueStackProps) {
    super(scope, id, props);
    this.key = new kms.Key(this, 'QueueKey', {
      description: 'Inference job queues',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.deadLetterQueue = new sqs.Queue(this, 'JobsDlq', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Jobs', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.config.longestJobSeconds + VISIBILITY_MARGIN_SECONDS),
      retentionPeriod: Duration.days(4),
      receiveMessageWaitTime: Duration.seconds(20),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVES },
    });
  }
}
