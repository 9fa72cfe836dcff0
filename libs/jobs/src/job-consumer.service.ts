import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PrismaService } from '@app/db';
import { InferenceRuntime } from '@app/inference';
import { JOB_QUEUE, JobKinds, JobQueue, QUEUE_CONFIG, QueueConfig } from '@app/queue';
import { WebhookSender } from './webhooks/webhook-sender.service';
import { JobRunner } from './job-runner.service';

/**
 * Takes jobs off the queue when this process is a consumer (apps/worker, or the api in
 * embedded mode), and sweeps the job table for lost work: QUEUED jobs whose message never
 * arrived and RUNNING jobs whose worker's lease ran out (a killed worker) go back on the queue.
 * Shutdown drains: stop taking jobs, let the ones in hand finish, then flush webhooks.
 */
@Injectable()
export class JobConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('JobConsumer');
  private sweeper?: NodeJS.Timeout;
  private started = false;

  constructor(
    @Inject(QUEUE_CONFIG) private readonly config: QueueConfig,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly runner: JobRunner,
    private readonly prisma: PrismaService,
    private readonly runtime: InferenceRuntime,
    private readonly webhooks: WebhookSender,
    private readonly kinds: JobKinds,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.consume) await this.start();
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.runtime.init();
    await this.queue.consume(
      ({ jobId }) => this.kinds.handlerFor(jobId)?.run(jobId) ?? this.runner.run(jobId),
      this.config.JOB_CONCURRENCY,
    );
    this.sweeper = setInterval(
      () => void this.sweep().catch((e: Error) => this.log.warn(`sweep failed: ${e.message}`)),
      this.config.JOB_SWEEP_INTERVAL_MS,
    );
    this.sweeper.unref();
    this.log.log(
      `consuming ${this.queue.driver} queue as ${this.runner.workerId} (concurrency ${this.config.JOB_CONCURRENCY})`,
    );
  }

  /** Stops taking jobs and waits for those in hand (the queue adapters wait for their handlers). */
  async stop(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    if (!this.started) return;
    this.started = false;
    await this.queue.stopConsuming();
    await this.webhooks.drain();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
    await this.queue.close();
  }

  /** Re-enqueues lost jobs; duplicates are harmless (a claim decides who runs a job). */
  async sweep(): Promise<number> {
    const until = new Date(Date.now() + this.config.JOB_LEASE_MS);
    // Across tenants on purpose: the sweeper looks for any job whose worker went away.
    const queued = await this.prisma.$queryRaw<{ id: string }[]>`
      UPDATE inference_jobs SET "lockedUntil" = ${until}
      WHERE status = 'QUEUED' AND ("lockedUntil" IS NULL OR "lockedUntil" < now()) RETURNING id`;
    const expired = await this.prisma.$queryRaw<{ id: string }[]>`
      SELECT id FROM inference_jobs WHERE status = 'RUNNING' AND "lockedUntil" < now() LIMIT 1000`;
    const others = (await Promise.all(this.kinds.all().map((k) => k.lost()))).flat();
    const ids = [...queued.map((r) => r.id), ...expired.map((r) => r.id), ...others];
    for (const id of ids) await this.queue.enqueue(id);
    if (ids.length) this.log.log(`re-enqueued ${ids.length} job(s) (${expired.length} with an expired lease)`);
    return ids.length;
  }
}
