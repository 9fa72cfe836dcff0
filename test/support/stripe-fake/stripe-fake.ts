import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { decodeStripeForm, type FormObject } from './form-body';
import { FaultPlan, type FaultKind, type FaultOptions, type FaultRequest } from './fault-plan';
import type { Route } from './route';
import { billingRoutes } from './routes/billing.routes';
import { catalogRoutes } from './routes/catalog.routes';
import { customerRoutes } from './routes/customers.routes';
import { productPriceRoutes } from './routes/products-prices.routes';
import { sessionRoutes } from './routes/sessions.routes';
import { StripeHttpError } from './stripe-error';
import { StripeFakeStore, type AcceptedMeterEvent, type StripeObject } from './stripe-fake-store';

export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  body: FormObject;
  idempotencyKey?: string;
  /** HTTP status sent, or null when the fault left no reply (timeout, dropped connection). */
  status: number | null;
  fault?: FaultKind;
  /** True when the reply was replayed from an earlier request with the same Idempotency-Key. */
  replayed: boolean;
}

interface StoredReply {
  fingerprint: string;
  status: number;
  body: unknown;
}

interface Reply {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

const ROUTES: Route[] = [
  ...customerRoutes,
  ...sessionRoutes,
  ...catalogRoutes,
  ...productPriceRoutes,
  ...billingRoutes,
];

/**
 * A Stripe-compatible HTTP server on 127.0.0.1 for tests, spoken to by the official SDK:
 * `new Stripe(key, fake.sdkConfig())`. It keeps state in memory, honours Idempotency-Key like
 * Stripe (same key + same parameters replays the first reply), and injects faults on demand.
 */
export class StripeFake {
  readonly store = new StripeFakeStore();
  private server?: Server;
  private faults = new FaultPlan(null);
  private readonly idempotent = new Map<string, StoredReply>();
  private readonly log: LoggedRequest[] = [];
  private readonly sockets = new Set<Socket>();

