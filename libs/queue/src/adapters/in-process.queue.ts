import { Logger } from '@nestjs/common';
import { JobQueue, QueueHandler, QueueMessage } from '../job-queue.port';

/**
 * The embedded queue: an array in this process. Nothing survives a restart, which is fine
 * because the job rows do: the job sweeper re-enqueues QUEUED jobs and expired leases.
 */
export class InProcessQueue implements JobQueue {
  readonly driver = 'inprocess' as const;
  private readonly log = new Logger('InProcessQueue');
  private readonly pending: QueueMessage[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private handler?: QueueHandler;
  private concurrency = 1;
  private consuming = false;

  constructor(private readonly retryBaseMs = 500) {}

  async enqueue(jobId: string): Promise<void> {
    this.push({ jobId, deliveries: 1 });
  }

  async consume(handler: QueueHandler, concurrency: number): Promise<void> {
    this.handler = handler;
    this.concurrency = concurrency;
    this.consuming = true;
    this.pump();
  }

  async stopConsuming(): Promise<void> {
    this.consuming = false;
    await Promise.allSettled([...this.running]);
  }

  async ping(): Promise<Record<string, unknown>> {
    return { driver: this.driver, depth: this.pending.length, inFlight: this.running.size };
  }

  async close(): Promise<void> {
    await this.stopConsuming();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private push(message: QueueMessage): void {
    this.pending.push(message);
    this.pump();
  }

  private pump(): void {
    while (this.consuming && this.handler && this.running.size < this.concurrency && this.pending.length) {
      const message = this.pending.shift()!;
      const run: Promise<void> = this.handler(message)
        .catch((e: Error) => {
          // At least once: hand it out again after a growing pause.
          const delay = Math.min(this.retryBaseMs * 2 ** (message.deliveries - 1), 30_000);
          this.log.warn(
            `job ${message.jobId} failed (delivery ${message.deliveries}), retrying in ${delay} ms: ${e.message}`,
          );
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            this.push({ jobId: message.jobId, deliveries: message.deliveries + 1 });
          }, delay);
          timer.unref();
          this.timers.add(timer);
        })
        .finally(() => {
          this.running.delete(run);
          setImmediate(() => this.pump());
        });
      this.running.add(run);
    }
  }
}
