import { Injectable } from '@nestjs/common';
import { Prisma, TenantPrisma } from '@app/db';
import type { AuditEvent as AuditEventRow } from '@app/db';
import { AuditError, AuditErrorReason } from '../audit.error';
import type { AuditEvent, AuditEventConnection } from '../dto/audit-event.type';
import type { AuditEventFilter } from '../dto/audit-event-filter.input';
import { checkTimeRange } from './time-range';

const MAX_PAGE = 100;

/** Lists a tenant's events, newest first, through the tenant-scoped client. */
@Injectable()
export class AuditQueryService {
  constructor(private readonly tenants: TenantPrisma) {}

  async list(
    tenantId: string,
    filter: AuditEventFilter = {},
    first = 20,
    after?: string | null,
  ): Promise<AuditEventConnection> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE)
      throw AuditError.invalid(AuditErrorReason.INVALID_PAGE_SIZE, `first must be between 1 and ${MAX_PAGE}`, 'first');
    checkTimeRange(filter);
    const before = after ? decodeCursor(after) : null;
    const where: Prisma.AuditEventWhereInput = {
      ...(filter.actorType ? { actorType: filter.actorType } : {}),
      ...(filter.actorId ? { actorId: filter.actorId } : {}),
      ...(filter.action
        ? filter.action.endsWith('.*')
          ? { action: { startsWith: filter.action.slice(0, -1) } }
          : { action: filter.action }
        : {}),
      ...(filter.targetType ? { targetType: filter.targetType } : {}),
      ...(filter.targetId ? { targetId: filter.targetId } : {}),
      ...(filter.requestId ? { requestId: filter.requestId } : {}),
      ...(filter.from || filter.to
        ? { occurredAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lte: filter.to } : {}) } }
        : {}),
      ...(before !== null ? { seq: { lt: before } } : {}),
    };
    const rows = await this.tenants
      .forTenant(tenantId)
      .auditEvent.findMany({ where, orderBy: { seq: 'desc' }, take: first + 1 });
    const edges = rows.slice(0, first).map((r) => ({ node: toView(r), cursor: encodeCursor(r.seq) }));
    return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
  }
}

export function toView(r: AuditEventRow): AuditEvent {
  return {
    id: r.id,
    seq: Number(r.seq),
    occurredAt: r.occurredAt,
    actor: { type: r.actorType, id: r.actorId },
    action: r.action,
    target: r.targetType ? { type: r.targetType, id: r.targetId } : null,
    requestId: r.requestId,
    metadata: r.metadata,
    hash: r.hash,
    prevHash: r.prevHash,
  };
}

const encodeCursor = (seq: bigint): string => Buffer.from(`seq:${seq}`).toString('base64url');

function decodeCursor(cursor: string): bigint {
  const m = /^seq:(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw AuditError.invalid(AuditErrorReason.INVALID_CURSOR, 'invalid cursor', 'after');
  return BigInt(m[1]!);
}
