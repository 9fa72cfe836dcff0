import type { AuditEntry } from '@app/audit';
import type { UsageInput } from '@app/metering';
import type { QuotaSettlement } from '@app/quotas';

/**
 * Every effect of one model run, written together by the ledger: an answered prediction has its
 * usage record (and Stripe outbox row), audit event, quota settlement and, with an
 * Idempotency-Key, its stored answer; a failed one only its audit event.
 */
export interface LedgerEntry {
  tenantId: string;
  audit: AuditEntry;
  usage?: UsageInput;
  quota?: QuotaSettlement;
  idempotency?: { key: string; response: unknown };
}
