import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { constantTimeEqual } from '@app/common';

/** The previous scheme's header: still sent for one release, then removed (see README). */
export const SIGNATURE_HEADER = 'x-mas-signature';

/**
 * Standard Webhooks (https://www.standardwebhooks.com, as Svix and Replicate sign): headers
 * webhook-id (the same on every retry, so receivers dedupe), webhook-timestamp (unix seconds) and
 * webhook-signature `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, keyed by the bytes
 * of the `whsec_<base64>` secret. Customers verify with any Standard Webhooks library.
 */
export function standardWebhookHeaders(
  secret: string,
  messageId: string,
  body: string,
  at = new Date(),
): Record<string, string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signer(secret).sign(messageId, at, body),
  };
}

// Secrets of jobs submitted before the switch are base64url: Buffer reads both alphabets.
function signer(secret: string): Webhook {
  return new Webhook(Buffer.from(secret.replace(/^whsec_/, ''), 'base64'), { format: 'raw' });
}

/**
 * Deprecated scheme, kept one release: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
 * keyed by the secret's text.
 */
export function signWebhook(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/** For receivers of the deprecated header: checks it within `toleranceS` of now. */
export function verifyWebhookSignature(
  secret: string,
  body: string,
  header: string,
  toleranceS = 300,
  now = Date.now(),
): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(now / 1000 - t) > toleranceS) return false;
  return constantTimeEqual(signWebhook(secret, body, t).split('v1=')[1], parts.v1);
}
