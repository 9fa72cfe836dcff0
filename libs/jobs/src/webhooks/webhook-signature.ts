import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '@app/common';

export const SIGNATURE_HEADER = 'x-mas-signature';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (the scheme Stripe uses): the
 * timestamp is signed too, so a receiver can refuse old replays.
 */
export function signWebhook(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/** For receivers (and tests): checks a signature header, within `toleranceS` of now. */
export function verifyWebhookSignature(secret: string, body: string, header: string, toleranceS = 300, now = Date.now()): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(now / 1000 - t) > toleranceS) return false;
  return constantTimeEqual(signWebhook(secret, body, t).split('v1=')[1], parts.v1);
}
