import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, newId } from '@app/common';
import { PrismaService } from '@app/db';
import { AUDIT_CONFIG, AuditConfig, AuditErrorReason, AuditExportService } from '@app/audit';

export const AUDIT_EXPORT_ACTOR = { type: 'system' as const, id: 'audit-export-schedule' };

/** How long a claim holds when its worker dies mid-export: after that another worker may take the tenant. */
const CLAIM_MS = 15 * 60_000;

export interface AuditExportRun {
  due: number;
  exported: number;
  /** Due, but another worker held the claim or had exported it within the interval. */
  skipped: number;
  failed: number;
}

/** Paths never reach the log (an fs error names the file it failed on). */
const withoutPaths = (message: string) => message.replace(/(?:file:)?\/{1,2}[^\s'"`]+/g, '<path>');

/**
 * The scheduled audit export: every AUDIT_EXPORT_INTERVAL_MS (default daily) each tenant with
 * events since its last export gets one signed export of them, as the system, so the retention
 * purge (which only removes exported ranges) can free them. Runs on every job-consuming process
 * (the workers; the api in embedded mode). Two processes never export one tenant twice: a tenant
 * is exported only by the process that claims its audit_export_runs row, atomically, and a claim
 * is granted only when no other is live and the last run started at least ~one interval ago.
 */
@Injectable()
export class AuditExportScheduler {
  private readonly log = new Logger('AuditExportSchedule');
  private readonly me = `duty_${randomUUID()}`;
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly prisma: PrismaService,
    private readonly exporter: AuditExportService,
    @Inject(AUDIT_CONFIG) private readonly config: AuditConfig,
  ) {}

  get intervalMs(): number {
    return this.config.AUDIT_EXPORT_INTERVAL_MS;
  }

  /** Runs every interval (the first run one interval after start); 0 turns it off. */
  start(intervalMs = this.intervalMs): void {
    if (this.timer || intervalMs <= 0) return;
    this.timer = setInterval(() => {
      if (this.running) return; // the previous run is still going: skip a beat rather than pile up
      this.running = this.runOnce()
        .catch((e: Error) => this.log.warn(`scheduled audit export failed: ${withoutPaths(e.message)}`))
        .finally(() => (this.running = undefined));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass; one tenant's failure (a broken chain) does not stop the others. */
  async runOnce(now = new Date(), intervalMs = this.intervalMs): Promise<AuditExportRun> {
    const run: AuditExportRun = { due: 0, exported: 0, skipped: 0, failed: 0 };
    const requestId = newId('req');
    for (const tenantId of await this.dueTenants()) {
      run.due++;
      if (!(await this.claim(tenantId, now, intervalMs))) {
        run.skipped++;
        continue;
      }
      try {
        // Claimed: check again, another worker may have exported it between our list and our claim.
        if (!(await this.dueTenants(tenantId)).length) {
          run.skipped++;
          continue;
        }
        await this.exporter.export(
          tenantId,
          AUDIT_EXPORT_ACTOR,
          requestId,
          { from: null, to: null },
          { sinceLastExport: true },
        );
        run.exported++;
      } catch (e) {
        if (e instanceof AppError && e.reason === AuditErrorReason.NOTHING_TO_EXPORT) {
          run.skipped++;
        } else {
          run.failed++;
          const why = e instanceof AppError ? `${e.reason}: ${e.message}` : (e as Error).message;
          this.log.error(`scheduled audit export of tenant ${tenantId} failed: ${withoutPaths(why)}`);
        }
      } finally {
        await this.release(tenantId);
      }
    }
    if (run.exported || run.failed)
      this.log.log(`scheduled audit export: ${run.exported} tenant(s) exported, ${run.failed} failed`);
    return run;
  }

  /**
   * Tenants with events after the end of their newest export (all of them, or just `only`),
   * besides the export's and purge's own (or every export would make the next one due; they go
   * into the next export anyway). Across tenants on purpose: the system's own schedule.
   */
  private async dueTenants(only?: string): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ tenantId: string }[]>`
      SELECT h."tenantId" FROM audit_chain_heads h
      WHERE (${only ?? null}::text IS NULL OR h."tenantId" = ${only ?? null}::text)
        AND EXISTS (
          SELECT 1 FROM audit_events e
          WHERE e."tenantId" = h."tenantId"
            AND e.seq > COALESCE((SELECT max(x."toSeq") FROM audit_exports x WHERE x."tenantId" = h."tenantId"), 0)
            AND e.action NOT IN ('audit.export', 'audit.purge'))
      ORDER BY h."tenantId"`;
    return rows.map((r) => r.tenantId);
  }

  /**
   * Takes the tenant's claim in one statement (so exactly one of several racing workers gets it):
   * granted when nobody holds a live claim and the last run started more than 90% of an interval
   * ago (timers of several workers drift; a tenant is still exported about once per interval).
   */
  private async claim(tenantId: string, now: Date, intervalMs: number): Promise<boolean> {
    const until = new Date(now.getTime() + CLAIM_MS);
    const notBefore = new Date(now.getTime() - Math.floor(intervalMs * 0.9));
    const rows = await this.prisma.$queryRaw<{ tenantId: string }[]>`
      INSERT INTO audit_export_runs ("tenantId", "claimedBy", "claimedUntil", "lastRunAt")
      VALUES (${tenantId}, ${this.me}, ${until}, ${now})
      ON CONFLICT ("tenantId") DO UPDATE
        SET "claimedBy" = EXCLUDED."claimedBy", "claimedUntil" = EXCLUDED."claimedUntil", "lastRunAt" = EXCLUDED."lastRunAt"
        WHERE (audit_export_runs."claimedUntil" IS NULL OR audit_export_runs."claimedUntil" < ${now})
          AND (audit_export_runs."lastRunAt" IS NULL OR audit_export_runs."lastRunAt" <= ${notBefore})
      RETURNING "tenantId"`;
    return rows.length === 1;
  }

  private async release(tenantId: string): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE audit_export_runs SET "claimedUntil" = NULL, "claimedBy" = NULL
      WHERE "tenantId" = ${tenantId} AND "claimedBy" = ${this.me}`;
  }
}
