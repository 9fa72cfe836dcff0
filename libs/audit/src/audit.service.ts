import { Injectable } from '@nestjs/common';
import { newId } from '@app/common';
import { Prisma } from '@app/db';
import { GENESIS_HASH, auditEventHash } from './audit-hash';
import { redactSecrets } from './audit-redaction';
import { canonicalJson } from './canonical-json';

export type AuditActorType = 'user' | 'api_key' | 'system';

export interface AuditEntry {
  actor: { type: AuditActorType; id: string | null };
  action: string;
  target?: { type: string; id: string | null };
  requestId?: string | null;
  metadata?: Record<string, unknown>;
}

/** Anything with $queryRaw: the unscoped client, a tenant-scoped one or a transaction. */
export interface RawSql {
  $queryRaw<T = unknown>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Prisma.PrismaPromise<T>;
}

/**
 * Appends to a tenant's hash chain. Always call it with the transaction of the change being
 * recorded, so the change and its record commit or vanish together. The chain head row is
 * locked for the rest of that transaction: concurrent writers of one tenant queue up there and
 * can never fork the chain or leave a gap in `seq`.
 */
@Injectable()
export class AuditService {
  async append(tx: RawSql, tenantId: string, entry: AuditEntry): Promise<{ id: string; seq: bigint; hash: string }> {
    const heads = await tx.$queryRaw<{ lastSeq: bigint; lastHash: string }[]>`
      INSERT INTO audit_chain_heads ("tenantId", "lastSeq", "lastHash", "updatedAt")
      VALUES (${tenantId}, 0, ${GENESIS_HASH}, now())
      ON CONFLICT ("tenantId") DO UPDATE SET "updatedAt" = audit_chain_heads."updatedAt"
      RETURNING "lastSeq", "lastHash"`;
    const head = heads[0];
    const seq = BigInt(head.lastSeq) + 1n;
    // Millisecond precision: what PostgreSQL's timestamp(3) keeps is exactly what was hashed.
    const occurredAt = new Date();
    const metadata = redactSecrets(entry.metadata ?? {}) as Record<string, unknown>;
    const id = newId('aud');
    const event = {
      id,
      tenantId,
      seq,
      occurredAt,
      actorType: entry.actor.type,
      actorId: entry.actor.id,
      action: entry.action,
      targetType: entry.target?.type ?? null,
      targetId: entry.target?.id ?? null,
      requestId: entry.requestId ?? null,
      metadata,
      prevHash: head.lastHash,
    };
    const hash = auditEventHash(event);
    // One round trip for the row and the head move: the head is already locked by this transaction.
    await tx.$queryRaw`
      WITH inserted AS (
        INSERT INTO audit_events (id, "tenantId", seq, "occurredAt", "actorType", "actorId", action, "targetType", "targetId", "requestId", metadata, "prevHash", hash)
        VALUES (${id}, ${tenantId}, ${seq}, ${occurredAt}, ${event.actorType}, ${event.actorId}, ${event.action}, ${event.targetType}, ${event.targetId}, ${event.requestId}, ${canonicalJson(metadata)}::jsonb, ${event.prevHash}, ${hash})
        RETURNING seq
      )
      UPDATE audit_chain_heads SET "lastSeq" = (SELECT seq FROM inserted), "lastHash" = ${hash}, "updatedAt" = now() WHERE "tenantId" = ${tenantId}`;
    return { id, seq, hash };
  }
}
