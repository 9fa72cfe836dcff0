import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { newId } from '@app/common';
import { Prisma } from '@app/db';
import { AuditHashInput, GENESIS_HASH, auditHashBody } from './audit-hash';
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
 * An audit append as data-modifying CTEs, for a caller that commits its own change and the
 * audit event in ONE statement (no interactive transaction, so no lock held across round trips).
 * CTE names: audit_head, audit_ev, audit_ins, audit_moved; the caller's own CTEs must not reuse them.
 */
export interface AuditAppendCte {
  id: string;
  /** The CTE list, to place after `WITH` (and a comma after the caller's CTEs). */
  ctes: Prisma.Sql;
  /** SQL condition: the event was appended (false when `onlyIf` was false or the tenant has no chain head yet). */
  appended: Prisma.Sql;
  /** SQL scalar: the appended event's seq, or NULL. */
  seq: Prisma.Sql;
}

/**
 * Appends to a tenant's hash chain. Always call it with the transaction of the change being
 * recorded, so the change and its record commit or vanish together (or fold appendCte into the
 * change's own statement). The chain head row is locked for the rest of that transaction:
 * concurrent writers of one tenant queue up there and can never fork the chain or leave a gap
 * in `seq`.
 */
@Injectable()
export class AuditService {
  /** Tenants whose chain head exists (heads are never deleted): appendBatch skips creating them. */
  private readonly knownChains = new Set<string>();

  async append(tx: RawSql, tenantId: string, entry: AuditEntry): Promise<{ id: string; seq: bigint; hash: string }> {
    const cte = this.appendCte(tenantId, entry);
    for (let attempt = 0; attempt < 2; attempt++) {
      const rows = await tx.$queryRaw<
        { seq: bigint; hash: string }[]
      >`WITH ${cte.ctes} SELECT seq, hash FROM audit_moved`;
      if (rows[0]) return { id: cte.id, seq: BigInt(rows[0].seq), hash: rows[0].hash };
      // The tenant's first event: create its head, then append.
      await this.createChain(tx, tenantId);
    }
    throw new Error(`audit chain head for tenant ${tenantId} could not be created`);
  }

  /**
   * The chained append as CTEs: lock the head (FOR UPDATE: a concurrent writer's committed head
   * is re-read, not the statement's snapshot), insert the event with seq + 1 and the hash
   * PostgreSQL finishes from hashTemplate, move the head. `onlyIf` (an SQL condition over the
   * caller's CTEs) decides whether anything is appended. Appends nothing when the tenant has no
   * chain head: call createChain, then retry (as append does).
   */
  appendCte(tenantId: string, entry: AuditEntry, options: { onlyIf?: Prisma.Sql } = {}): AuditAppendCte {
    const occurredAt = new Date();
    const metadata = redactSecrets(entry.metadata ?? {}) as Record<string, unknown>;
    const id = newId('aud');
    const event = {
      id,
      tenantId,
      occurredAt,
      actorType: entry.actor.type,
      actorId: entry.actor.id,
      action: entry.action,
      targetType: entry.target?.type ?? null,
      targetId: entry.target?.id ?? null,
      requestId: entry.requestId ?? null,
      metadata,
    };
    // The canonical text around the two values only the locked head knows (seq and prevHash):
    // PostgreSQL's sha256() finishes the hash, so taking the head, inserting the event and moving
    // the head is one statement. Concurrent writers of a tenant queue on the head row lock, held
    // to commit; one statement instead of three round trips shortens that queue.
    const [beforePrev, betweenPrevAndSeq, afterSeq] = hashTemplate(event);
    const onlyIf = options.onlyIf ?? Prisma.sql`TRUE`;
    const ctes = Prisma.sql`audit_head AS (
          SELECT "lastSeq" + 1 AS seq, "lastHash" AS prev FROM audit_chain_heads WHERE "tenantId" = ${tenantId} AND (${onlyIf}) FOR UPDATE
        ), audit_ev AS (
          SELECT seq, prev, encode(sha256(convert_to(${beforePrev} || prev || ${betweenPrevAndSeq} || seq::text || ${afterSeq}, 'UTF8')), 'hex') AS hash FROM audit_head
        ), audit_ins AS (
          INSERT INTO audit_events (id, "tenantId", seq, "occurredAt", "actorType", "actorId", action, "targetType", "targetId", "requestId", metadata, "prevHash", hash)
          SELECT ${id}, ${tenantId}, seq, ${occurredAt}, ${event.actorType}, ${event.actorId}, ${event.action}, ${event.targetType}, ${event.targetId}, ${event.requestId}, ${canonicalJson(metadata)}::jsonb, prev, hash FROM audit_ev
          RETURNING seq, hash
        ), audit_moved AS (
          UPDATE audit_chain_heads h SET "lastSeq" = audit_ins.seq, "lastHash" = audit_ins.hash, "updatedAt" = now()
          FROM audit_ins WHERE h."tenantId" = ${tenantId}
          RETURNING audit_ins.seq, audit_ins.hash
        )`;
    return {
      id,
      ctes,
      appended: Prisma.sql`EXISTS (SELECT 1 FROM audit_moved)`,
      seq: Prisma.sql`(SELECT seq FROM audit_moved)`,
    };
  }

