import type { RateLimitDecision } from '../rate-limit';

/** What one request asks to be admitted for. `slot` only for predictions (concurrency limit). */
export interface AdmissionRequest {
  tenantId: string;
  /** The caller within the tenant: `key:<id>` or `user:<id>`. */
  who: string;
  perCaller: number;
  perTenant: number;
  windowMs: number;
  slot?: { max: number; ttlMs: number };
}

export type AdmissionVerdict = 'admitted' | 'caller_limited' | 'tenant_limited' | 'no_slot';

export interface AdmissionDecision {
  verdict: AdmissionVerdict;
  /** The rate-limit headers' view: the tighter window, or the refusing one. */
  rate: RateLimitDecision;
  /** Present when a slot was taken: hand it back with release(). */
  slot?: { key: string; id: string; store: 'redis' | 'memory' };
}

/** One decision per request: both sliding windows and the slot, counted only if all admit. */
export interface Admission {
  admit(request: AdmissionRequest): Promise<AdmissionDecision>;
  release(slot: NonNullable<AdmissionDecision['slot']>): Promise<void>;
}

/** Keys share the tenant's hash tag (one Redis Cluster slot). */
export const admissionKeys = (prefix: string, r: Pick<AdmissionRequest, 'tenantId' | 'who'>) => {
  const base = `${prefix}{t:${r.tenantId}}`;
  return { who: `${base}:${r.who}`, tenant: `${base}:all`, slots: `${base}:slots` };
};
