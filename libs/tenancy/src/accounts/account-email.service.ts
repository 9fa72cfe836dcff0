import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { LimiterFactory, isRefusal } from '@app/common';
import { Prisma, PrismaService, Role } from '@app/db';
import { AuditService } from '@app/audit';
import { MailService } from '@app/mail';
import { ACCOUNT_CONFIG, AccountConfig } from './account-config';
import { EmailTokenService } from './email-token.service';
import { PasswordService } from './password.service';
import { LoginThrottle } from './login-throttle.service';
import { normalizeEmail } from './account-validation';

export interface Origin {
  requestId: string;
  ip?: string;
  userAgent?: string;
}

/**
 * The e-mail flows of an account: address verification (which starts the free allowance of
 * the tenants the user owns), password reset (single-use link, every session revoked) and the
 * notice to an owner when someone signs up with their address.
 */
@Injectable()
export class AccountEmailService {
  private readonly log = new Logger('Accounts');
  private readonly perAddress: RateLimiterAbstract;

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly mail: MailService,
    private readonly tokens: EmailTokenService,
    private readonly passwords: PasswordService,
    private readonly throttle: LoginThrottle,
    @Inject(ACCOUNT_CONFIG) private readonly config: AccountConfig,
    limiters: LimiterFactory,
  ) {
    this.perAddress = limiters.create({
      name: 'account-mail',
      points: config.AUTH_EMAILS_PER_ADDRESS_PER_HOUR,
      durationSeconds: 3600,
    });
  }

  /** Sends the verification link (called after the sign-up committed). */
  async sendVerification(userId: string, email: string): Promise<void> {
    if (!(await this.allowMail(email))) return;
    const token = await this.prisma.$transaction((tx) =>
      this.tokens.issue(tx, userId, 'verify_email', this.config.EMAIL_TOKEN_TTL_MINUTES),
    );
    const link = this.mail.link('/verify-email', { token });
    this.mail.enqueue({
      to: email,
      subject: 'Confirm your e-mail address',
      links: [link],
      text: `Confirm your address to start your free allowance:\n\n${link}\n\nThe link works once, for ${this.config.EMAIL_TOKEN_TTL_MINUTES / 60} hours.\n`,
    });
  }

  /** Someone signed up with an address that has an account: tell its owner, nobody else. */
  async noticeDuplicateSignUp(email: string): Promise<void> {
    if (!(await this.allowMail(email))) return;
    const link = this.mail.link('/reset-password', {});
    this.mail.enqueue({
      to: email,
      subject: 'Sign-up attempt with your address',
      text: `Someone tried to create an account with this address, which already has one.\nIf it was you, log in, or reset your password: ${link}\nIf not, you can ignore this message.\n`,
    });
  }

  async verifyEmail(token: string, origin: Origin): Promise<string> {
    return this.prisma.$transaction(async (tx) => {
      const userId = await this.tokens.consume(tx, token, 'verify_email');
      await this.markVerified(tx, userId, origin);
      return userId;
    });
  }

  /** The address is proven (a verification or reset link was used): free units start. */
  private async markVerified(tx: Prisma.TransactionClient, userId: string, origin: Origin): Promise<void> {
    const now = new Date();
    const claimed = await tx.user.updateMany({
      where: { id: userId, emailVerifiedAt: null },
      data: { emailVerifiedAt: now },
    });
    if (claimed.count === 0) return; // verified before
    const memberships = await tx.membership.findMany({ where: { userId } });
    const owned = memberships.filter((m) => m.role === Role.OWNER).map((m) => m.tenantId);
    // Free units go to verified identities: the owner's tenants start their allowance now.
    await tx.tenant.updateMany({
      where: { id: { in: owned }, allowanceStartedAt: null },
      data: { allowanceStartedAt: now },
    });
    for (const m of memberships) {
      await this.audit.append(tx, m.tenantId, {
        actor: { type: 'user', id: userId },
        action: 'user.email_verified',
        target: { type: 'user', id: userId },
        requestId: origin.requestId,
        metadata: originMeta(origin),
      });
    }
  }

  /** Always answers the same; the look-up and the e-mail happen after the answer has gone. */
  requestPasswordReset(email: string, origin: Origin): void {
    void this.sendReset(email, origin).catch((e) =>
      this.log.error(`password reset e-mail failed: ${(e as Error).message}`),
    );
  }

  private async sendReset(rawEmail: string, origin: Origin): Promise<void> {
    let email: string;
    try {
      email = normalizeEmail(rawEmail);
    } catch {
      return;
    }
    if (!(await this.allowMail(email))) return;
    const user = await this.prisma.user.findUnique({ where: { email }, include: { memberships: true } });
    if (!user) return;
    const token = await this.prisma.$transaction(async (tx) => {
      const t = await this.tokens.issue(tx, user.id, 'reset_password', this.config.RESET_TOKEN_TTL_MINUTES);
      for (const m of user.memberships) {
        await this.audit.append(tx, m.tenantId, {
          actor: { type: 'user', id: user.id },
          action: 'user.password_reset_requested',
          target: { type: 'user', id: user.id },
          requestId: origin.requestId,
          metadata: originMeta(origin),
        });
      }
      return t;
    });
    const link = this.mail.link('/reset-password', { token });
    this.mail.enqueue({
      to: email,
      subject: 'Reset your password',
      links: [link],
      text: `Choose a new password here:\n\n${link}\n\nThe link works once, for ${this.config.RESET_TOKEN_TTL_MINUTES} minutes. If you did not ask, ignore this message.\n`,
    });
  }

  async resetPassword(token: string, password: string, origin: Origin): Promise<void> {
    const userId = await this.prisma.$transaction(async (tx) => {
      const id = await this.tokens.consume(tx, token, 'reset_password');
      const user = await tx.user.findUniqueOrThrow({ where: { id }, include: { memberships: true } });
      this.passwords.assertStrong(password ?? '', user.email);
      const passwordHash = await this.passwords.hash(password);
      await tx.user.update({ where: { id }, data: { passwordHash } });
      // Whoever held a session (perhaps the reason for the reset) is signed out everywhere.
      await tx.session.updateMany({ where: { userId: id, revokedAt: null }, data: { revokedAt: new Date() } });
      // The link reached the address, so it is verified too; and whoever created the account
      // before its owner (pre-hijacking) no longer knows the password.
      await this.markVerified(tx, id, origin);
      for (const m of user.memberships) {
        await this.audit.append(tx, m.tenantId, {
          actor: { type: 'user', id },
          action: 'user.password_reset',
          target: { type: 'user', id },
          requestId: origin.requestId,
          metadata: originMeta(origin),
        });
      }
      return id;
    });
    const user = await this.prisma.user.findUniqueOrThrow({ where: { id: userId } });
    // The owner proved the address: the account's lock (perhaps someone else's doing) is lifted.
    await this.throttle.clearAccount(user.email);
    this.mail.enqueue({
      to: user.email,
      subject: 'Your password was changed',
      text: 'The password of your account was just changed and every session signed out. If this was not you, reset it again now.\n',
    });
  }

  private async allowMail(email: string): Promise<boolean> {
    try {
      await this.perAddress.consume(email);
      return true;
    } catch (e) {
      if (!isRefusal(e)) throw e;
      this.log.warn('account e-mail not sent: hourly limit for this address reached');
      return false;
    }
  }
}

export const originMeta = (o: Origin) => ({ ip: o.ip ?? null, userAgent: o.userAgent ?? null });
