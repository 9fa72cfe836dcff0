import { Injectable } from '@nestjs/common';
import { AppError } from '@app/common';
import { Role, TenantPrisma } from '@app/db';
import { AuditService } from '@app/audit';

/** Members of a tenant and their roles. Every change is audited in its own transaction. */
@Injectable()
export class MemberService {
  constructor(
    private readonly tenants: TenantPrisma,
    private readonly audit: AuditService,
  ) {}

  async list(tenantId: string) {
    const rows = await this.tenants
      .forTenant(tenantId)
      .membership.findMany({ include: { user: true }, orderBy: { createdAt: 'asc' } });
    return rows.map((m) => ({ userId: m.userId, email: m.user.email, role: m.role, joinedAt: m.createdAt }));
  }

  async invitations(tenantId: string) {
    return this.tenants
      .forTenant(tenantId)
      .invitation.findMany({ where: { acceptedAt: null, revokedAt: null }, orderBy: { createdAt: 'desc' } });
  }

  async changeRole(
    tenantId: string,
    actor: { userId: string; role: Role },
    userId: string,
    role: Role,
    requestId: string,
  ) {
    return this.tenants.forTenant(tenantId).$transaction(async (tx) => {
      const m = await tx.membership.findFirst({ where: { userId } });
      if (!m) throw AppError.notFound('member');
      if ((m.role === Role.OWNER || role === Role.OWNER) && actor.role !== Role.OWNER) {
        throw AppError.forbidden('only an owner can grant or take the owner role', 'OWNER_REQUIRED');
      }
      if (m.role === Role.OWNER && role !== Role.OWNER) await this.assertAnotherOwner(tx, userId);
      await tx.membership.update({ where: { id: m.id }, data: { role } });
      await this.audit.append(tx, tenantId, {
        actor: { type: 'user', id: actor.userId },
        action: 'member.role_change',
        target: { type: 'user', id: userId },
        requestId,
        metadata: { from: m.role, to: role },
      });
      return m.id;
    });
  }

  async remove(tenantId: string, actor: { userId: string; role: Role }, userId: string, requestId: string) {
    return this.tenants.forTenant(tenantId).$transaction(async (tx) => {
      const m = await tx.membership.findFirst({ where: { userId } });
      if (!m) throw AppError.notFound('member');
      if (m.role === Role.OWNER) {
        if (actor.role !== Role.OWNER) throw AppError.forbidden('only an owner can remove an owner', 'OWNER_REQUIRED');
        await this.assertAnotherOwner(tx, userId);
      }
      await tx.membership.delete({ where: { id: m.id } });
      await this.audit.append(tx, tenantId, {
        actor: { type: 'user', id: actor.userId },
        action: 'member.remove',
        target: { type: 'user', id: userId },
        requestId,
        metadata: { role: m.role },
      });
      return true;
    });
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private async assertAnotherOwner(tx: any, leaving: string): Promise<void> {
    const owners = await tx.membership.count({ where: { role: Role.OWNER, NOT: { userId: leaving } } });
    if (owners === 0) throw AppError.conflict('a tenant must keep at least one owner', 'LAST_OWNER');
  }
}
