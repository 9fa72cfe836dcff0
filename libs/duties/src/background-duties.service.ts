import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { MeterEventFlusher } from '@app/billing';
import { QUEUE_CONFIG, QueueConfig } from '@app/queue';
import { AuditPurgeScheduler } from './audit-purge.scheduler';
import { AuditExportScheduler } from './audit-export.scheduler';

/**
 * The periodic work that belongs with the job consumer: the Stripe meter-event flusher (when
 * billing is on), the scheduled audit export and the audit retention purge. It runs wherever jobs are consumed: in every
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
    private readonly auditExport: AuditExportScheduler,
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
    this.auditExport.start();
    const every = (ms: number) => (ms ? `every ${ms} ms` : 'off');
    this.log.log(
      `meter-event flusher ${this.flusher ? 'on' : 'off (no STRIPE_SECRET_KEY)'}, ` +
        `audit purge ${every(this.config.AUDIT_PURGE_INTERVAL_MS)}, audit export ${every(this.auditExport.intervalMs)}`,
    );
  }

  /** Stops them all and waits for a flush, export or purge in progress (SIGTERM drain). */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await Promise.all([this.flusher?.stop(), this.auditExport.stop(), this.auditPurge.stop()]);
  }

  /** For /readyz and tests: what this process runs. */
  get running(): { meterFlusher: boolean; auditExport: boolean; auditPurge: boolean } {
    return {
      meterFlusher: this.started && !!this.flusher,
      auditExport: this.started && this.auditExport.intervalMs > 0,
      auditPurge: this.started && this.config.AUDIT_PURGE_INTERVAL_MS > 0,
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }
}
