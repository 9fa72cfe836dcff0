import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig, constantTimeEqual, randomToken, sha256Hex } from '@app/common';
import { PrismaService, Role } from '@app/db';
import { ROLE_PERMISSIONS, Principal } from '@app/auth';

export interface IssuedSession {
  token: string; // goes in the HttpOnly cookie; only its hash is stored
  csrfToken: string; // goes in the readable csrf_token cookie; echoed in x-csrf-token
  expiresAt: Date;
}

const TOUCH_INTERVAL_MS = 60_000;

/**
 * Server-side sessions. The cookie holds a random token; the row's id is its SHA-256, so a
 * database leak gives no usable cookies. Log-in and tenant switches issue a new session and
 * revoke the old one (no fixation); expiry is absolute.
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async issue(
    tx: Pick<PrismaService, 'session'>,
    userId: string,
    tenantId: string | null,
    replacing?: string,
  ): Promise<IssuedSession> {
    const token = randomToken(32);
    const csrfToken = randomToken(24);
    const expiresAt = new Date(Date.now() + this.config.SESSION_TTL_HOURS * 3_600_000);
    if (replacing) {
      await tx.session.updateMany({
        where: { id: sha256Hex(replacing), revokedAt: null },
        data: { revokedAt: new Date() },
      });
    }
    await tx.session.create({
      data: { id: sha256Hex(token), userId, tenantId, csrfHash: sha256Hex(csrfToken), expiresAt },
    });
    return { token, csrfToken, expiresAt };
  }

  async revoke(token: string): Promise<void> {
    await this.prisma.session.updateMany({
      where: { id: sha256Hex(token), revokedAt: null },
      data: { revokedAt: new Date() },
    });
  }

  /**
   * The principal for a session cookie, or null when the session is unknown, revoked or expired.
   * `csrfValid` reports whether the request's x-csrf-token matches this session's token.
   */
  async resolve(
    token: string,
    csrfHeader: string | undefined,
  ): Promise<{ principal: Principal; csrfValid: boolean } | null> {
    const id = sha256Hex(token);
    // Unscoped on purpose: the session is found by the hash of a secret only its holder has.
    const session = await this.prisma.session.findUnique({ where: { id } });
    const now = Date.now();
    if (!session || session.revokedAt || session.expiresAt.getTime() <= now) return null;
    const csrfValid = !!csrfHeader && constantTimeEqual(sha256Hex(csrfHeader), session.csrfHash);
    let role: Role | null = null;
    if (session.tenantId) {
      const m = await this.prisma.membership.findUnique({
        where: { tenantId_userId: { tenantId: session.tenantId, userId: session.userId } },
      });
      role = m?.role ?? null;
    }
    if (now - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
      // At most one write a minute per session, never one per request.
      void this.prisma.session.update({ where: { id }, data: { lastSeenAt: new Date(now) } }).catch(() => undefined);
    }
    return {
      csrfValid,
      principal: {
        kind: 'user',
        userId: session.userId,
        sessionId: id,
        tenantId: role ? session.tenantId : null,
        role,
        permissions: role ? ROLE_PERMISSIONS[role] : [],
      },
    };
  }
}
