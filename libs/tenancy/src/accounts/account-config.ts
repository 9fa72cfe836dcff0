import { z } from 'zod';
import { requiredInProduction } from '@app/common';

const flag = z.enum(['1', '0', 'true', 'false']).transform((v) => v === '1' || v === 'true');

// Abuse limits on the account layer. Defaults follow OWASP's authentication cheat sheet: a few
// free tries, then a delay that doubles per failure, then a lock; a cap per source address so
// that spraying many accounts from one machine is slow too.
export const accountConfigSchema = z.object({
  AUTH_FREE_FAILURES: z.coerce.number().int().min(1).default(3),
  // The first backoff window (then doubled per attempt).
  AUTH_BACKOFF_BASE_SECONDS: z.coerce.number().int().min(1).max(60).default(1),
  AUTH_LOCK_AFTER_FAILURES: z.coerce.number().int().min(2).default(10),
  AUTH_LOCK_MINUTES: z.coerce.number().int().min(1).default(15),
  AUTH_IP_FAILURES_PER_HOUR: z.coerce.number().int().min(1).default(100),
  AUTH_SIGNUPS_PER_IP_PER_HOUR: z.coerce.number().int().min(1).default(10),
  // Password-reset and verification e-mails one address can be sent per hour.
  AUTH_EMAILS_PER_ADDRESS_PER_HOUR: z.coerce.number().int().min(1).default(5),
  MAX_TENANTS_PER_USER: z.coerce.number().int().min(1).default(5),
  // 1: a new tenant's free units start only when its owner's e-mail address is verified.
  FREE_UNITS_NEED_VERIFIED_EMAIL: flag.default(true),
  EMAIL_TOKEN_TTL_MINUTES: z.coerce
    .number()
    .int()
    .min(5)
    .default(24 * 60),
  RESET_TOKEN_TTL_MINUTES: z.coerce
    .number()
    .int()
    .min(5)
    .max(24 * 60)
    .default(30),
  // immediate: signUp sets the session at once (and a taken address is refused with CONFLICT).
  // after-verification: signUp sets no session and answers a new and a taken address alike;
  // the e-mailed link logs in. Unset: after-verification in production with SMTP_URL set,
  // immediate otherwise (without a mail server nobody could ever receive the link).
  SIGNUP_SESSION: z.enum(['immediate', 'after-verification']).optional(),
  // HMAC key of the device cookies (OWASP "device cookies": a known device keeps logging in while
  // an account is locked for everyone else). Unset: a random key per process, so device cookies
  // last as long as the process (no worse than without them).
  // In AWS it comes from Secrets Manager (infra: DeviceCookieSecret), one key for every instance.
  AUTH_DEVICE_COOKIE_SECRET: requiredInProduction(z.string().min(32).optional()),
  AUTH_DEVICE_COOKIE_DAYS: z.coerce.number().int().min(1).max(400).default(180),
  NODE_ENV: z.string().optional(),
  SMTP_URL: z.string().optional(),
});

type Parsed = z.infer<typeof accountConfigSchema>;
export type SignUpSessionMode = 'immediate' | 'after-verification';
export type AccountConfig = Omit<Parsed, 'SIGNUP_SESSION'> & { SIGNUP_SESSION: SignUpSessionMode };
export const ACCOUNT_CONFIG = Symbol('ACCOUNT_CONFIG');

/** Reads this area's settings; a bad value stops the process at start with its name. */
export function accountConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AccountConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = accountConfigSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new Error(
      `invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  }
  const c = parsed.data;
  const production = c.NODE_ENV === 'production';
  if (c.SIGNUP_SESSION === 'after-verification' && production && !c.SMTP_URL) {
    // In production the log is not a mailbox: a verification link there would log anyone in.
    throw new Error(
      'invalid configuration:\n  SIGNUP_SESSION: after-verification needs SMTP_URL in production (nobody could receive the link)',
    );
  }
  return { ...c, SIGNUP_SESSION: c.SIGNUP_SESSION ?? (production && c.SMTP_URL ? 'after-verification' : 'immediate') };
}
