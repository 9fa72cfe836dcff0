import { Injectable } from '@nestjs/common';
import { PrismaService } from '@app/db';
import { AuditService, AuditEntry } from '../audit.service';
import { AuditError, AuditErrorReason } from '../audit.error';
import { AuditEventRepository } from '../audit-event.repository';

/** The EU AI Act asks for at least six months; six years covers HIPAA's documentation rule. */
export const MIN_RETENTION_DAYS = 180;
export const MAX_RETENTION_DAYS = 2192;

/**
 * Retention and payload-logging settings, and the retention purge: the one path by which audit
 * rows ever leave the table. It removes only whole exported ranges, keeps their export row as
 * the signed anchor the chain is verified from afterwards, and records itself in the chain.
 */
@Injectable()
export class AuditRetentionService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
  ) {}

  async settings(tenantId: string) {
    const t = await this.prisma.tenant.findUniqueOrThrow({
      where: { id: tenantId },
      select: { auditRetentionDays: true, payloadLogging: true },
    });
    return { retentionDays: t.auditRetentionDays, payloadLogging: t.payloadLogging };
  }

  async setRetention(tenantId: string, actor: AuditEntry['actor'], requestId: string | null, days: number) {
    if (!Number.isInteger(days) || days < MIN_RETENTION_DAYS || days > MAX_RETENTION_DAYS) {
      throw AuditError.invalid(
        AuditErrorReason.INVALID_RETENTION,
        `retention must be ${MIN_RETENTION_DAYS} to ${MAX_RETENTION_DAYS} days`,
        'days',
      );
    }
    return this.change(tenantId, actor, requestId, 'audit.retention_change', { auditRetentionDays: days });
  }

  async setPayloadLogging(tenantId: string, actor: AuditEntry['actor'], requestId: string | null, enabled: boolean) {
    return this.change(tenantId, actor, requestId, 'audit.payload_logging_change', { payloadLogging: enabled });
  }

  private async change(
    tenantId: string,
    actor: AuditEntry['actor'],
    requestId: string | null,
    action: string,
    data: { auditRetentionDays?: number; payloadLogging?: boolean },
  ) {
    return this.prisma.$transaction(async (tx) => {
      // tenants is not tenant-owned (it is the tenant): the where is its own id.
      const before = await tx.tenant.findUniqueOrThrow({
        where: { id: tenantId },
        select: { auditRetentionDays: true, payloadLogging: true },
      });
      const after = await tx.tenant.update({
        where: { id: tenantId },
        data,
        select: { auditRetentionDays: true, payloadLogging: true },
      });
      const field = data.auditRetentionDays !== undefined ? 'auditRetentionDays' : 'payloadLogging';
      await this.audit.append(tx, tenantId, {
        actor,
        action,
        target: { type: 'tenant', id: tenantId },
        requestId,
        metadata: { from: before[field], to: after[field] },
      });
      return { retentionDays: after.auditRetentionDays, payloadLogging: after.payloadLogging };
    });
  }

  /**
   * Deletes the events older than the tenant's retention that signed exports cover, up to the
   * end of the last such export (so the anchor is always a signed export's lastHash).
   */
  async purgeExpired(tenantId: string, actor: AuditEntry['actor'], requestId: string | null, now = new Date()) {
    return this.prisma.$transaction(
      async (tx) => {
        // Lock the head first: no append can interleave with the cut and the anchor move.
        await tx.$queryRaw`SELECT "lastSeq" FROM audit_chain_heads WHERE "tenantId" = ${tenantId} FOR UPDATE`;
        const repo = new AuditEventRepository(tx);
        const { auditRetentionDays } = await tx.tenant.findUniqueOrThrow({
          where: { id: tenantId },
          select: { auditRetentionDays: true },
        });
        const cutoff = new Date(now.getTime() - Math.max(auditRetentionDays, MIN_RETENTION_DAYS) * 86_400_000);
        const anchorSeq = (await repo.anchor(tenantId))?.toSeq ?? 0n;
        const firstKept = await tx.auditEvent.findFirst({
          where: { tenantId, seq: { gt: anchorSeq }, occurredAt: { gte: cutoff } },
          orderBy: { seq: 'asc' },
          select: { seq: true },
        });
        const head = await repo.head(tenantId);
        const expiredThrough = firstKept ? firstKept.seq - 1n : (head?.lastSeq ?? 0n);
        // Walk the exports from the anchor while they leave no hole, never past the expired part.
        let through = anchorSeq;
        let anchor: Awaited<ReturnType<AuditEventRepository['liveExports']>>[number] | null = null;
        for (const e of await repo.liveExports(tenantId, anchorSeq)) {
          if (e.fromSeq > through + 1n) break;
          if (e.toSeq <= expiredThrough && e.toSeq > through) {
            through = e.toSeq;
            anchor = e;
          }
        }
        if (!anchor) return { deleted: 0, throughSeq: null, anchorExportId: null };
        const last = await repo.at(tenantId, through);
        if (!last || last.hash !== anchor.lastHash) throw AuditError.chainBroken(through);
        // The append-only trigger lets a DELETE through only with this transaction-local flag.
        await tx.$executeRaw`SELECT set_config('app.audit_purge', 'on', true)`;
        const deleted =
          await tx.$executeRaw`DELETE FROM audit_events WHERE "tenantId" = ${tenantId} AND seq > ${anchorSeq} AND seq <= ${through}`;
        await tx.$executeRaw`SELECT set_config('app.audit_purge', 'off', true)`;
        await tx.auditExport.updateMany({
          where: { tenantId, purgedAt: null, toSeq: { lte: through } },
          data: { purgedAt: now },
        });
        await this.audit.append(tx, tenantId, {
          actor,
          action: 'audit.purge',
          target: { type: 'audit_export', id: anchor.id },
          requestId,
          metadata: {
            throughSeq: through.toString(),
            anchorHash: anchor.lastHash,
            deleted,
            retentionDays: auditRetentionDays,
            cutoff: cutoff.toISOString(),
          },
        });
        return { deleted, throughSeq: Number(through), anchorExportId: anchor.id };
      },
      { timeout: 120_000 },
    );
  }
}
