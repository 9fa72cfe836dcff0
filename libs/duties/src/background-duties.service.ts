import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { MeterEventFlusher } from '@app/billing';
import { QUEUE_CONFIG, QueueConfig } from '@app/queue';
import { AuditPurgeScheduler } from './audit-purge.scheduler';

/**
 * The periodic work that belongs with the job consumer: the Stripe meter-event flusher (when
 * billing is on) and the audit retention purge. It runs wherever jobs are consumed: in every
 * worker (apps/worker forces JOBS_CONSUME=1), and in the api in embedded mode (the in-process
 * queue, where the api is its own worker). Both are safe with several processes running them.
 */
@Injectable()
export class BackgroundDuties implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('BackgroundDuties');
  private started = false;

  constructor(
    @Inject(QUEUE_CONFIG) private readonly config: QueueConfig,
    private readonly auditPurge: AuditPurgeScheduler,
    // Null without STRIPE_SECRET_KEY (usage then stays in the local ledger), absent without BillingModule.
    @Optional() @Inject(MeterEventFlusher) private readonly flusher: MeterEventFlusher | null = null,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.consume) this.start();
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.flusher?.start();
    this.auditPurge.start(this.config.AUDIT_PURGE_INTERVAL_MS);
    const purge = this.config.AUDIT_PURGE_INTERVAL_MS ? `every ${this.config.AUDIT_PURGE_INTERVAL_MS} ms` : 'off';
    this.log.log(`meter-event flusher ${this.flusher ? 'on' : 'off (no STRIPE_SECRET_KEY)'}, audit purge ${purge}`);
  }

  /** Stops both and waits for a flush or purge in progress (SIGTERM drain). */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await Promise.all([this.flusher?.stop(), this.auditPurge.stop()]);
  }

  /** For /readyz and tests: what this process runs. */
  get running(): { meterFlusher: boolean; auditPurge: boolean } {
    return {
      meterFlusher: this.started && !!this.flusher,
      auditPurge: this.started && this.config.AUDIT_PURGE_INTERVAL_MS > 0,
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }
}
