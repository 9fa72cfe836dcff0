import { randomBytes } from 'node:crypto';

export type StripeObject = { id: string; object: string; created: number; [field: string]: unknown };

export interface AcceptedMeterEvent {
  identifier: string;
  eventName: string;
  customer: string;
  value: number;
  /** Seconds since the epoch, as Stripe keeps it. */
  timestamp: number;
  payload: Record<string, string>;
  /** 'v1' for POST /v1/billing/meter_events, 'v2' for the v2 endpoints. */
  api: 'v1' | 'v2';
}

/** Everything the fake knows, in insertion order (Stripe lists newest first; see `list`). */
export class StripeFakeStore {
  readonly customers = new Map<string, StripeObject>();
  readonly subscriptions = new Map<string, StripeObject>();
  readonly invoices = new Map<string, StripeObject>();
  readonly products = new Map<string, StripeObject>();
  readonly prices = new Map<string, StripeObject>();
  readonly meters = new Map<string, StripeObject>();
  readonly checkoutSessions = new Map<string, StripeObject>();
  readonly portalSessions = new Map<string, StripeObject>();
  readonly meterEvents: AcceptedMeterEvent[] = [];
  readonly meterEventIdentifiers = new Set<string>();

  constructor(readonly now: () => number = () => Math.floor(Date.now() / 1000)) {}

  newId(prefix: string): string {
    return `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 14)}`;
  }

  meterFor(eventName: string): StripeObject | undefined {
    for (const meter of this.meters.values())
      if (meter.event_name === eventName && meter.status === 'active') return meter;
    return undefined;
  }
}

/**
 * Stripe's list envelope with `limit` (default 10, max 100) and cursor pagination by
 * `starting_after` / `ending_before`, newest first, so the SDK's auto-pagination works.
 */
export function listEnvelope(url: string, items: StripeObject[], query: URLSearchParams): Record<string, unknown> {
  const ordered = [...items].reverse();
  const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? 10)));
  let start = 0;
  const after = query.get('starting_after');
  const before = query.get('ending_before');
  if (after) start = ordered.findIndex((x) => x.id === after) + 1;
  let end = ordered.length;
  if (before) {
    end = Math.max(
      0,
      ordered.findIndex((x) => x.id === before),
    );
    start = Math.max(0, end - limit);
  }
  const data = ordered.slice(start, Math.min(end, start + limit));
  return { object: 'list', data, has_more: start + data.length < end, url };
}
