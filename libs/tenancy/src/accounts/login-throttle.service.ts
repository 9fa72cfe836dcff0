import { Inject, Injectable } from '@nestjs/common';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError, ErrorCode, LimiterFactory, isRefusal, retryAfterOf, sha256Hex } from '@app/common';
import { ACCOUNT_CONFIG, AccountConfig } from './account-config';

/** Why an attempt was refused before its password was even checked. */
export type ThrottleReason = 'ACCOUNT_LOCKED' | 'LOGIN_BACKOFF' | 'ADDRESS_THROTTLED' | 'SIGN_UP_THROTTLED';

export class ThrottledError extends AppError {
  constructor(
    readonly throttle: ThrottleReason,
    retryAfter: number,
  ) {
    // One message for every case: it says nothing about whether the account exists.
    super(ErrorCode.RATE_LIMITED, 'too many attempts; try again later', { reason: 'TOO_MANY_ATTEMPTS', retryAfter });
  }
}

/**
 * Log-in and sign-up throttling. Every log-in attempt is counted per account (the e-mail as
 * typed, known or not, so the answer never tells whether it exists) before the password is
 * checked: counting first keeps parallel guesses from slipping between check and count.
 * After AUTH_FREE_FAILURES attempts each further one closes the account for 1, 2, 4, ... s
 * (times AUTH_BACKOFF_BASE_SECONDS);
 * after AUTH_LOCK_AFTER_FAILURES it is locked for AUTH_LOCK_MINUTES. A success clears both.
 * Failures per source address are capped per hour across all accounts (password spraying).
 *
 * That lock would let anyone who knows an address lock its owner out. So an attempt carrying a
 * valid device cookie for the account (DeviceCookies: the browser logged in to it before) is
 * counted in that device's own bucket, with the same backoff and lock, and not against the
 * account's or the address's: a flood from elsewhere locks only log-ins from unknown devices.
 */
@Injectable()
export class LoginThrottle {
  private readonly attempts: RateLimiterAbstract;
  private readonly backoff: RateLimiterAbstract;
  private readonly addressFailures: RateLimiterAbstract;
  private readonly signUps: RateLimiterAbstract;
  private readonly refusalAudits: RateLimiterAbstract;
  private readonly lockSeconds: number;

  constructor(
    limiters: LimiterFactory,
    @Inject(ACCOUNT_CONFIG) private readonly config: AccountConfig,
  ) {
    this.lockSeconds = config.AUTH_LOCK_MINUTES * 60;
    this.attempts = limiters.create({
      name: 'login-attempts',
      points: config.AUTH_LOCK_AFTER_FAILURES,
      durationSeconds: this.lockSeconds,
      blockSeconds: this.lockSeconds,
    });
    this.backoff = limiters.create({ name: 'login-backoff', points: 1, durationSeconds: 1 });
    this.addressFailures = limiters.create({
      name: 'login-address-failures',
      points: config.AUTH_IP_FAILURES_PER_HOUR,
      durationSeconds: 3600,
      blockSeconds: 3600,
    });
    this.signUps = limiters.create({
      name: 'sign-ups',
      points: config.AUTH_SIGNUPS_PER_IP_PER_HOUR,
      durationSeconds: 3600,
    });
    this.refusalAudits = limiters.create({ name: 'login-refusal-audits', points: 1, durationSeconds: 60 });
  }

  /**
   * Counts a log-in attempt, or refuses it (ThrottledError) without looking at the password.
   * `deviceKey`: the bucket of a known device (a valid device cookie for this account).
   */
  async beginLogIn(email: string, ip: string, deviceKey?: string): Promise<void> {
    if (!deviceKey) {
      const address = await this.addressFailures.get(ip);
      if (address && address.consumedPoints >= this.config.AUTH_IP_FAILURES_PER_HOUR)
        throw new ThrottledError('ADDRESS_THROTTLED', retryAfterOf(address));
    }
    const key = deviceKey ?? accountKey(email);
    let count: number;
    try {
      count = (await this.attempts.consume(key)).consumedPoints;
    } catch (e) {
      if (isRefusal(e)) throw new ThrottledError('ACCOUNT_LOCKED', retryAfterOf(e));
      throw e;
    }
    const over = count - this.config.AUTH_FREE_FAILURES;
    if (over <= 0) return;
    try {
      // The first attempt in the backoff window opens it; any other inside it is refused.
      await this.backoff.consume(key, 1, {
        customDuration: Math.min(this.config.AUTH_BACKOFF_BASE_SECONDS * 2 ** (over - 1), this.lockSeconds),
      });
    } catch (e) {
      if (!isRefusal(e)) throw e;
      await this.attempts.reward(key, 1); // a refused attempt is not a guess
      throw new ThrottledError('LOGIN_BACKOFF', retryAfterOf(e));
    }
  }

  /** A failed password; a known device's failures are its own bucket's only. */
  async failed(ip: string, deviceKey?: string): Promise<void> {
    if (deviceKey) return;
    await this.addressFailures.consume(ip).catch((e) => {
      if (!isRefusal(e)) throw e;
    });
  }

  /**
   * A right password clears the bucket it was counted in: a known device's success leaves the
   * account's lock for unknown devices in place (else the owner's log-ins would re-open it to the
   * attacker's guesses).
   */
  async succeeded(email: string, deviceKey?: string): Promise<void> {
    const key = deviceKey ?? accountKey(email);
    await Promise.all([this.attempts.delete(key), this.backoff.delete(key)]);
  }

  /** Clears the account's lock and backoff (a password reset proved the owner). */
  async clearAccount(email: string): Promise<void> {
    await this.succeeded(email);
  }

  /**
   * At most one audited refusal (or sign-up with the taken address) per account a minute: a
   * flood must not fill the audit log.
   */
  async shouldAuditRefusal(email: string, kind: 'log_in' | 'sign_up' = 'log_in'): Promise<boolean> {
    return this.refusalAudits.consume(`${kind}:${accountKey(email)}`).then(
      () => true,
      (e) => {
        if (isRefusal(e)) return false;
        throw e;
      },
    );
  }

  async beginSignUp(ip: string): Promise<void> {
    try {
      await this.signUps.consume(ip);
    } catch (e) {
      if (isRefusal(e)) throw new ThrottledError('SIGN_UP_THROTTLED', retryAfterOf(e));
      throw e;
    }
  }
}

// Keys hold no e-mail in clear (Redis is shared infrastructure).
const accountKey = (email: string) => sha256Hex((email ?? '').trim().toLowerCase());
