import { createHmac, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type {} from '@fastify/cookie'; // adds setCookie/cookies to Fastify's types
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig, constantTimeEqual, randomToken, sha256Hex } from '@app/common';
import { ACCOUNT_CONFIG, AccountConfig } from '../accounts/account-config';

/** Device cookies are named per account, so one browser can be a known device of several. */
export const DEVICE_COOKIE_PREFIX = 'mas_device_';

export interface IssuedDeviceCookie {
  name: string;
  value: string;
  expiresAt: Date;
}

/** A valid device cookie presented with a log-in: its own throttle bucket is `key`. */
export interface KnownDevice {
  userId: string;
  key: string;
}

/**
 * OWASP's "device cookies" (Authentication cheat sheet, "Slow down online guessing attacks with
 * device cookies"): a successful log-in leaves a signed cookie naming the account on that browser.
 * A later log-in attempt carrying one that is valid for the e-mail typed is throttled in a bucket
 * of its own, so a flood of guesses from elsewhere locks the account for unknown devices only.
 *
 * The value is `<userId>.<nonce>.<expiry>.<mac>`, the MAC an HMAC-SHA256 (configured key) over
 * the user id, a hash of the e-mail address, the nonce and the expiry: it binds the cookie to the
 * account and can be checked before any database read. Nothing about it is stored server-side.
 * (Hand-written on node:crypto: @fastify/cookie's signing binds no account and carries no expiry.)
 */
@Injectable()
export class DeviceCookies {
  private readonly log = new Logger('Accounts');
  private readonly key: Buffer;

  constructor(
    @Inject(ACCOUNT_CONFIG) private readonly config: AccountConfig,
    @Inject(APP_CONFIG) private readonly app: AppConfig,
  ) {
    if (config.AUTH_DEVICE_COOKIE_SECRET) {
      this.key = Buffer.from(config.AUTH_DEVICE_COOKIE_SECRET);
    } else {
      this.key = randomBytes(32);
      if (app.isProduction)
        this.log.warn(
          'AUTH_DEVICE_COOKIE_SECRET is not set: device cookies are valid only on this process until it stops',
        );
    }
  }

  issue(userId: string, email: string): IssuedDeviceCookie {
    const nonce = randomToken(16);
    const expiresAt = new Date(Date.now() + this.config.AUTH_DEVICE_COOKIE_DAYS * 86_400_000);
    const expiry = Math.floor(expiresAt.getTime() / 1000).toString(36);
    const mac = this.mac(userId, email, nonce, expiry);
    return { name: cookieName(userId), value: `${userId}.${nonce}.${expiry}.${mac}`, expiresAt };
  }

  /** The device among the request's cookies that is valid for this e-mail address, if any. */
  match(email: string, values: string[]): KnownDevice | null {
    for (const value of values.slice(0, 20)) {
      const parts = value.split('.');
      if (parts.length !== 4) continue;
      const [userId, nonce, expiry, mac] = parts as [string, string, string, string];
      if (!constantTimeEqual(mac, this.mac(userId, email, nonce, expiry))) continue;
      if (parseInt(expiry, 36) * 1000 <= Date.now()) continue;
      return { userId, key: `device:${sha256Hex(`${userId}.${nonce}`)}` };
    }
    return null;
  }

  /** The values of the request's device cookies (any account's). */
  static presented(req: FastifyRequest): string[] {
    return Object.entries(req.cookies ?? {})
      .filter(([name, value]) => name.startsWith(DEVICE_COOKIE_PREFIX) && typeof value === 'string')
      .map(([, value]) => value as string);
  }

  set(reply: FastifyReply, cookie: IssuedDeviceCookie): void {
    reply.setCookie(cookie.name, cookie.value, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: this.app.cookieSecure,
      expires: cookie.expiresAt,
    });
  }

  private mac(userId: string, email: string, nonce: string, expiry: string): string {
    const address = sha256Hex(email.trim().toLowerCase());
    return createHmac('sha256', this.key).update(`${userId}\n${address}\n${nonce}\n${expiry}`).digest('base64url');
  }
}

const cookieName = (userId: string) => `${DEVICE_COOKIE_PREFIX}${sha256Hex(userId).slice(0, 16)}`;