  port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.onRequest(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Options for `new Stripe(key, ...)`; merge your own (maxNetworkRetries, timeout) over them. */
  sdkConfig(): { host: string; port: number; protocol: 'http' } {
    return { host: '127.0.0.1', port: this.port, protocol: 'http' };
  }

  // ---- fault injection ------------------------------------------------------------------

  /** Random faults from now on (seeded, so reproducible); `null` turns them off. */
  setFaults(options: FaultOptions | null): void {
    this.faults = new FaultPlan(options);
  }

  /** The next `times` eligible requests fail with `kind`, before any random faults. */
  failNext(kind: FaultKind, times = 1, match?: (request: FaultRequest) => boolean): void {
    this.faults.queue(kind, times, match);
  }

  // ---- seeding --------------------------------------------------------------------------

  addMeter(eventName: string, fields: Partial<StripeObject> = {}): StripeObject {
    const meter: StripeObject = {
      id: this.store.newId('mtr'),
      object: 'billing.meter',
      created: this.store.now(),
      event_name: eventName,
      display_name: eventName,
      status: 'active',
      default_aggregation: { formula: 'sum' },
      customer_mapping: { type: 'by_id', event_payload_key: 'stripe_customer_id' },
      value_settings: { event_payload_key: 'value' },
      event_time_window: null,
      livemode: false,
      ...fields,
    };
    this.store.meters.set(meter.id, meter);
    return meter;
  }

  addPrice(fields: Partial<StripeObject> = {}): StripeObject {
    return this.put(this.store.prices, {
      id: this.store.newId('price'),
      object: 'price',
      created: this.store.now(),
      active: true,
      currency: 'usd',
      product: this.store.newId('prod'),
      lookup_key: null,
      unit_amount: 0,
      recurring: { interval: 'month', usage_type: 'metered' },
      ...fields,
    });
  }

  addSubscription(customer: string, fields: Partial<StripeObject> = {}): StripeObject {
    const now = this.store.now();
    return this.put(this.store.subscriptions, {
      id: this.store.newId('sub'),
      object: 'subscription',
      created: now,
      customer,
      status: 'active',
      cancel_at_period_end: false,
      items: { object: 'list', data: [], has_more: false, url: '/v1/subscription_items' },
      metadata: {},
      livemode: false,
      ...fields,
    });
  }

  addInvoice(customer: string, fields: Partial<StripeObject> = {}): StripeObject {
    return this.put(this.store.invoices, {
      id: this.store.newId('in'),
      object: 'invoice',
      created: this.store.now(),
      customer,
      status: 'paid',
      currency: 'usd',
      amount_due: 0,
      amount_paid: 0,
      subscription: null,
      hosted_invoice_url: null,
      livemode: false,
      ...fields,
    });
  }

  // ---- inspection -----------------------------------------------------------------------

  meterEvents(): AcceptedMeterEvent[] {
    return [...this.store.meterEvents];
  }

  meterEventIdentifiers(): string[] {
    return this.store.meterEvents.map((e) => e.identifier);
  }

  /** Sum of accepted meter event values per Stripe customer id (optionally for one event name). */
  meterTotals(eventName?: string): Record<string, number> {
    const totals: Record<string, number> = {};
    for (const e of this.store.meterEvents)
      if (!eventName || e.eventName === eventName) totals[e.customer] = (totals[e.customer] ?? 0) + e.value;
    return totals;
  }

  requests(): LoggedRequest[] {
    return [...this.log];
  }

  customers(): StripeObject[] {
    return [...this.store.customers.values()];
  }

  prices(): StripeObject[] {
    return [...this.store.prices.values()];
  }

  products(): StripeObject[] {
    return [...this.store.products.values()];
  }

  checkoutSessions(): StripeObject[] {
    return [...this.store.checkoutSessions.values()];
  }

  // ---- HTTP -----------------------------------------------------------------------------

  private put(map: Map<string, StripeObject>, value: StripeObject): StripeObject {
    map.set(value.id, value);
    return value;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const isV2 = url.pathname.startsWith('/v2/');
    const body: FormObject = isV2
      ? raw
        ? (JSON.parse(raw) as FormObject)
        : {}
      : decodeStripeForm(method === 'GET' ? '' : raw);
    const idempotencyKey = header(req, 'idempotency-key');
    const entry: LoggedRequest = {
      method,
      path: url.pathname,
      query: url.search,
      body,
      idempotencyKey,
      status: null,
      replayed: false,
    };
    this.log.push(entry);

    const fault = this.faults.next({ method, path: url.pathname });
    if (fault) entry.fault = fault;
    if (fault === 'timeout') return; // never answered; the client's timeout ends it, stop() cleans up
    if (fault === 'drop-before') return void req.socket.destroy();
    if (fault === '500')
      return this.send(res, entry, {
        status: 500,
        body: { error: { type: 'api_error', message: 'An unknown error occurred (injected by the Stripe fake).' } },
        headers: {},
      });
    if (fault === '429') {
      return this.send(res, entry, {
        status: 429,
        body: {
          error: {
            type: 'invalid_request_error',
            code: 'rate_limit',
            message: 'Too many requests hit the API too quickly (injected by the Stripe fake).',
          },
        },
        headers: { 'Retry-After': String(this.faults.retryAfterSeconds) },
      });
    }

    const reply = this.apply(method, url, body, raw, idempotencyKey, req, entry);
    if (fault === 'drop-after') return void req.socket.destroy();
    this.send(res, entry, reply);
  }

  /** Runs the route, or replays the stored reply for a repeated Idempotency-Key. */
  private apply(
    method: string,
    url: URL,
    body: FormObject,
    raw: string,
    key: string | undefined,
    req: IncomingMessage,
    entry: LoggedRequest,
  ): Reply {
    const auth = header(req, 'authorization');
    if (!auth?.startsWith('Bearer ') || auth.length <= 'Bearer '.length) {
      return {
        status: 401,
        body: { error: { type: 'invalid_request_error', message: 'You did not provide an API key.' } },
        headers: {},
      };
    }
    const fingerprint = createHash('sha256').update(`${method} ${url.pathname}\n${raw}`).digest('hex');
    if (key && method === 'POST') {
      const stored = this.idempotent.get(key);
      if (stored && stored.fingerprint !== fingerprint) {
        return {
          status: 400,
          body: {
            error: {
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
            },
          },
          headers: {},
        };
      }
      if (stored) {
        entry.replayed = true;
        return { status: stored.status, body: stored.body, headers: { 'Idempotent-Replayed': 'true' } };
      }
    }
    const reply = this.route(method, url, body);
    // Stripe saves the outcome of any request that reached its API (success or 4xx) under the key.
    if (key && method === 'POST' && reply.status < 500)
      this.idempotent.set(key, { fingerprint, status: reply.status, body: reply.body });
    return reply;
  }

  private route(method: string, url: URL, body: FormObject): Reply {
    for (const r of ROUTES) {
      if (r.method !== method) continue;
      const m = r.pattern.exec(url.pathname);
      if (!m) continue;
      try {
        return {
          status: 200,
          body: r.handle({
            store: this.store,
            params: m.slice(1).map(decodeURIComponent),
            query: url.searchParams,
            body,
            path: url.pathname,
          }),
          headers: {},
        };
      } catch (error) {
        if (!(error instanceof StripeHttpError)) throw error;
        return { status: error.status, body: error.toBody(), headers: error.extra.headers ?? {} };
      }
    }
    return {
      status: 404,
      body: {
        error: {
          type: 'invalid_request_error',
          message: `Unrecognized request URL (${method}: ${url.pathname}). The Stripe fake does not serve it.`,
        },
      },
      headers: {},
    };
  }

  private send(res: ServerResponse, entry: LoggedRequest, reply: Reply): void {
    entry.status = reply.status;
    const json = JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(json),
      'Request-Id': `req_fake_${this.log.length}`,
      ...reply.headers,
    });
    res.end(json);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
