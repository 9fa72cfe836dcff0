import type { Prisma } from '@app/db';

/** QuotaService's reservation (libs/quotas), stored with the job between submit and finish. */
export interface JobQuotaReservation {
  id: string;
  tenantId: string;
  periodStart: Date;
  periodEnd: Date;
  units: number;
}

/** What the job path needs from quotas (bound to QuotaService in JobsModule). */
export interface JobQuotaPort {
  reserve(tenantId: string, units: number, options?: { ttlMs?: number }): Promise<JobQuotaReservation>;
  settle(tx: Prisma.TransactionClient, reservation: JobQuotaReservation, actualUnits: number): Promise<void>;
  release(reservation: JobQuotaReservation): Promise<void>;
}

export interface JobUsage {
  tenantId: string;
  apiKeyId: string | null;
  userId: string | null;
  modelId: string;
  modelVersionId: string;
  jobId: string;
  requestId: string | null;
  idempotencyKey: string;
  units: number;
  instances: number;
  computeMs: number;
  batchSize: number;
}

/** What the job path needs from metering (MeteringService.record, idempotent on the key). */
export interface JobMeteringPort {
  record(tx: Prisma.TransactionClient, usage: JobUsage): Promise<{ id: string; created: boolean }>;
}

export const JOB_QUOTA = Symbol('JOB_QUOTA');
export const JOB_METERING = Symbol('JOB_METERING');

/** A reservation read back from the job row's JSON (dates come back as strings). */
export function reservationFromJson(value: unknown): JobQuotaReservation | null {
  if (!value || typeof value !== 'object') return null;
  const r = value as Record<string, unknown>;
  return {
    id: String(r.id),
    tenantId: String(r.tenantId),
    periodStart: new Date(String(r.periodStart)),
    periodEnd: new Date(String(r.periodEnd)),
    units: Number(r.units),
  };
}
