import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
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
import { DeviceCookies, IssuedDeviceCookie } from '../sessions/device-cookies';
import type { User } from '../dto/user.type';
import type { Tenant } from '../dto/tenant.type';

export interface AuthResult {
  userId: string;
  tenantId: string | null;
  /** null: no session was started (a sign-up with SIGNUP_SESSION=after-verification). */
  session: IssuedSession | null;
  /** The device cookie a successful log-in leaves (DeviceCookies). */
  device?: IssuedDeviceCookie;
  /** The answer, when it must not come from a read (after-verification sign-ups). */
  payload?: { user: User; tenant: Tenant | null };
}

// One message for a wrong password and an unverified address: the answer must not tell them apart.
const INVALID_OR_UNVERIFIED = 'wrong e-mail or password, or the address is not verified yet: check your e-mail';

/**
 * Sign-up, log-in and log-out. Every success and failure is audited with its request id, source
 * address and user agent. Log-in and sign-up are throttled (LoginThrottle); a failed log-in
 * answers the same, in the same time, whether or not the account exists.
 *
 * SIGNUP_SESSION=after-verification (what Supabase and Auth0 call "confirm e-mail"): signUp starts
 * no session and answers a new and a taken address alike (for a taken one nothing is created, the
 * ids are made up and the owner is e-mailed); the verification link logs in, and log-in waits for
 * a verified address. SIGNUP_SESSION=immediate: signUp logs in at once, so a taken address can
 * only be refused (CONFLICT), and its owner is e-mailed.
 */
@Injectable()
export class AccountService implements OnModuleInit {
  private readonly log = new Logger('Accounts');
  /**
   * How long writing a new account takes here (moving average, ms). A sign-up with a taken
   * address writes nothing, so it waits about as long: the answer time must not tell them apart
   * (both also pay the argon2 hash). Measured, because it depends on the database and the load.
   */
  private writeMs = 40;

  constructor(
    private readonly prisma: PrismaService,
    private readonly passwords: PasswordService,
    private readonly sessions: SessionService,
    private readonly audit: AuditService,
    private readonly invitations: InvitationService,
    private readonly throttle: LoginThrottle,
    private readonly emails: AccountEmailService,
    private readonly devices: DeviceCookies,
    @Inject(ACCOUNT_CONFIG) private readonly config: AccountConfig,
  ) {}

  onModuleInit(): void {
    if (this.config.NODE_ENV === 'production' && this.config.SIGNUP_SESSION === 'immediate')
      this.log.warn(
        'SIGNUP_SESSION=immediate: signUp tells whether an address has an account (set SMTP_URL for after-verification)',
      );
  }

  /** Whether sign-ups wait for the e-mailed link before they log in. */
  get afterVerification(): boolean {
    return this.config.SIGNUP_SESSION === 'after-verification';
  }

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
    // Before the address is looked at: a bad invitation is refused alike for a new and a taken one.
    const invitation = input.invitationToken ? await this.invitations.find(input.invitationToken, email) : null;
    // Hashed on both paths (a taken address too): the answer takes as long either way.
    const passwordHash = await this.passwords.hash(input.password);
    const deferred = this.afterVerification;
    const started = performance.now();
    const duplicate = () => this.duplicateSignUp(email, name, tenantName, invitation, origin, started);
    if (deferred && (await this.prisma.user.findUnique({ where: { email }, select: { id: true } }))) return duplicate();
    // An invitation link reached the address: it is verified, and the sign-up may log in at once.
    const startSession = !deferred || invitation !== null;
    try {
      const result = await this.prisma.$transaction(async (tx) => {
        const userId = newId('usr');
        const user = await tx.user.create({
          data: { id: userId, email, passwordHash, name, emailVerifiedAt: invitation ? new Date() : null },
        });
        let tenantId: string;
        let tenant: Tenant | null = null;
        if (input.invitationToken) {
          tenantId = (await this.invitations.acceptWithin(tx, input.invitationToken, userId, email, requestId))
            .tenantId;
        } else {
          tenantId = newId('ten');
          // The free allowance waits for a verified owner address (FREE_UNITS_NEED_VERIFIED_EMAIL).
          const allowanceStartedAt = this.config.FREE_UNITS_NEED_VERIFIED_EMAIL ? null : new Date();
          const t = await tx.tenant.create({ data: { id: tenantId, name: tenantName!, allowanceStartedAt } });
          tenant = { id: t.id, name: t.name, plan: t.planId, createdAt: t.createdAt };
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
        if (!startSession)
          return { userId, tenantId, session: null, payload: signUpView(user, Role.OWNER, tenant!) } as AuthResult;
        const session = await this.sessions.issue(tx, userId, tenantId);
        return { userId, tenantId, session, device: this.devices.issue(userId, email) } as AuthResult;
      });
      if (!invitation)
        await this.emails
          .sendVerification(result.userId, email)
          .catch((e) => this.log.error(`verification e-mail failed: ${(e as Error).message}`));
      this.writeMs = 0.8 * this.writeMs + 0.2 * (performance.now() - started);
      return result;
    } catch (e) {
      if (isUniqueViolation(e)) {
        // Two sign-ups for one new address at once: the second is a duplicate like any other.
        if (deferred) return duplicate();
        // A session for the taken address cannot be handed out, so the refusal itself is the
        // tell; it says no more than that (no owner name, no verified state), it is throttled per
        // source address (AUTH_SIGNUPS_PER_IP_PER_HOUR) and the owner hears of it.
        await this.emails.noticeDuplicateSignUp(email).catch(() => undefined);
        if (await this.throttle.shouldAuditRefusal(email, 'sign_up'))
          this.auditInBackground(email, 'user.sign_up_duplicate', origin, {});
        throw new AppError(ErrorCode.CONFLICT, 'this e-mail cannot be used to sign up; log in or reset your password', {
          reason: 'EMAIL_TAKEN',
          details: { field: 'email' },
        });
      }
      throw e;
    }
  }

