import type { AuditEvent as AuditEventRow } from '@app/db';
import { canonicalJson } from '../canonical-json';
import type { ChainEvent } from '../verify/chain-verifier';

/**
 * One line of an export: every hashed field, in canonical JSON (seq as a string, times in ISO
 * 8601 UTC with milliseconds), so a verifier recomputes each hash from the line alone.
 */
export function exportLineOf(r: AuditEventRow): string {
  return canonicalJson({
    id: r.id,
    tenantId: r.tenantId,
    seq: r.seq.toString(),
    occurredAt: r.occurredAt.toISOString(),
    actorType: r.actorType,
    actorId: r.actorId,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    requestId: r.requestId,
    metadata: r.metadata,
    prevHash: r.prevHash,
    hash: r.hash,
  });
}

/** Parses a line back into what the chain verifier checks. */
export function chainEventOfLine(line: string): ChainEvent {
  const o = JSON.parse(line) as Record<string, unknown>;
  const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : '');
  const opt = (k: string) => (o[k] === null || o[k] === undefined ? null : String(o[k]));
  if (!/^\d+$/.test(str('seq'))) throw new Error('seq missing');
  return {
    id: str('id'),
    tenantId: str('tenantId'),
    seq: BigInt(str('seq')),
    occurredAt: str('occurredAt'),
    actorType: str('actorType'),
    actorId: opt('actorId'),
    action: str('action'),
    targetType: opt('targetType'),
    targetId: opt('targetId'),
    requestId: opt('requestId'),
    metadata: o.metadata ?? {},
    prevHash: str('prevHash'),
    hash: str('hash'),
  };
}
