import type { Prisma } from '@app/db';

/** A client or an open transaction: the verifier also runs inside a caller's transaction. */
export type AuditDb = Pick<
  Prisma.TransactionClient,
  'auditEvent' | 'auditChainHead' | 'auditExport' | 'tenant' | '$executeRaw' | '$queryRaw'
>;

export interface TimeRange {
  from?: Date | null;
  to?: Date | null;
}

/**
 * Reads of one tenant's audit tables for verification, export and purge. These run on the
 * unscoped client (the CLI and the purge have no request tenant, and the tamper tests pass a
 * superuser transaction), so every query here carries `tenantId` explicitly: keep it so.
 */
export class AuditEventRepository {
  constructor(private readonly db: AuditDb) {}

  head(tenantId: string) {
    return this.db.auditChainHead.findUnique({ where: { tenantId } });
  }

  /** The export up to which the chain was purged: verification starts from its signed lastHash. */
  anchor(tenantId: string) {
    return this.db.auditExport.findFirst({ where: { tenantId, purgedAt: { not: null } }, orderBy: { toSeq: 'desc' } });
  }

  /** The audit.purge event that moved the anchor to `throughSeq`: a real purge always leaves one. */
  purgeRecord(tenantId: string, throughSeq: bigint) {
    return this.db.auditEvent.findFirst({
      where: {
        tenantId,
        action: 'audit.purge',
        seq: { gt: throughSeq },
        metadata: { path: ['throughSeq'], equals: throughSeq.toString() },
      },
      select: { seq: true },
    });
  }

  /** Exports whose range is still in the table: their hashes are checkpoints. */
  liveExports(tenantId: string, afterSeq: bigint) {
    return this.db.auditExport.findMany({
      where: { tenantId, purgedAt: null, toSeq: { gt: afterSeq } },
      orderBy: { toSeq: 'asc' },
    });
  }

  page(tenantId: string, afterSeq: bigint, take: number, maxSeq?: bigint) {
    return this.db.auditEvent.findMany({
      where: { tenantId, seq: maxSeq === undefined ? { gt: afterSeq } : { gt: afterSeq, lte: maxSeq } },
      orderBy: { seq: 'asc' },
      take,
    });
  }

  firstAtOrBelow(tenantId: string, seq: bigint) {
    return this.db.auditEvent.findFirst({
      where: { tenantId, seq: { lte: seq } },
      orderBy: { seq: 'asc' },
      select: { seq: true },
    });
  }

  at(tenantId: string, seq: bigint) {
    return this.db.auditEvent.findUnique({ where: { tenantId_seq: { tenantId, seq } } });
  }

  /** The seq interval of the events in a time range, above `afterSeq`; null when none. */
  async seqRange(
    tenantId: string,
    afterSeq: bigint,
    range: TimeRange,
  ): Promise<{ lo: bigint; hi: bigint | null } | null> {
    let lo = afterSeq + 1n;
    let hi: bigint | null = null;
    if (range.from) {
      const first = await this.db.auditEvent.findFirst({
        where: { tenantId, seq: { gt: afterSeq }, occurredAt: { gte: range.from } },
        orderBy: { seq: 'asc' },
        select: { seq: true },
      });
      if (!first) return null;
      lo = first.seq;
    }
    if (range.to) {
      const last = await this.db.auditEvent.findFirst({
        where: { tenantId, seq: { gt: afterSeq }, occurredAt: { lte: range.to } },
        orderBy: { seq: 'desc' },
        select: { seq: true },
      });
      if (!last || last.seq < lo) return null;
      hi = last.seq;
    }
    return { lo, hi };
  }
}