  /**
   * A sign-up with a taken address, in after-verification mode: nothing is created, the owner is
   * told, and the answer has the shape a new account's has (ids made up the same way).
   */
  private async duplicateSignUp(
    email: string,
    name: string | null,
    tenantName: string | null,
    invitation: { role: Role; tenant: Tenant } | null,
    origin: Origin,
    started: number,
  ): Promise<AuthResult> {
    await this.emails.noticeDuplicateSignUp(email).catch(() => undefined);
    if (await this.throttle.shouldAuditRefusal(email, 'sign_up'))
      this.auditInBackground(email, 'user.sign_up_duplicate', origin, {});
    // As long as a new account's writes take: the estimate, give or take 15% (real writes vary too).
    const wait = this.writeMs * (0.85 + 0.3 * Math.random()) - (performance.now() - started);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const now = new Date();
    const tenant = invitation?.tenant ?? { id: newId('ten'), name: tenantName!, plan: 'free', createdAt: now };
    const userId = newId('usr');
    return {
      userId,
      tenantId: tenant.id,
      session: null,
      payload: signUpView({ id: userId, email, name, createdAt: now }, invitation?.role ?? Role.OWNER, tenant),
    };
  }

  async logIn(
    input: { email: string; password: string },
    origin: Origin,
    previousToken?: string,
    deviceCookies: string[] = [],
  ): Promise<AuthResult> {
    const { requestId } = origin;
    const email = (input.email ?? '').trim().toLowerCase();
    // A browser that logged in to this account before counts its attempts in its own bucket.
    const device = email ? this.devices.match(email, deviceCookies) : null;
    try {
      await this.throttle.beginLogIn(email, origin.ip ?? 'unknown', device?.key);
    } catch (e) {
      if (e instanceof ThrottledError && (await this.throttle.shouldAuditRefusal(email))) {
        this.auditInBackground(email, 'user.log_in_throttled', origin, {
          reason: e.throttle,
          retryAfter: e.retryAfter,
          knownDevice: !!device,
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
    // After-verification mode: the right password of an unverified address is refused like a
    // wrong one (it would tell that the address has an account), and the link is sent again.
    const unverified = ok && !!user && this.afterVerification && !user.emailVerifiedAt;
    if (!user || !ok || unverified) {
      await this.throttle.failed(origin.ip ?? 'unknown', device?.key);
      // Not awaited: an audit write only for known accounts would make them answer slower.
      if (user)
        this.auditInBackground(email, 'user.log_in_failed', origin, {
          knownDevice: !!device,
          ...(unverified ? { reason: 'EMAIL_NOT_VERIFIED' } : {}),
        });
      if (unverified)
        void this.emails
          .sendVerification(user.id, email)
          .catch((e) => this.log.error(`verification e-mail failed: ${(e as Error).message}`));
      throw AppError.unauthenticated(
        this.afterVerification ? INVALID_OR_UNVERIFIED : 'invalid e-mail or password',
        'INVALID_CREDENTIALS',
      );
    }
    await this.throttle.succeeded(email, device?.key);
    const tenantId = user.memberships[0]?.tenantId ?? null;
    const session = await this.prisma.$transaction(async (tx) => {
      const issued = await this.sessions.issue(tx, user.id, tenantId, previousToken);
      for (const m of user.memberships) {
        await this.audit.append(tx, m.tenantId, {
          actor: { type: 'user', id: user.id },
          action: 'user.log_in',
          target: { type: 'user', id: user.id },
          requestId,
          metadata: { ...originMeta(origin), knownDevice: !!device },
        });
      }
      return issued;
    });
    return { userId: user.id, tenantId, session, device: this.devices.issue(user.id, email) };
  }

  /** After-verification mode: the verification link logs its user in (first tenant, like logIn). */
  async logInByVerification(userId: string, origin: Origin, previousToken?: string): Promise<AuthResult> {
    const user = await this.prisma.user.findUniqueOrThrow({
      where: { id: userId },
      include: { memberships: { orderBy: { createdAt: 'asc' } } },
    });
    const tenantId = user.memberships[0]?.tenantId ?? null;
    const session = await this.prisma.$transaction(async (tx) => {
      const issued = await this.sessions.issue(tx, user.id, tenantId, previousToken);
      for (const m of user.memberships) {
        await this.audit.append(tx, m.tenantId, {
          actor: { type: 'user', id: user.id },
          action: 'user.log_in',
          target: { type: 'user', id: user.id },
          requestId: origin.requestId,
          metadata: { ...originMeta(origin), via: 'email_verification' },
        });
      }
      return issued;
    });
    return { userId: user.id, tenantId, session, device: this.devices.issue(user.id, user.email) };
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

/** The sign-up answer built from what was written (or made up): the same shape either way. */
function signUpView(
  user: { id: string; email: string; name: string | null; createdAt: Date },
  role: Role,
  tenant: Tenant,
): { user: User; tenant: Tenant } {
  return {
    user: {
      id: user.id,
      email: user.email,
      name: user.name,
      createdAt: user.createdAt,
      currentTenantId: tenant.id,
      role,
      memberships: [{ role, tenant }],
    },
    tenant,
  };
}
