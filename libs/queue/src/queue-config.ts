import { z } from 'zod';
import { requiredInProduction } from '@app/common';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

/**
 * Settings of the job queue, the job runner and the worker (documented in libs/queue/README.md).
 * Read from the environment here, not in @app/common: only the queue and the worker use them.
 */
export const queueConfigSchema = z.object({
  QUEUE_DRIVER: z.enum(['inprocess', 'bullmq', 'sqs']).optional(),
  QUEUE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,80}$/)
    .default('inference-jobs'),
  SQS_QUEUE_URL: z.string().url().optional(),
  SQS_ENDPOINT: z.string().url().optional(),
  SQS_REGION: z.string().optional(),
  SQS_VISIBILITY_TIMEOUT_S: z.coerce.number().int().min(1).max(43_200).default(60),
  // Whether this process takes jobs off the queue. Default: yes for the in-process queue
  // (embedded mode: the api is its own worker), no otherwise (apps/worker sets it).
  JOBS_CONSUME: bool.optional(),
  JOB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  JOB_CHUNK_SIZE: z.coerce.number().int().min(1).max(1024).default(32),
  JOB_MAX_INSTANCES: z.coerce.number().int().min(1).default(10_000),
  JOB_LEASE_MS: z.coerce.number().int().min(200).default(30_000),
  JOB_SWEEP_INTERVAL_MS: z.coerce.number().int().min(50).default(5_000),
  JOB_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(3),
  // A pause between chunks: yields the accelerator to real-time traffic on a shared worker.
  JOB_CHUNK_PAUSE_MS: z.coerce.number().int().min(0).default(0),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
  WEBHOOK_BACKOFF_MS: z.coerce.number().int().min(10).default(1_000),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  ALLOW_PRIVATE_WEBHOOKS: bool.default(false),
  WORKER_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  WORKER_HOST: z.string().default('0.0.0.0'),
  WORKER_SHARED_SECRET: requiredInProduction(z.string().min(16).optional()),
  WORKER_URL: z.string().url().optional(),
  // apps/worker: `realtime` serves the api's real-time calls only and takes no jobs; `async` and
  // `all` (the default, one worker does everything) also consume the job queue.
  WORKER_MODE: z.enum(['all', 'async', 'realtime']).default('all'),
  WORKER_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(25_000),
  // The scheduled audit retention purge where jobs are consumed (hourly; 0 turns it off).
  AUDIT_PURGE_INTERVAL_MS: z.coerce.number().int().min(0).default(3_600_000),
});

export type QueueConfig = z.infer<typeof queueConfigSchema> & {
  driver: 'inprocess' | 'bullmq' | 'sqs';
  consume: boolean;
};

export const QUEUE_CONFIG = Symbol('QUEUE_CONFIG');

export function loadQueueConfig(env: NodeJS.ProcessEnv = process.env): QueueConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = queueConfigSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new Error(
      `invalid queue configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  }
  const c = parsed.data;
  // Without a choice: SQS when a queue URL is given, BullMQ when Redis is, else in-process.
  const driver = c.QUEUE_DRIVER ?? (c.SQS_QUEUE_URL ? 'sqs' : 'inprocess');
  if (driver === 'sqs' && !c.SQS_QUEUE_URL)
    throw new Error('invalid queue configuration: QUEUE_DRIVER=sqs needs SQS_QUEUE_URL');
  if (driver === 'bullmq' && !cleaned.REDIS_URL)
    throw new Error('invalid queue configuration: QUEUE_DRIVER=bullmq needs REDIS_URL');
  return { ...c, driver, consume: c.JOBS_CONSUME ?? driver === 'inprocess' };
}
