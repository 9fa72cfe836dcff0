import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** The hash every tenant's chain starts from. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditHashInput {
  id: string;
  tenantId: string;
  seq: bigint | number | string;
  occurredAt: Date | string;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  requestId: string | null;
  metadata: unknown;
  prevHash: string;
}

/** SHA-256 of the canonical event, previous hash included: changing any field breaks the chain. */
export function auditEventHash(e: AuditHashInput): string {
  return createHash('sha256')
    .update(canonicalJson(auditHashBody(e)))
    .digest('hex');
}

/** The object whose canonical JSON is hashed (AuditService builds the same text around seq and prevHash). */
export function auditHashBody(e: AuditHashInput): Record<string, unknown> {
  return {
    id: e.id,
    tenantId: e.tenantId,
    seq: String(e.seq),
    occurredAt: typeof e.occurredAt === 'string' ? e.occurredAt : e.occurredAt.toISOString(),
    actorType: e.actorType,
    actorId: e.actorId ?? null,
    action: e.action,
    targetType: e.targetType ?? null,
    targetId: e.targetId ?? null,
    requestId: e.requestId ?? null,
    metadata: e.metadata ?? {},
    prevHash: e.prevHash,
  };
}
