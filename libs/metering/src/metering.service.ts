import { Injectable } from '@nestjs/common';
import { AppError, newId } from '@app/common';
import { Prisma } from '@app/db';
import { loadMeteringConfig } from './metering.config';
import type { UsageInput } from './usage-input';
import { UsageRollupService } from './usage-rollup.service';

/** The deterministic Stripe meter-event identifier of a usage record: a retry reuses it. */
export const meterEventIdentifier = (usageRecordId: string): string => `usage_${usageRecordId}`;

/**
 * Usage records are the ledger. record() runs inside the caller's usage transaction, so the
 * record and its outbox row commit with the inference result or not at all; the hourly
 * aggregates follow from the records (UsageRollupService). Raw SQL on tenant-owned tables: every statement carries the tenant id it was given.
 */
@Injectable()
export class MeteringService {
  private readonly eventName = loadMeteringConfig().STRIPE_METER_EVENT_NAME;

  constructor(private readonly rollup: UsageRollupService) {}

  async record(tx: Prisma.TransactionClient, usage: UsageInput): Promise<{ id: string; created: boolean }> {
    if (!Number.isInteger(usage.units) || usage.units < 0) throw AppError.badInput('usage units must be a non-negative integer', { units: usage.units });
    const id = newId('usg');
    const at = usage.occurredAt ?? new Date();
    const units = BigInt(usage.units);
    const inserted = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO usage_records (id, "tenantId", "apiKeyId", "userId", "modelId", "modelVersionId", "jobId", "requestId", "idempotencyKey", units, instances, "computeMs", "batchSize", "occurredAt")
      VALUES (${id}, ${usage.tenantId}, ${usage.apiKeyId}, ${usage.userId}, ${usage.modelId}, ${usage.modelVersionId}, ${usage.jobId ?? null}, ${usage.requestId},
              ${usage.idempotencyKey}, ${units}, ${usage.instances}, ${usage.computeMs}, ${usage.batchSize}, ${at})
      ON CONFLICT ("idempotencyKey") DO NOTHING RETURNING id`;
    if (inserted.length === 0) {
      const existing = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM usage_records WHERE "idempotencyKey" = ${usage.idempotencyKey} AND "tenantId" = ${usage.tenantId}`;
      if (!existing[0]) throw AppError.conflict('idempotency key already used', 'IDEMPOTENCY_KEY_REUSED');
      return { id: existing[0].id, created: false };
    }
    // Usage of the open hours is aggregated by UsageRollupService from the ledger: incrementing
    // it here would serialize a tenant's requests on one row lock until commit. Only a record
    // dated into an hour the roll-up no longer recomputes is added here.
    if (at < this.rollup.openFrom()) {
      const hour = new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000);
      await tx.$executeRaw`
        INSERT INTO usage_hourly ("tenantId", hour, "modelId", "apiKeyId", requests, units, "computeMs")
        VALUES (${usage.tenantId}, ${hour}, ${usage.modelId}, ${usage.apiKeyId ?? ''}, 1, ${units}, ${usage.computeMs})
        ON CONFLICT ("tenantId", hour, "modelId", "apiKeyId") DO UPDATE
          SET requests = usage_hourly.requests + 1, units = usage_hourly.units + EXCLUDED.units, "computeMs" = usage_hourly."computeMs" + EXCLUDED."computeMs"`;
    }
    if (units > 0n) await this.enqueueMeterEvent(tx, usage.tenantId, id, units, at);
    return { id, created: true };
  }

  /** Billed usage only: plans with overage (no hard cap) report every unit to their Stripe meter. */
  private async enqueueMeterEvent(tx: Prisma.TransactionClient, tenantId: string, usageId: string, units: bigint, at: Date): Promise<void> {
    await tx.$executeRaw`
      INSERT INTO meter_event_outbox (id, "tenantId", identifier, "eventName", "customerId", value, timestamp)
      SELECT ${newId('obx')}, t.id, ${meterEventIdentifier(usageId)}, ${this.eventName}, t."stripeCustomerId", ${units}, ${at}
      FROM tenants t JOIN plans p ON p.id = t."planId"
      WHERE t.id = ${tenantId} AND NOT p."hardCap"`;
  }
}
