import { Logger } from '@nestjs/common';
import type { Queue, Worker } from 'bullmq';

// Loaded on first use, not at start: most processes (embedded mode, SQS) never need it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const bullmq = (): typeof import('bullmq') => require('bullmq');
import { JobQueue, QueueHandler } from '../job-queue.port';

/** Key prefix of every BullMQ queue of ours (mas:q:<QUEUE_NAME>:...). */
export const BULLMQ_PREFIX = 'mas:q';
const PREFIX = BULLMQ_PREFIX;

/**
 * BullMQ on Redis (self-hosted). A worker that dies holding a message loses its BullMQ lock;
 * BullMQ's stalled-job check hands the message to another worker, and the job sweeper covers
 * the rest (the database lease is what decides who may run a job).
 */
export class BullMqQueue implements JobQueue {
  readonly driver = 'bullmq' as const;
  private readonly log = new Logger('BullMqQueue');
  private readonly queue: Queue;
  private worker?: Worker;

  constructor(
    private readonly redisUrl: string,
    private readonly name: string,
    private readonly options: { attempts?: number; backoffMs?: number; lockDurationMs?: number } = {},
  ) {
    this.queue = new (bullmq().Queue)(name, { connection: this.connection(), prefix: PREFIX });
    this.queue.on('error', (e) => this.log.warn(`queue ${name}: ${e.message}`));
  }

  async enqueue(jobId: string): Promise<void> {
    await this.queue.add(
      'run',
      { jobId },
      {
        attempts: this.options.attempts ?? 5,
        backoff: { type: 'exponential', delay: this.options.backoffMs ?? 1_000 },
        removeOnComplete: 1_000,
        removeOnFail: 5_000,
      },
    );
  }

  async consume(handler: QueueHandler, concurrency: number): Promise<void> {
    this.worker = new (bullmq().Worker)(
      this.name,
      async (job) => handler({ jobId: String(job.data.jobId), deliveries: job.attemptsMade + 1 }),
      {
        connection: this.connection(),
        prefix: PREFIX,
        concurrency,
        lockDuration: this.options.lockDurationMs ?? 30_000,
        autorun: true,
      },
    );
    this.worker.on('error', (e) => this.log.warn(`worker ${this.name}: ${e.message}`));
    await this.worker.waitUntilReady();
  }

  async stopConsuming(): Promise<void> {
    // close() stops fetching and waits for the jobs in hand (force=false).
    await this.worker?.close();
    this.worker = undefined;
  }

  async ping(): Promise<Record<string, unknown>> {
    const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed');
    return { driver: this.driver, depth: (counts.waiting ?? 0) + (counts.delayed ?? 0), inFlight: counts.active ?? 0 };
  }

  async close(): Promise<void> {
    await this.stopConsuming();
    await this.queue.close();
  }

  /** Removes a queue and all its messages (test and operator clean-up). */
  static async obliterate(redisUrl: string, name: string): Promise<void> {
    const q = new (bullmq().Queue)(name, { connection: bullConnection(redisUrl), prefix: PREFIX });
    try {
      await q.obliterate({ force: true });
    } finally {
      await q.close();
    }
  }

  private connection() {
    return bullConnection(this.redisUrl);
  }
}

function bullConnection(redisUrl: string) {
  // BullMQ needs maxRetriesPerRequest null on blocking connections; give it a URL, not a client.
  const u = new URL(redisUrl);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}
