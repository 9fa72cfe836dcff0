import { createHash } from 'node:crypto';

// Last line of defence: callers should never pass these, and an audit record is kept for years.
const SECRET_KEYS =
  /^(password|newPassword|passwordHash|secret|apiKeySecret|token|accessToken|refreshToken|sessionToken|authorization|cookie|csrfToken)$/i;
const KEY_SECRET = /mk_live_[1-9A-HJ-NP-Za-km-z]{24,}/g;
export const REDACTED = '[redacted]';

/** A copy of metadata with secret-named fields and anything shaped like an API key secret removed. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(KEY_SECRET, REDACTED);
  if (value === null || typeof value !== 'object' || depth > 20 || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k,
      SECRET_KEYS.test(k) ? REDACTED : redactSecrets(v, depth + 1),
    ]),
  );
}

/**
 * What an audit record keeps of an inference payload: its SHA-256 and size always, the data
 * itself only when the tenant opted in to payload logging (tenants.payloadLogging).
 */
export function auditPayload(
  payloadLogging: boolean,
  data: unknown,
): { sha256: string; bytes: number; data?: unknown } {
  const text = typeof data === 'string' ? data : JSON.stringify(data ?? null);
  const digest = { sha256: createHash('sha256').update(text).digest('hex'), bytes: Buffer.byteLength(text) };
  return payloadLogging ? { ...digest, data } : digest;
}
