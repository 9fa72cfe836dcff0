import { Injectable } from '@nestjs/common';
import { AppError, newId } from '@app/common';
import { Prisma } from '@app/db';
import { loadMeteringConfig } from './metering.config';
import type { UsageInput } from './usage-input';
import { UsageRollupService } from './usage-rollup.service';

/** The deterministic Stripe meter-event identifier of a usage record: a retry reuses it. */
export const meterEventIdentifier = (usageRecordId: string): string => `usage_${usageRecordId}`;

/**
 * Usage records are the ledger. record() runs inside the caller's usage transaction (or
 * recordCte inside the caller's single statement), so the record and its outbox row commit with
 * the inference result or not at all; the hourly aggregates follow from the records
 * (UsageRollupService). Raw SQL on tenant-owned tables: every statement carries the tenant id it was given.
 */
@Injectable()
export class MeteringService {
  private readonly eventName = loadMeteringConfig().STRIPE_METER_EVENT_NAME;

  constructor(private readonly rollup: UsageRollupService) {}

  async record(tx: Prisma.TransactionClient, usage: UsageInput): Promise<{ id: string; created: boolean }> {
    const cte = this.recordCte(usage);
    const inserted = await tx.$queryRaw<{ id: string }[]>`WITH ${cte.ctes} SELECT id FROM usage_ins`;
    if (inserted.length === 0) return { id: await this.replayOf(tx, usage), created: false };
    return { id: cte.id, created: true };
  }

