import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode, newId, sha256Hex } from '@app/common';
import { Prisma, PrismaService, Role } from '@app/db';
import { AuditService } from '@app/audit';
import { PasswordService } from './password.service';
import { SessionService, IssuedSession } from '../sessions/session.service';
import { normalizeEmail, validName } from './account-validation';
import { InvitationService } from '../members/invitation.service';

export interface AuthResult {
  userId: string;
  tenantId: string | null;
  session: IssuedSession;
}

/** Sign-up, log-in and log-out. Every success and failure is audited with its request id. */
@Injectable()
export class AccountService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly passwords: PasswordService,
    private readonly sessions: SessionService,
    private readonly audit: AuditService,
    private readonly invitations: InvitationService,
  ) {}

  async signUp(input: { email: string; password: string; tenantName?: string | null; name?: string | null; invitationToken?: string | null }, requestId: string): Promise<AuthResult> {
    const email = normalizeEmail(input.email);
    this.passwords.assertStrong(input.password ?? '', email);
    const tenantName = input.invitationToken ? null : validName(input.tenantName, 'tenantName');
    const name = input.name ? validName(input.name, 'name') : null;
    const passwordHash = await this.passwords.hash(input.password);
    try {
      return await this.prisma.$transaction(async (tx) => {
        const userId = newId('usr');
        await tx.user.create({ data: { id: userId, email, passwordHash, name } });
        let tenantId: string;
        if (input.invitationToken) {
          tenantId = (await this.invitations.acceptWithin(tx, input.invitationToken, userId, email, requestId)).tenantId;
        } else {
          tenantId = newId('ten');
          await tx.tenant.create({ data: { id: tenantId, name: tenantName! } });
          await tx.membership.create({ data: { id: newId('mem'), tenantId, userId, role: Role.OWNER } });
          await this.audit.append(tx, tenantId, {
            actor: { type: 'user', id: userId },
            action: 'tenant.create',
            target: { type: 'tenant', id: tenantId },
            requestId,
            metadata: { name: tenantName, plan: 'free', via: 'sign_up' },
          });
        }
        await this.audit.append(tx, tenantId, { actor: { type: 'user', id: userId }, action: 'user.sign_up', target: { type: 'user', id: userId }, requestId, metadata: { email } });
        const session = await this.sessions.issue(tx, userId, tenantId);
        return { userId, tenantId, session };
      });
    } catch (e) {
      if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002') {
        throw new AppError(ErrorCode.CONFLICT, 'an account with this e-mail already exists', { reason: 'EMAIL_TAKEN', details: { field: 'email' } });
      }
      throw e;
    }
  }

  async logIn(input: { email: string; password: string }, requestId: string, previousToken?: string): Promise<AuthResult> {
    const email = (input.email ?? '').trim().toLowerCase();
    // Unscoped on purpose: a log-in finds its user by e-mail before any tenant is known.
    const user = email ? await this.prisma.user.findUnique({ where: { email }, include: { memberships: { orderBy: { createdAt: 'asc' } } } }) : null;
    const ok = await this.passwords.verify(user?.passwordHash ?? null, input.password ?? '');
    if (!user || !ok) {
      if (user) await this.auditLogIn(user.id, user.memberships.map((m) => m.tenantId), 'user.log_in_failed', requestId);
      throw AppError.unauthenticated('invalid e-mail or password', 'INVALID_CREDENTIALS');
    }
    const tenantId = user.memberships[0]?.tenantId ?? null;
    return this.prisma.$transaction(async (tx) => {
      const session = await this.sessions.issue(tx, user.id, tenantId, previousToken);
      for (const m of user.memberships) {
        await this.audit.append(tx, m.tenantId, { actor: { type: 'user', id: user.id }, action: 'user.log_in', target: { type: 'user', id: user.id }, requestId });
      }
      return { userId: user.id, tenantId, session };
    });
  }

  private async auditLogIn(userId: string, tenantIds: string[], action: string, requestId: string): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      for (const tenantId of tenantIds) {
        await this.audit.append(tx, tenantId, { actor: { type: 'user', id: userId }, action, target: { type: 'user', id: userId }, requestId });
      }
    });
  }

  async logOut(token: string | undefined, principal: { userId: string; tenantId: string | null } | null, requestId: string): Promise<void> {
    if (!token) return;
    await this.prisma.$transaction(async (tx) => {
      await tx.session.updateMany({ where: { id: sha256Hex(token), revokedAt: null }, data: { revokedAt: new Date() } });
      if (principal?.tenantId) {
        await this.audit.append(tx, principal.tenantId, { actor: { type: 'user', id: principal.userId }, action: 'user.log_out', target: { type: 'user', id: principal.userId }, requestId });
      }
    });
  }
}
