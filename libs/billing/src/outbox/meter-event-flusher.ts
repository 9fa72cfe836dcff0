import { Logger } from '@nestjs/common';
import type { MetricsService } from '@app/common';
import type { PrismaClient } from '@app/db';
import type { BillingConfig } from '../billing.config';
import type { StripeClient } from '../stripe/stripe-client';
import { sendMeterEvent, type OutboxRow } from './meter-event-sender';

export type FlusherOptions = Pick<
  BillingConfig,
  | 'METER_FLUSH_INTERVAL_MS'
  | 'METER_FLUSH_BATCH_SIZE'
  | 'METER_FLUSH_CONCURRENCY'
  | 'METER_MAX_ATTEMPTS'
  | 'METER_BACKOFF_BASE_MS'
  | 'METER_BACKOFF_MAX_MS'
  | 'METER_CLAIM_MS'
>;

export interface FlushResult {
  claimed: number;
  sent: number;
  duplicates: number;
  failed: number;
  dead: number;
}

type Db = Pick<PrismaClient, '$queryRaw' | '$executeRaw'>;

/**
 * Sends the meter-event outbox to Stripe. Exactly once, by construction:
 * 1. claim: one UPDATE takes a batch of due PENDING rows (SKIP LOCKED, so flushers on several
 *    workers never take the same row), counts the attempt and pushes nextAttemptAt past a
 *    claim window. A flusher killed mid-send leaves its rows to be re-claimed after the window.
 * 2. send each with its deterministic identifier; Stripe refuses a duplicate identifier, which
 *    we read as "sent". So a resend after a crash or a lost reply never bills twice.
 * 3. mark SENT, or schedule a retry with exponential backoff (honouring Retry-After), or after
 *    METER_MAX_ATTEMPTS mark DEAD: dead rows are counted in the `meter_events_dead` gauge and
 *    listed by `node dist/libs/billing/src/cli/meter-dead-letters.js`.
 * The worker calls start()/stop(); flushOnce() is for tests and one-shot runs.
 */
export class MeterEventFlusher {
  private readonly log = new Logger('MeterEventFlusher');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = true;

  constructor(
    private readonly db: Db,
    private readonly stripe: StripeClient,
    private readonly options: FlusherOptions,
    private readonly metrics?: MetricsService,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = async () => {
      let delay = this.options.METER_FLUSH_INTERVAL_MS;
      try {
        const r = await (this.running = this.flushOnce());
        // A full batch means more is waiting: go again at once. All failing: Stripe is down, wait longer.
        if (r.claimed === this.options.METER_FLUSH_BATCH_SIZE && r.failed === 0) delay = 0;
        else if (r.claimed > 0 && r.failed === r.claimed)
          delay = Math.min(delay * 4, this.options.METER_BACKOFF_MAX_MS);
      } catch (e) {
        this.log.warn(`flush failed: ${(e as Error).message}`);
      }
      if (!this.stopped) this.timer = setTimeout(() => void loop(), delay);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  async flushOnce(): Promise<FlushResult> {
    const rows = await this.claim();
    const result: FlushResult = { claimed: rows.length, sent: 0, duplicates: 0, failed: 0, dead: 0 };
    const queue = [...rows];
    const workers = Array.from({ length: Math.min(this.options.METER_FLUSH_CONCURRENCY, queue.length) }, async () => {
      for (let row = queue.shift(); row; row = queue.shift()) await this.deliver(row, result);
    });
    await Promise.all(workers);
    await this.refreshDeadGauge();
    return result;
  }

  private async claim(): Promise<OutboxRow[]> {
    // The outbox spans all tenants by design: this is the one cross-tenant reader, in the worker.
    return this.db.$queryRaw<OutboxRow[]>`
      UPDATE meter_event_outbox o
      SET attempts = o.attempts + 1, "nextAttemptAt" = now() + make_interval(secs => ${this.options.METER_CLAIM_MS / 1000})
      FROM (SELECT id FROM meter_event_outbox WHERE status = 'PENDING' AND "nextAttemptAt" <= now()
            ORDER BY "nextAttemptAt" LIMIT ${this.options.METER_FLUSH_BATCH_SIZE} FOR UPDATE SKIP LOCKED) due
      WHERE o.id = due.id
      RETURNING o.id, o."tenantId", o.identifier, o."eventName", o."customerId", o.value, o.timestamp, o.attempts`;
  }

  private async deliver(row: OutboxRow, result: FlushResult): Promise<void> {
    const customerId = row.customerId ?? (await this.customerOf(row.tenantId));
    const outcome = customerId
      ? await sendMeterEvent(this.stripe, row, customerId)
      : { ok: false as const, error: 'tenant has no Stripe customer' };
    if (outcome.ok) {
      await this.db
        .$executeRaw`UPDATE meter_event_outbox SET status = 'SENT', "sentAt" = now(), "lastError" = NULL WHERE id = ${row.id} AND status = 'PENDING'`;
      result.sent++;
      if (outcome.duplicate) result.duplicates++;
      this.metrics
        ?.counter(
          'meter_events_sent_total',
          'Meter events accepted by Stripe (duplicate: accepted by an earlier attempt)',
          ['duplicate'],
        )
        .inc({ duplicate: String(outcome.duplicate) });
      return;
    }
    result.failed++;
    this.metrics?.counter('meter_event_failures_total', 'Failed meter-event sends', []).inc();
    if (row.attempts >= this.options.METER_MAX_ATTEMPTS) {
      result.dead++;
      this.log.error(`meter event ${row.identifier} dead after ${row.attempts} attempts: ${outcome.error}`);
      await this.db
        .$executeRaw`UPDATE meter_event_outbox SET status = 'DEAD', "lastError" = ${outcome.error} WHERE id = ${row.id} AND status = 'PENDING'`;
      return;
    }
    const backoff = Math.min(
      this.options.METER_BACKOFF_BASE_MS * 2 ** (row.attempts - 1),
      this.options.METER_BACKOFF_MAX_MS,
    );
    const delayMs = Math.max(outcome.retryAfterMs ?? 0, Math.round(backoff * (0.5 + Math.random() / 2)));
    await this.db.$executeRaw`
      UPDATE meter_event_outbox SET "lastError" = ${outcome.error}, "nextAttemptAt" = now() + make_interval(secs => ${delayMs / 1000})
      WHERE id = ${row.id} AND status = 'PENDING'`;
  }

  private async customerOf(tenantId: string): Promise<string | null> {
    const rows = await this.db.$queryRaw<
      { stripeCustomerId: string | null }[]
    >`SELECT "stripeCustomerId" FROM tenants WHERE id = ${tenantId}`;
    return rows[0]?.stripeCustomerId ?? null;
  }

  private async refreshDeadGauge(): Promise<void> {
    if (!this.metrics) return;
    const [{ n }] = await this.db.$queryRaw<
      { n: bigint }[]
    >`SELECT count(*) AS n FROM meter_event_outbox WHERE status = 'DEAD'`;
    this.metrics
      .gauge('meter_events_dead', 'Meter events that exhausted their attempts: see the meter-dead-letters CLI', [])
      .set(Number(n));
  }
}