  /**
   * record() as data-modifying CTEs (usage_ins, and usage_hourly_add / usage_outbox when they
   * apply), for a caller that commits the usage with its other effects in ONE statement.
   * `onlyIf` (an SQL condition) decides whether the record is inserted at all; `created` is the
   * SQL condition "this statement inserted it" for the caller's dependent CTEs. When it was not
   * created, call replayOf (a separate statement: it must see a concurrent insert that committed
   * after this statement's snapshot).
   */
  recordCte(
    usage: UsageInput,
    options: { onlyIf?: Prisma.Sql } = {},
  ): { id: string; ctes: Prisma.Sql; created: Prisma.Sql; insertedId: Prisma.Sql } {
    if (!Number.isInteger(usage.units) || usage.units < 0)
      throw AppError.badInput('usage units must be a non-negative integer', { units: usage.units });
    const id = newId('usg');
    const at = usage.occurredAt ?? new Date();
    const units = BigInt(usage.units);
    const onlyIf = options.onlyIf ?? Prisma.sql`TRUE`;
    const ctes = [
      Prisma.sql`usage_ins AS (
        INSERT INTO usage_records (id, "tenantId", "apiKeyId", "userId", "modelId", "modelVersionId", "jobId", "requestId", "idempotencyKey", units, instances, "computeMs", "batchSize", "kind", "occurredAt")
        SELECT ${id}, ${usage.tenantId}, ${usage.apiKeyId}, ${usage.userId}, ${usage.modelId}, ${usage.modelVersionId}, ${usage.jobId ?? null}, ${usage.requestId},
               ${usage.idempotencyKey}, ${units}, ${usage.instances}, ${usage.computeMs}, ${usage.batchSize}, ${usage.kind ?? 'inference'}, ${at}
        WHERE (${onlyIf})
        ON CONFLICT ("tenantId", "idempotencyKey") DO NOTHING RETURNING id)`,
    ];
    // Usage of the open hours is aggregated by UsageRollupService from the ledger: incrementing
    // it here would serialize a tenant's requests on one row lock until commit. Only a record
    // dated into an hour the roll-up no longer recomputes is added here.
    if (at < this.rollup.openFrom()) {
      const hour = new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000);
      ctes.push(Prisma.sql`usage_hourly_add AS (
        INSERT INTO usage_hourly ("tenantId", hour, "modelId", "apiKeyId", requests, units, "computeMs")
        SELECT ${usage.tenantId}, ${hour}, ${usage.modelId}, ${usage.apiKeyId ?? ''}, 1, ${units}, ${usage.computeMs} FROM usage_ins WHERE TRUE
        ON CONFLICT ("tenantId", hour, "modelId", "apiKeyId") DO UPDATE
          SET requests = usage_hourly.requests + 1, units = usage_hourly.units + EXCLUDED.units, "computeMs" = usage_hourly."computeMs" + EXCLUDED."computeMs")`);
    }
    // Billed usage only: plans with overage (no hard cap) report every unit to their Stripe meter.
    if (units > 0n) {
      ctes.push(Prisma.sql`usage_outbox AS (
        INSERT INTO meter_event_outbox (id, "tenantId", identifier, "eventName", "customerId", value, timestamp)
        SELECT ${newId('obx')}, t.id, ${meterEventIdentifier(id)}, ${this.eventName}, t."stripeCustomerId", ${units}, ${at}
        FROM usage_ins, tenants t JOIN plans p ON p.id = t."planId"
        WHERE t.id = ${usage.tenantId} AND NOT p."hardCap")`);
    }
    return {
      id,
      ctes: Prisma.join(ctes, ', '),
      created: Prisma.sql`EXISTS (SELECT 1 FROM usage_ins)`,
      insertedId: Prisma.sql`(SELECT id FROM usage_ins)`,
    };
  }

  /**
   * Many predictions' usage in one statement, inside the ledger's batch transaction: the records,
   * and the Stripe outbox rows of tenants whose plan bills overage. Records are new (server-made
   * ids and keys), so there is no conflict to resolve; a duplicate key fails the whole batch.
   * Records are always dated now: the open hours' aggregates follow from them (UsageRollupService).
   */
  async recordBatch(
    tx: Pick<Prisma.TransactionClient, '$executeRaw'>,
    usages: readonly UsageInput[],
  ): Promise<string[]> {
    if (usages.length === 0) return [];
    for (const u of usages) {
      if (!Number.isInteger(u.units) || u.units < 0)
        throw AppError.badInput('usage units must be a non-negative integer', { units: u.units });
    }
    const ids = usages.map(() => newId('usg'));
    const at = new Date();
    const col = <T>(f: (u: UsageInput) => T): T[] => usages.map(f);
    await tx.$executeRaw`
      WITH ins AS (
        INSERT INTO usage_records (id, "tenantId", "apiKeyId", "userId", "modelId", "modelVersionId", "jobId", "requestId", "idempotencyKey", units, instances, "computeMs", "batchSize", "occurredAt")
        SELECT r.*, ${at}::timestamp(3) FROM unnest(
          ${ids}::text[], ${col((u) => u.tenantId)}::text[], ${col((u) => u.apiKeyId)}::text[], ${col((u) => u.userId)}::text[],
          ${col((u) => u.modelId)}::text[], ${col((u) => u.modelVersionId)}::text[], ${col((u) => u.jobId ?? null)}::text[],
          ${col((u) => u.requestId)}::text[], ${col((u) => u.idempotencyKey)}::text[], ${col((u) => u.units)}::bigint[],
          ${col((u) => u.instances)}::int[], ${col((u) => u.computeMs)}::float8[], ${col((u) => u.batchSize)}::int[]
        ) AS r RETURNING id, "tenantId", units)
      INSERT INTO meter_event_outbox (id, "tenantId", identifier, "eventName", "customerId", value, timestamp)
      SELECT 'obx_' || ins.id, t.id, 'usage_' || ins.id, ${this.eventName}, t."stripeCustomerId", ins.units, ${at}::timestamp(3)
      FROM ins JOIN tenants t ON t.id = ins."tenantId" JOIN plans p ON p.id = t."planId"
      WHERE ins.units > 0 AND NOT p."hardCap"`;
    return ids;
  }

  /**
   * The record an idempotency key already has for this tenant (a replay). The key of another
   * tenant's record is a CONFLICT.
   */
  async replayOf(
    db: Pick<Prisma.TransactionClient, '$queryRaw'>,
    usage: Pick<UsageInput, 'tenantId' | 'idempotencyKey'>,
  ): Promise<string> {
    const existing = await db.$queryRaw<
      { id: string }[]
    >`SELECT id FROM usage_records WHERE "idempotencyKey" = ${usage.idempotencyKey} AND "tenantId" = ${usage.tenantId}`;
    if (!existing[0]) throw AppError.conflict('idempotency key already used', 'IDEMPOTENCY_KEY_REUSED');
    return existing[0].id;
  }
}
