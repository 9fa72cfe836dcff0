import { BullMqQueue } from './adapters/bullmq.queue';
import { InProcessQueue } from './adapters/in-process.queue';
import { JobQueue } from './job-queue.port';
import { QueueConfig } from './queue-config';

/** The adapter the configuration names (QUEUE_DRIVER). */
export function createJobQueue(config: QueueConfig, redisUrl: string | undefined): JobQueue {
  switch (config.driver) {
    case 'bullmq':
      return new BullMqQueue(redisUrl!, config.QUEUE_NAME, {
        attempts: config.JOB_MAX_ATTEMPTS + 2,
        lockDurationMs: config.JOB_LEASE_MS,
      });
    case 'sqs': {
      // Required here, not at the top: the AWS SDK is a large module graph only SQS needs.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { SqsQueue } = require('./adapters/sqs.queue') as typeof import('./adapters/sqs.queue');
      return new SqsQueue({
        queueUrl: config.SQS_QUEUE_URL!,
        endpoint: config.SQS_ENDPOINT,
        region: config.SQS_REGION,
        visibilityTimeoutS: config.SQS_VISIBILITY_TIMEOUT_S,
      });
    }
    default:
      return new InProcessQueue();
  }
}
