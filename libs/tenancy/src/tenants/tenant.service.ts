import { Inject, Injectable } from '@nestjs/common';
import { AppError, newId } from '@app/common';
import { PrismaService, Role } from '@app/db';
import { AuditService } from '@app/audit';
import { validName } from '../accounts/account-validation';
import { SessionService, IssuedSession } from '../sessions/session.service';
import { ACCOUNT_CONFIG, AccountConfig } from '../accounts/account-config';

@Injectable()
export class TenantService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly sessions: SessionService,
    @Inject(ACCOUNT_CONFIG) private readonly config: AccountConfig,
  ) {}

  async get(tenantId: string) {
    const t = await this.prisma.tenant.findUnique({ where: { id: tenantId } });
    if (!t) throw AppError.notFound('tenant');
    return { id: t.id, name: t.name, plan: t.planId, createdAt: t.createdAt };
  }

  async create(userId: string, name: string, requestId: string) {
    const tenantName = validName(name, 'name');
    return this.prisma.$transaction(async (tx) => {
      // Each tenant comes with a free allowance: one person may own only so many.
      await tx.$queryRaw`SELECT 1 FROM users WHERE id = ${userId} FOR UPDATE`; // two at once must not both pass
      const owned = await tx.membership.count({ where: { userId, role: Role.OWNER } });
      if (owned >= this.config.MAX_TENANTS_PER_USER) {
        throw AppError.forbidden(
          `you already own ${owned} tenants, the most one person may (MAX_TENANTS_PER_USER)`,
          'TENANT_LIMIT_REACHED',
        );
      }
      const user = await tx.user.findUniqueOrThrow({ where: { id: userId } });
      const verified = !this.config.FREE_UNITS_NEED_VERIFIED_EMAIL || user.emailVerifiedAt !== null;
      const tenantId = newId('ten');
      const t = await tx.tenant.create({
        data: { id: tenantId, name: tenantName, allowanceStartedAt: verified ? new Date() : null },
      });
      await tx.membership.create({ data: { id: newId('mem'), tenantId, userId, role: Role.OWNER } });
      await this.audit.append(tx, tenantId, {
        actor: { type: 'user', id: userId },
        action: 'tenant.create',
        target: { type: 'tenant', id: tenantId },
        requestId,
        metadata: { name: tenantName, plan: t.planId },
      });
      return { id: t.id, name: t.name, plan: t.planId, createdAt: t.createdAt };
    });
  }

  /** Moves the session to another of the user's tenants, with a new session id (rotation). */
  async switchTo(
    userId: string,
    tenantId: string,
    currentToken: string,
    requestId: string,
  ): Promise<{ tenant: Awaited<ReturnType<TenantService['get']>>; session: IssuedSession }> {
    return this.prisma.$transaction(async (tx) => {
      const m = await tx.membership.findUnique({
        where: { tenantId_userId: { tenantId, userId } },
        include: { tenant: true },
      });
      // Not a member and no such tenant look the same.
      if (!m) throw AppError.notFound('tenant');
      const session = await this.sessions.issue(tx, userId, tenantId, currentToken);
      await this.audit.append(tx, tenantId, {
        actor: { type: 'user', id: userId },
        action: 'session.switch_tenant',
        target: { type: 'tenant', id: tenantId },
        requestId,
      });
      return {
        tenant: { id: m.tenant.id, name: m.tenant.name, plan: m.tenant.planId, createdAt: m.tenant.createdAt },
        session,
      };
    });
  }

  async userView(userId: string, tenantId: string | null) {
    const user = await this.prisma.user.findUnique({
      where: { id: userId },
      include: { memberships: { include: { tenant: true }, orderBy: { createdAt: 'asc' } } },
    });
    if (!user) throw AppError.unauthenticated();
    const current = user.memberships.find((m) => m.tenantId === tenantId);
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      createdAt: user.createdAt,
      currentTenantId: current ? tenantId : null,
      role: current?.role ?? null,
      memberships: user.memberships.map((m) => ({
        role: m.role,
        tenant: { id: m.tenant.id, name: m.tenant.name, plan: m.tenant.planId, createdAt: m.tenant.createdAt },
      })),
    };
  }
}
