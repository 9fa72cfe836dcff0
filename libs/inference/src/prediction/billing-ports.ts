/**
 * What prediction needs from quotas and metering (libs/quotas, libs/metering), as ports so the
 * prediction path compiles and is tested on its own; PredictionModule binds them to the real
 * QuotaService and MeteringService.
 */
export type QuotaReservationRef = unknown;

export interface QuotaPort {
  /** Holds `units` of the tenant's quota; throws QUOTA_EXCEEDED (with retryAfter) when out. */
  reserve(tenantId: string, units: number): Promise<QuotaReservationRef>;
  /** Turns a reservation into `actualUnits` used, inside the usage transaction. */
  settle(tx: unknown, reservation: QuotaReservationRef, actualUnits: number): Promise<unknown>;
  /** Gives a reservation back (the inference failed: nothing is billed). */
  release(reservation: QuotaReservationRef): Promise<unknown>;
}

export interface UsageInput {
  tenantId: string;
  apiKeyId: string | null;
  userId: string | null;
  modelId: string;
  modelVersionId: string;
  jobId?: string | null;
  requestId: string;
  idempotencyKey: string;
  units: number;
  instances: number;
  computeMs: number;
  batchSize: number;
}

export interface MeteringPort {
  /** Writes one usage record; `created: false` when its idempotency key was already recorded. */
  record(tx: unknown, usage: UsageInput): Promise<{ id: string; created: boolean }>;
}

export const QUOTA_PORT = Symbol('QUOTA_PORT');
export const METERING_PORT = Symbol('METERING_PORT');
