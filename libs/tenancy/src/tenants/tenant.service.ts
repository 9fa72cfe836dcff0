import { Injectable } from '@nestjs/common';
import { AppError, newId } from '@app/common';
import { PrismaService, Role } from '@app/db';
import { AuditService } from '@app/audit';
import { validName } from '../accounts/account-validation';
import { SessionService, IssuedSession } from '../sessions/session.service';

@Injectable()
export class TenantService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly sessions: SessionService,
  ) {}

  async get(tenantId: string) {
    const t = await this.prisma.tenant.findUnique({ where: { id: tenantId } });
    if (!t) throw AppError.notFound('tenant');
    return { id: t.id, name: t.name, plan: t.planId, createdAt: t.createdAt };
  }

  async create(userId: string, name: string, requestId: string) {
    const tenantName = validName(name, 'name');
    return this.prisma.$transaction(async (tx) => {
      const tenantId = newId('ten');
      const t = await tx.tenant.create({ data: { id: tenantId, name: tenantName } });
      await tx.membership.create({ data: { id: newId('mem'), tenantId, userId, role: Role.OWNER } });
      await this.audit.append(tx, tenantId, { actor: { type: 'user', id: userId }, action: 'tenant.create', target: { type: 'tenant', id: tenantId }, requestId, metadata: { name: tenantName, plan: t.planId } });
      return { id: t.id, name: t.name, plan: t.planId, createdAt: t.createdAt };
    });
  }

  /** Moves the session to another of the user's tenants, with a new session id (rotation). */
  async switchTo(userId: string, tenantId: string, currentToken: string, requestId: string): Promise<{ tenant: Awaited<ReturnType<TenantService['get']>>; session: IssuedSession }> {
    return this.prisma.$transaction(async (tx) => {
      const m = await tx.membership.findUnique({ where: { tenantId_userId: { tenantId, userId } }, include: { tenant: true } });
      // Not a member and no such tenant look the same.
      if (!m) throw AppError.notFound('tenant');
      const session = await this.sessions.issue(tx, userId, tenantId, currentToken);
      await this.audit.append(tx, tenantId, { actor: { type: 'user', id: userId }, action: 'session.switch_tenant', target: { type: 'tenant', id: tenantId }, requestId });
      return { tenant: { id: m.tenant.id, name: m.tenant.name, plan: m.tenant.planId, createdAt: m.tenant.createdAt }, session };
    });
  }

  async userView(userId: string, tenantId: string | null) {
    const user = await this.prisma.user.findUnique({ where: { id: userId }, include: { memberships: { include: { tenant: true }, orderBy: { createdAt: 'asc' } } } });
    if (!user) throw AppError.unauthenticated();
    const current = user.memberships.find((m) => m.tenantId === tenantId);
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      createdAt: user.createdAt,
      currentTenantId: current ? tenantId : null,
      role: current?.role ?? null,
      memberships: user.memberships.map((m) => ({ role: m.role, tenant: { id: m.tenant.id, name: m.tenant.name, plan: m.tenant.planId, createdAt: m.tenant.createdAt } })),
    };
  }
}
