import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AppError } from '@app/common';
import { Prisma, PrismaService } from '@app/db';

const KEEP_MS = 24 * 60 * 60 * 1000;
/** A claim not completed by then is taken to be a crashed holder's: a retry may run it again. */
const LOCK_MS = 60_000;
/** How long a retry waits for the first call still running before answering IDEMPOTENCY_KEY_IN_USE. */
const WAIT_MS = 5_000;
const POLL_MS = 20;
const SWEEP_EVERY_MS = 10 * 60_000;

/** What claim() decided: run the call (and complete the key in its ledger entry), or replay a stored answer. */
export type IdempotencyClaim = { kind: 'run' } | { kind: 'replay'; response: unknown };

/** `Idempotency-Key: <8-255 printable characters>` (CONTRACT.md). */
export function parseIdempotencyKey(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const key = Array.isArray(value) ? value[0] : value;
  if (typeof key !== 'string' || key.length < 8 || key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
    throw AppError.badInput(
      'Idempotency-Key must be 8 to 255 printable ASCII characters',
      undefined,
      'INVALID_IDEMPOTENCY_KEY',
    );
  }
  return key;
}

/**
 * Idempotency-Key as Stripe has it, scoped to the tenant and kept 24 h. The first call claims
 * the key with its request hash; its answer is stored by the ledger in the same batch as its
 * usage and audit, so a replay can never show an answer that was not billed, nor bill twice.
 * A failed call releases its claim (a failure leaves no trace but its error and audit record).
 */
@Injectable()
export class IdempotencyStore implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger('Idempotency');
  private sweeper?: NodeJS.Timeout;

  constructor(private readonly prisma: PrismaService) {}

  onModuleInit(): void {
    this.sweeper = setInterval(
      () => void this.sweep().catch((e) => this.log.warn(`sweep failed: ${e.message}`)),
      SWEEP_EVERY_MS,
    );
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  async claim(tenantId: string, key: string, requestHash: string): Promise<IdempotencyClaim> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const now = new Date();
      // New key, an expired one, or a crashed holder's claim of the same request: ours.
      const claimed = await this.prisma.$queryRaw<{ key: string }[]>`
        INSERT INTO idempotency_keys ("tenantId", key, "requestHash", "lockedUntil", "expiresAt")
        VALUES (${tenantId}, ${key}, ${requestHash}, ${new Date(now.getTime() + LOCK_MS)}, ${new Date(now.getTime() + KEEP_MS)})
        ON CONFLICT ("tenantId", key) DO UPDATE
          SET "requestHash" = EXCLUDED."requestHash", response = NULL, "lockedUntil" = EXCLUDED."lockedUntil",
              "expiresAt" = EXCLUDED."expiresAt", "createdAt" = now()
          WHERE idempotency_keys."expiresAt" < ${now}
             OR (idempotency_keys.response IS NULL AND idempotency_keys."lockedUntil" < ${now}
                 AND idempotency_keys."requestHash" = EXCLUDED."requestHash")
        RETURNING key`;
      if (claimed.length) return { kind: 'run' };
      const [row] = await this.prisma.$queryRaw<{ requestHash: string; response: unknown }[]>`
        SELECT "requestHash", response FROM idempotency_keys WHERE "tenantId" = ${tenantId} AND key = ${key}`;
      if (!row) continue; // released in between: claim again
      if (row.requestHash !== requestHash) {
        throw AppError.conflict('this Idempotency-Key was used with another request body', 'IDEMPOTENCY_KEY_REUSED');
      }
      if (row.response !== null) return { kind: 'replay', response: row.response };
      if (Date.now() >= deadline) {
        throw AppError.conflict(
          'a request with this Idempotency-Key is still running; retry later',
          'IDEMPOTENCY_KEY_IN_USE',
        );
      }
      await sleep(POLL_MS);
    }
  }

  /** The first call failed: forget the claim so that a retry runs. */
  async release(tenantId: string, key: string): Promise<void> {
    await this.prisma
      .$executeRaw`DELETE FROM idempotency_keys WHERE "tenantId" = ${tenantId} AND key = ${key} AND response IS NULL`;
  }

  /** In the ledger's batch: the answers of the calls that claimed their keys. */
  async completeBatch(
    tx: Prisma.TransactionClient,
    rows: readonly { tenantId: string; key: string; response: unknown }[],
  ): Promise<void> {
    if (rows.length === 0) return;
    await tx.$executeRaw`
      UPDATE idempotency_keys k SET response = r.response::jsonb
      FROM unnest(${rows.map((r) => r.tenantId)}::text[], ${rows.map((r) => r.key)}::text[], ${rows.map((r) => JSON.stringify(r.response))}::text[])
        AS r(tid, key, response)
      WHERE k."tenantId" = r.tid AND k.key = r.key`;
  }

  async sweep(now = new Date()): Promise<number> {
    return this.prisma.$executeRaw`DELETE FROM idempotency_keys WHERE "expiresAt" < ${now}`;
  }
}
