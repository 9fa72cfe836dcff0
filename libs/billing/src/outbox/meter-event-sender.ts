import type { StripeClient } from '../stripe/stripe-client';

export interface OutboxRow {
  id: string;
  tenantId: string;
  identifier: string;
  eventName: string;
  customerId: string | null;
  value: bigint;
  timestamp: Date;
  attempts: number;
}

export type SendOutcome = { ok: true; duplicate: boolean } | { ok: false; error: string; retryAfterMs?: number };

const DUPLICATE = /already exists with identifier/i;

/**
 * One outbox row to one Stripe meter event. The identifier is the outbox row's, fixed when the
 * usage was recorded: Stripe refuses a second event with it, and that refusal means "already
 * billed", which is success for us (a previous attempt got through but its reply was lost).
 */
export async function sendMeterEvent(stripe: StripeClient, row: OutboxRow, customerId: string): Promise<SendOutcome> {
  try {
    await stripe.billing.meterEvents.create(
      {
        event_name: row.eventName,
        identifier: row.identifier,
        timestamp: Math.floor(row.timestamp.getTime() / 1000),
        payload: { stripe_customer_id: customerId, value: row.value.toString() },
      },
      // The SDK retries under this key; our own retries rely on the identifier instead.
      { idempotencyKey: `meter-${row.identifier}` },
    );
    return { ok: true, duplicate: false };
  } catch (e) {
    const err = e as { type?: string; statusCode?: number; message?: string; headers?: Record<string, string> };
    if (err.statusCode === 400 && DUPLICATE.test(err.message ?? '')) return { ok: true, duplicate: true };
    const retryAfter = Number(err.headers?.['retry-after']);
    return {
      ok: false,
      error: `${err.type ?? 'Error'} ${err.statusCode ?? ''}: ${err.message ?? String(e)}`.slice(0, 500),
      ...(retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
    };
  }
}