  /**
   * Appends many events, of any number of tenants, in ONE statement inside the caller's
   * transaction (the ledger's batch): each tenant's head is locked (in tenant order) and read,
   * the events' hashes are chained in PostgreSQL from their canonical text around seq and
   * prevHash (hashTemplate, as appendCte does for one event), every event goes in one INSERT and
   * each head moves once. Single appends of the same tenants queue on the same head locks, so
   * seq stays gap-free whichever writer comes first. A tenant's first event creates its head first.
   */
  async appendBatch(tx: RawSql, items: readonly { tenantId: string; entry: AuditEntry }[]): Promise<void> {
    if (items.length === 0) return;
    const tenants = [...new Set(items.map((i) => i.tenantId))].sort();
    const unknown = tenants.filter((t) => !this.knownChains.has(t));
    if (unknown.length) {
      await tx.$queryRaw`
        INSERT INTO audit_chain_heads ("tenantId", "lastSeq", "lastHash", "updatedAt")
        SELECT t, 0, ${GENESIS_HASH}, now() FROM unnest(${unknown}::text[]) AS t ON CONFLICT ("tenantId") DO NOTHING`;
    }
    const occurredAt = new Date();
    const position = new Map<string, number>();
    const rows = items.map(({ tenantId, entry }) => {
      const i = (position.get(tenantId) ?? 0) + 1;
      position.set(tenantId, i);
      const event = {
        id: newId('aud'),
        tenantId,
        occurredAt,
        actorType: entry.actor.type,
        actorId: entry.actor.id,
        action: entry.action,
        targetType: entry.target?.type ?? null,
        targetId: entry.target?.id ?? null,
        requestId: entry.requestId ?? null,
        metadata: redactSecrets(entry.metadata ?? {}) as Record<string, unknown>,
      };
      return { ...event, i, template: hashTemplate(event) };
    });
    const col = <T>(f: (r: (typeof rows)[number]) => T): T[] => rows.map(f);
    const [done] = await tx.$queryRaw<{ inserted: number; moved: number }[]>`
      WITH RECURSIVE ev AS (
        SELECT * FROM unnest(${col((r) => r.tenantId)}::text[], ${col((r) => r.i)}::int[], ${col((r) => r.id)}::text[],
          ${col((r) => r.template[0])}::text[], ${col((r) => r.template[1])}::text[], ${col((r) => r.template[2])}::text[],
          ${col((r) => r.actorType)}::text[], ${col((r) => r.actorId)}::text[], ${col((r) => r.action)}::text[],
          ${col((r) => r.targetType)}::text[], ${col((r) => r.targetId)}::text[], ${col((r) => r.requestId)}::text[],
          ${col((r) => canonicalJson(r.metadata))}::text[])
          AS ev(tid, i, id, a, b, c, at, aid, action, tt, target, rid, meta)
      ), heads AS (
        SELECT "tenantId" AS tid, "lastSeq" AS seq, "lastHash" AS hash FROM audit_chain_heads
        WHERE "tenantId" = ANY(${tenants}::text[]) ORDER BY "tenantId" FOR UPDATE
      ), chain AS (
        SELECT tid, 0 AS i, seq, hash, NULL::text AS prev FROM heads
        UNION ALL
        SELECT c.tid, c.i + 1, c.seq + 1, encode(sha256(convert_to(e.a || c.hash || e.b || (c.seq + 1)::text || e.c, 'UTF8')), 'hex'), c.hash
        FROM chain c JOIN ev e ON e.tid = c.tid AND e.i = c.i + 1
      ), ins AS (
        INSERT INTO audit_events (id, "tenantId", seq, "occurredAt", "actorType", "actorId", action, "targetType", "targetId", "requestId", metadata, "prevHash", hash)
        SELECT e.id, e.tid, c.seq, ${occurredAt}::timestamp(3), e.at, e.aid, e.action, e.tt, e.target, e.rid, e.meta::jsonb, c.prev, c.hash
        FROM chain c JOIN ev e ON e.tid = c.tid AND e.i = c.i
        RETURNING "tenantId", seq, hash
      ), moved AS (
        UPDATE audit_chain_heads h SET "lastSeq" = last.seq, "lastHash" = last.hash, "updatedAt" = now()
        FROM (SELECT DISTINCT ON ("tenantId") "tenantId", seq, hash FROM ins ORDER BY "tenantId", seq DESC) last
        WHERE h."tenantId" = last."tenantId"
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM ins)::int AS inserted, (SELECT count(*) FROM moved)::int AS moved`;
    if (done?.inserted !== rows.length || done?.moved !== tenants.length) {
      throw new Error(`audit batch appended ${done?.inserted} of ${rows.length} events (a chain head is missing)`);
    }
    for (const t of tenants) this.knownChains.add(t);
  }

  /** Creates the tenant's chain head at the genesis hash, if it has none. */
  async createChain(db: RawSql, tenantId: string): Promise<void> {
    await db.$queryRaw`
      INSERT INTO audit_chain_heads ("tenantId", "lastSeq", "lastHash", "updatedAt")
      VALUES (${tenantId}, 0, ${GENESIS_HASH}, now()) ON CONFLICT ("tenantId") DO NOTHING`;
  }
}

/**
 * Splits the canonical JSON of an event (auditEventHash's input) around its prevHash and seq
 * values, marked by random placeholders that no content can contain by chance.
 */
export function hashTemplate(event: Omit<AuditHashInput, 'seq' | 'prevHash'>): [string, string, string] {
  const nonce = randomBytes(16).toString('hex');
  const prev = `prev-${nonce}`;
  const seq = `seq-${nonce}`;
  const text = canonicalJson(auditHashBody({ ...event, seq, prevHash: prev }));
  const [a, rest] = text.split(prev) as [string, string];
  const [b, c] = rest.split(seq) as [string, string];
  return [a, b, c];
}
