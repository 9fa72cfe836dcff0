import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, ErrorCode, newId, sha256Hex } from '@app/common';
import { PrismaService, Role, isUniqueViolation } from '@app/db';
import { AuditService } from '@app/audit';
import { PasswordService } from './password.service';
import { SessionService, IssuedSession } from '../sessions/session.service';
import { normalizeEmail, validName } from './account-validation';
import { InvitationService } from '../members/invitation.service';
import { LoginThrottle, ThrottledError } from './login-throttle.service';
import { AccountEmailService, Origin, originMeta } from './account-email.service';
import { ACCOUNT_CONFIG, AccountConfig } from './account-config';

export interface AuthResult {
  userId: string;
  tenantId: string | null;
  session: IssuedSession;
}

/**
 * Sign-up, log-in and log-out. Every success and failure is audited with its request id, source
 * address and user agent. Log-in and sign-up are throttled (LoginThrottle); a failed log-in
 * answers the same, in the same time, whether or not the account exists.
 */
@Injectable()
export class AccountService {
  private readonly log = new Logger('Accounts');

  constructor(
    private readonly prisma: PrismaService,
    private readonly passwords: PasswordService,
    private readonly sessions: SessionService,
    private readonly audit: AuditService,
    private readonly invitations: InvitationService,
    private readonly throttle: LoginThrottle,
    private readonly emails: AccountEmailService,
    @Inject(ACCOUNT_CONFIG) private readonly config: AccountConfig,
  ) {}

  async signUp(
    input: {
      email: string;
      password: string;
      tenantName?: string | null;
      name?: string | null;
      invitationToken?: string | null;
    },
    origin: Origin,
  ): Promise<AuthResult> {
    const { requestId } = origin;
    const email = normalizeEmail(input.email);
    await this.throttle.beginSignUp(origin.ip ?? 'unknown');
    this.passwords.assertStrong(input.password ?? '', email);
    const tenantName = input.invitationToken ? null : validName(input.tenantName, 'tenantName');
    const name = input.name ? validName(input.name, 'name') : null;
    const passwordHash = await this.passwords.hash(input.password);
    try {
      const result = await this.prisma.$transaction(async (tx) => {
        const userId = newId('usr');
        await tx.user.create({ data: { id: userId, email, passwordHash, name } });
        let tenantId: string;
        if (input.invitationToken) {
          tenantId = (await this.invitations.acceptWithin(tx, input.invitationToken, userId, email, requestId))
            .tenantId;
        } else {
          tenantId = newId('ten');
          // The free allowance waits for a verified owner address (FREE_UNITS_NEED_VERIFIED_EMAIL).
          const allowanceStartedAt = this.config.FREE_UNITS_NEED_VERIFIED_EMAIL ? null : new Date();
          await tx.tenant.create({ data: { id: tenantId, name: tenantName!, allowanceStartedAt } });
          await tx.membership.create({ data: { id: newId('mem'), tenantId, userId, role: Role.OWNER } });
          await this.audit.append(tx, tenantId, {
            actor: { type: 'user', id: userId },
            action: 'tenant.create',
            target: { type: 'tenant', id: tenantId },
            requestId,
            metadata: { name: tenantName, plan: 'free', via: 'sign_up' },
          });
        }
        await this.audit.append(tx, tenantId, {
          actor: { type: 'user', id: userId },
          action: 'user.sign_up',
          target: { type: 'user', id: userId },
          requestId,
          metadata: { email, ...originMeta(origin) },
        });
        const session = await this.sessions.issue(tx, userId, tenantId);
        return { userId, tenantId, session };
      });
      await this.emails
        .sendVerification(result.userId, email)
        .catch((e) => this.log.error(`verification e-mail failed: ${(e as Error).message}`));
      return result;
    } catch (e) {
      if (isUniqueViolation(e)) {
        // The owner of the address hears of it; the caller learns only what a conflict says.
        await this.emails.noticeDuplicateSignUp(email).catch(() => undefined);
        throw new AppError(ErrorCode.CONFLICT, 'an account with this e-mail already exists', {
          reason: 'EMAIL_TAKEN',
          details: { field: 'email' },
        });
      }
      throw e;
    }
  }

  async logIn(input: { email: string; password: string }, origin: Origin, previousToken?: string): Promise<AuthResult> {
    const { requestId } = origin;
    const email = (input.email ?? '').trim().toLowerCase();
    try {
      await this.throttle.beginLogIn(email, origin.ip ?? 'unknown');
    } catch (e) {
      if (e instanceof ThrottledError && (await this.throttle.shouldAuditRefusal(email))) {
        this.auditInBackground(email, 'user.log_in_throttled', origin, {
          reason: e.throttle,
          retryAfter: e.retryAfter,
        });
      }
      throw e;
    }
    // Unscoped on purpose: a log-in finds its user by e-mail before any tenant is known.
    const user = email
      ? await this.prisma.user.findUnique({
          where: { email },
          include: { memberships: { orderBy: { createdAt: 'asc' } } },
        })
      : null;
    // Unknown e-mails are verified against a dummy hash: both paths cost one argon2 verify.
    const ok = await this.passwords.verify(user?.passwordHash ?? null, input.password ?? '');
    if (!user || !ok) {
      await this.throttle.failed(origin.ip ?? 'unknown');
      // Not awaited: an audit write only for known accounts would make them answer slower.
      if (user) this.auditInBackground(email, 'user.log_in_failed', origin, {});
      throw AppError.unauthenticated('invalid e-mail or password', 'INVALID_CREDENTIALS');
    }
    await this.throttle.succeeded(email);
    const tenantId = user.memberships[0]?.tenantId ?? null;
    return this.prisma.$transaction(async (tx) => {
      const session = await this.sessions.issue(tx, user.id, tenantId, previousToken);
      for (const m of user.memberships) {
        await this.audit.append(tx, m.tenantId, {
          actor: { type: 'user', id: user.id },
          action: 'user.log_in',
          target: { type: 'user', id: user.id },
          requestId,
          metadata: originMeta(origin),
        });
      }
      return { userId: user.id, tenantId, session };
    });
  }

  /** Audits a failed or refused log-in in every tenant of the account, after the answer. */
  private auditInBackground(email: string, action: string, origin: Origin, extra: Record<string, unknown>): void {
    const write = async () => {
      const user = await this.prisma.user.findUnique({ where: { email }, include: { memberships: true } });
      if (!user) return;
      await this.prisma.$transaction(async (tx) => {
        for (const m of user.memberships) {
          await this.audit.append(tx, m.tenantId, {
            actor: { type: 'user', id: user.id },
            action,
            target: { type: 'user', id: user.id },
            requestId: origin.requestId,
            metadata: { ...originMeta(origin), ...extra },
          });
        }
      });
    };
    write().catch((e) => this.log.error(`audit of ${action} failed: ${(e as Error).message}`));
  }

  async logOut(
    token: string | undefined,
    principal: { userId: string; tenantId: string | null } | null,
    requestId: string,
  ): Promise<void> {
    if (!token) return;
    await this.prisma.$transaction(async (tx) => {
      await tx.session.updateMany({
        where: { id: sha256Hex(token), revokedAt: null },
        data: { revokedAt: new Date() },
      });
      if (principal?.tenantId) {
        await this.audit.append(tx, principal.tenantId, {
          actor: { type: 'user', id: principal.userId },
          action: 'user.log_out',
          target: { type: 'user', id: principal.userId },
          requestId,
        });
      }
    });
  }
}
