import { BullMqQueue } from './adapters/bullmq.queue';
import { InProcessQueue } from './adapters/in-process.queue';
import { SqsQueue } from './adapters/sqs.queue';
import { JobQueue } from './job-queue.port';
import { QueueConfig } from './queue-config';

/** The adapter the configuration names (QUEUE_DRIVER). */
export function createJobQueue(config: QueueConfig, redisUrl: string | undefined): JobQueue {
  switch (config.driver) {
    case 'bullmq':
      return new BullMqQueue(redisUrl!, config.QUEUE_NAME, { attempts: config.JOB_MAX_ATTEMPTS + 2, lockDurationMs: config.JOB_LEASE_MS });
    case 'sqs':
      return new SqsQueue({ queueUrl: config.SQS_QUEUE_URL!, endpoint: config.SQS_ENDPOINT, region: config.SQS_REGION, visibilityTimeoutS: config.SQS_VISIBILITY_TIMEOUT_S });
    default:
      return new InProcessQueue();
  }
}
