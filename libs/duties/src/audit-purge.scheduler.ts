import { Injectable, Logger } from '@nestjs/common';
import { newId } from '@app/common';
import { PrismaService } from '@app/db';
import { AuditRetentionService } from '@app/audit';

export const AUDIT_PURGE_ACTOR = { type: 'system' as const, id: 'audit-retention' };

export interface AuditPurgeRun {
  tenants: number;
  purged: number;
  deleted: number;
  failed: number;
}

/**
 * The scheduled retention purge: every AUDIT_PURGE_INTERVAL_MS, AuditRetentionService.purgeExpired
 * for each tenant, as the system. Several processes may run it at once: a purge holds the
 * tenant's chain head lock, so the second one finds nothing left to do.
 */
@Injectable()
export class AuditPurgeScheduler {
  private readonly log = new Logger('AuditPurge');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly prisma: PrismaService,
    private readonly retention: AuditRetentionService,
  ) {}

  /** Runs every `intervalMs` (the first run one interval after start); 0 turns it off. */
  start(intervalMs: number): void {
    if (this.timer || intervalMs <= 0) return;
    this.timer = setInterval(() => {
      if (this.running) return; // the previous run is still going: skip a beat rather than pile up
      this.running = this.runOnce()
        .catch((e: Error) => this.log.warn(`audit purge failed: ${e.message}`))
        .finally(() => (this.running = undefined));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass over the tenants; one tenant's failure (a broken chain) does not stop the others. */
  async runOnce(now = new Date()): Promise<AuditPurgeRun> {
    const run: AuditPurgeRun = { tenants: 0, purged: 0, deleted: 0, failed: 0 };
    const requestId = newId('req');
    for (const tenantId of await this.candidates()) {
      run.tenants++;
      try {
        const r = await this.retention.purgeExpired(tenantId, AUDIT_PURGE_ACTOR, requestId, now);
        if (r.deleted > 0) {
          run.purged++;
          run.deleted += r.deleted;
        }
      } catch (e) {
        run.failed++;
        this.log.error(`audit purge of tenant ${tenantId} failed: ${(e as Error).message}`);
      }
    }
    if (run.deleted || run.failed)
      this.log.log(`audit purge: ${run.deleted} event(s) of ${run.purged} tenant(s) removed, ${run.failed} failed`);
    return run;
  }

  /**
   * Every tenant that can have something to purge. A purge only removes ranges that a live
   * (not yet purged) export covers, so a tenant without one is skipped: purgeExpired would find
   * nothing. Across tenants on purpose: this is the system's own schedule, not a tenant's request.
   */
  private async candidates(): Promise<string[]> {
    const rows = await this.prisma.auditExport.findMany({
      where: { purgedAt: null },
      distinct: ['tenantId'],
      select: { tenantId: true },
      orderBy: { tenantId: 'asc' },
    });
    return rows.map((r) => r.tenantId);
  }
}
