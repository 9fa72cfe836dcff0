import { Injectable, Logger } from '@nestjs/common';
import { MetricsService } from '@app/common';
import { PrismaService } from '@app/db';
import { AuditService } from '@app/audit';
import { MeteringService } from '@app/metering';
import { BudgetAlertService, QuotaLeases, type QuotaSettlement } from '@app/quotas';
import { IdempotencyStore } from './idempotency/idempotency.store';
import { loadLedgerConfig } from './ledger.config';
import type { LedgerEntry } from './ledger-entry';

interface Pending {
  entry: LedgerEntry;
  resolve(): void;
  reject(e: unknown): void;
}

/**
 * The one writer of inference effects, by group commit: entries that arrive while a batch is
 * committing wait for the next one, and each batch is ONE transaction: the audit events of
 * every tenant in it (each chain head locked and moved once), the usage records and outbox rows,
 * the quota settlement and the idempotent answers. write() resolves only once its batch has
 * committed, so an answer the client sees is always billed and audited, and a crash loses only
 * answers nobody received. Each library writes its own tables through its batch operation;
 * this class only orders them (heads before counters, as every other writer of both does).
 */
@Injectable()
export class Ledger {
  private readonly log = new Logger('Ledger');
  private readonly config = loadLedgerConfig();
  private pending: Pending[] = [];
  private inFlight = 0;
  private readonly batchSize;
  private readonly commitMs;

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly metering: MeteringService,
    private readonly leases: QuotaLeases,
    private readonly alerts: BudgetAlertService,
    private readonly idempotency: IdempotencyStore,
    metrics: MetricsService,
  ) {
    this.batchSize = metrics.histogram(
      'ledger_batch_size',
      'Predictions committed per ledger batch',
      [],
      [1, 2, 5, 10, 20, 50, 100, 200, 500],
    );
    this.commitMs = metrics.histogram(
      'ledger_commit_ms',
      'Ledger batch commit time (ms)',
      [],
      [1, 2, 5, 10, 20, 50, 100, 250, 1000],
    );
  }

  /** Resolves once the entry's batch has committed; rejects if that batch failed (nothing of it was written). */
  write(entry: LedgerEntry): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.config.LEDGER_MAX_IN_FLIGHT && this.pending.length > 0) {
      const batch = this.pending.splice(0, this.config.LEDGER_MAX_BATCH);
      this.inFlight++;
      void this.commit(batch).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    const started = performance.now();
    const entries = batch.map((p) => p.entry);
    const settlements = entries.flatMap((e) => (e.quota ? [e.quota] : []));
    try {
      const fired = await this.withDeadlockRetry(() =>
        this.prisma.$transaction(
          async (tx) => {
            await this.audit.appendBatch(
              tx,
              entries.map((e) => ({ tenantId: e.tenantId, entry: e.audit })),
            );
            await this.metering.recordBatch(
              tx,
              entries.flatMap((e) => (e.usage ? [e.usage] : [])),
            );
            const crossed = await this.leases.settleBatch(tx, settlements);
            await this.idempotency.completeBatch(
              tx,
              entries.flatMap((e) => (e.idempotency ? [{ tenantId: e.tenantId, ...e.idempotency }] : [])),
            );
            return crossed;
          },
          { maxWait: 10_000, timeout: 30_000 },
        ),
      );
      this.afterCommit(settlements, fired);
      this.batchSize.observe(batch.length);
      this.commitMs.observe(performance.now() - started);
      for (const p of batch) p.resolve();
    } catch (e) {
      this.log.error(`ledger batch of ${batch.length} failed: ${(e as Error).message}`);
      for (const p of batch) p.reject(e);
    }
  }

  private afterCommit(settlements: QuotaSettlement[], fired: Map<string, number[]>): void {
    this.leases.afterCommit(settlements);
    for (const [tenantId, thresholds] of fired)
      this.alerts.report(
        tenantId,
        thresholds.map((threshold) => ({ threshold })),
      );
  }

  /** Two batches locking the same heads cannot deadlock (tenant order), but other writers may: one retry. */
  private async withDeadlockRetry<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (!/deadlock|40P01/i.test(String((e as Error).message))) throw e;
      this.log.warn('ledger batch hit a deadlock; retrying once');
      return fn();
    }
  }
}
