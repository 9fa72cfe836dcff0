import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import {
  HttpApiRequest,
  HttpApiResult,
  bodyBytes,
  bodyJson,
  httpApiV2Event,
  lambdaContext,
} from '../support/api-gateway-event';
import { TestDatabase, createTestDatabase, needsPostgres } from '../support/database';
import { StripeFake, signedWebhook } from '../support/stripe-fake';
import { ACCOUNT_TEST_DEFAULTS, STRONG_PASSWORD, uniqueEmail } from '../support/test-app';

const d = needsPostgres('lambda handler e2e') ? describe : describe.skip;
const ROOT = path.resolve(__dirname, '../..');
const PORTAL_DIST = path.join(ROOT, 'apps/portal/dist');
const SECRET = 'whsec_test_lambda';
const SETOSA = [5.1, 3.5, 1.4, 0.2];

// The Lambda entry exactly as AWS invokes it: handler(event, context), with API Gateway HTTP API
// (payload 2.0) events, no HTTP server anywhere. Bodies arrive base64-encoded as API Gateway
// sends them for binary-looking requests; cookies arrive in `event.cookies`.
d('lambda handler: API Gateway HTTP API v2 events', () => {
  let db: TestDatabase;
  let sql: Client;
  let fake: StripeFake;
  let handler: (event: unknown, context: unknown) => Promise<HttpApiResult>;
  let shutdown: (() => Promise<void>) | undefined;
  const saved = { ...process.env };
  const exportDir = mkdtempSync(path.join(tmpdir(), 'lambda-audit-'));
  const invoke = (req: HttpApiRequest) => handler(httpApiV2Event(req), lambdaContext());
  const graphql = (query: string, variables: Record<string, unknown>, extra: Partial<HttpApiRequest> = {}) =>
    invoke({
      method: 'POST',
      path: '/graphql',
      base64: true,
      ...extra,
      headers: { 'content-type': 'application/json', ...extra.headers },
      body: JSON.stringify({ query, variables }),
    });

  beforeAll(async () => {
    // The portal is served by the same function; build it once if this checkout has not.
    if (!existsSync(path.join(PORTAL_DIST, 'index.html')))
      execFileSync('npm', ['run', '-s', 'build:portal'], { cwd: ROOT, stdio: 'pipe', timeout: 240_000 });
    fake = await new StripeFake().start();
    db = await createTestDatabase();
    Object.assign(process.env, {
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      REDIS_URL: '',
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '3',
      STRIPE_SECRET_KEY: 'sk_test_x',
      STRIPE_WEBHOOK_SECRET: SECRET,
      STRIPE_API_BASE: `http://127.0.0.1:${fake.port}`,
      AUDIT_EXPORT_DIR: exportDir,
      AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      ...ACCOUNT_TEST_DEFAULTS,
    });
    // Imported late so that configuration is read after the environment is set.
    ({ handler, shutdown } = (await import('../../apps/api/src/lambda')) as unknown as {
      handler: typeof handler;
      shutdown: typeof shutdown;
    });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  }, 300_000);
  afterAll(async () => {
    await sql?.end();
    await shutdown?.();
    await db?.drop();
    await fake?.stop();
    rmSync(exportDir, { recursive: true, force: true });
    process.env = saved;
  });

  let cookies: string[];
  let csrf: string;
  let tenantId: string;
  let key: string;

  it('signs up through the handler: session cookies come back in the v2 `cookies` field', async () => {
    const res = await graphql(
      `
        mutation ($i: SignUpInput!) {
          signUp(input: $i) {
            tenant {
              id
            }
          }
        }
      `,
      { i: { email: uniqueEmail('lambda'), password: STRONG_PASSWORD, tenantName: 'Lambda Co' } },
    );
    expect(res.statusCode).toBe(200);
    expect(bodyJson(res).errors).toBeUndefined();
    tenantId = bodyJson(res).data.signUp.tenant.id;
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.cookies?.find((c) => c.startsWith('mas_session='))).toMatch(/HttpOnly/i);
    cookies = (res.cookies ?? []).map((c) => c.split(';')[0]!).filter((c) => !c.endsWith('='));
    csrf = cookies.find((c) => c.startsWith('csrf_token='))!.slice('csrf_token='.length);
  });

  it('a GraphQL query with the session cookies (base64 body) answers; without them it is UNAUTHENTICATED', async () => {
    const create = await graphql(
      `
        mutation ($i: CreateApiKeyInput!) {
          createApiKey(input: $i) {
            secret
          }
        }
      `,
      { i: { name: 'lambda', scopes: ['inference:run', 'models:read'] } },
      { cookies, headers: { 'x-csrf-token': csrf } },
    );
    expect(bodyJson(create).errors).toBeUndefined();
    key = bodyJson(create).data.createApiKey.secret;
    const me = await graphql(
      `
        {
          apiKeys {
            totalCount
          }
        }
      `,
      {},
      { cookies, headers: { 'x-csrf-token': csrf } },
    );
    expect(bodyJson(me).data).toEqual({ apiKeys: { totalCount: 1 } });
    const anonymous = await graphql(
      `
        {
          apiKeys {
            totalCount
          }
        }
      `,
      {},
    );
    expect(bodyJson(anonymous).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('a prediction (Open Inference Protocol, base64 body) answers and goes through the ledger', async () => {
    const res = await invoke({
      method: 'POST',
      path: '/v2/models/iris/infer',
      base64: true,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: SETOSA }] }),
    });
    expect(res.statusCode).toBe(200);
    const out = bodyJson(res).outputs[0];
    expect(out.shape).toEqual([1, 3]);
    expect(out.data[0]).toBeGreaterThan(out.data[1]);
    const usage = await sql.query(`select coalesce(sum(units), 0)::int n from usage_records where "tenantId" = $1`, [
      tenantId,
    ]);
    expect(usage.rows[0].n).toBe(1);
    const audit = await sql.query(
      `select count(*)::int n from audit_events where "tenantId" = $1 and action = 'inference.predict'`,
      [tenantId],
    );
    expect(audit.rows[0].n).toBe(1);
  });

  it('serves a portal asset byte for byte, and index.html for a client-side route', async () => {
    const assets = readdirSync(path.join(PORTAL_DIST, 'assets'));
    const file = assets.find((f) => f.endsWith('.js'))!;
    const res = await invoke({ method: 'GET', path: `/assets/${file}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(bodyBytes(res).equals(readFileSync(path.join(PORTAL_DIST, 'assets', file)))).toBe(true);
    const page = await invoke({ method: 'GET', path: '/keys' });
    expect(page.statusCode).toBe(200);
    expect(bodyBytes(page).toString()).toContain('<div id="root">');
  });

  it('a Stripe webhook verifies over the decoded body; the same signature over other bytes is refused', async () => {
    await sql.query(`update tenants set "stripeCustomerId" = 'cus_lambda' where id = $1`, [tenantId]);
    // Non-ASCII text: a body decoded as anything but its exact UTF-8 bytes fails the signature.
    const event = {
      id: 'evt_lambda_1',
      type: 'customer.subscription.updated',
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: 'sub_l',
          object: 'subscription',
          customer: 'cus_lambda',
          status: 'active',
          metadata: { planId: 'pro', note: 'Zürich – ✓' },
          items: { data: [] },
        },
      },
    };
    const w = signedWebhook(event, SECRET);
    const send = (body: string) =>
      invoke({
        method: 'POST',
        path: '/webhooks/stripe',
        base64: true,
        headers: { 'content-type': 'application/json', 'stripe-signature': w.signature },
        body,
      });
    const tampered = await send(JSON.stringify(JSON.parse(w.payload), null, 1));
    expect(tampered.statusCode).toBe(400);
    expect((await sql.query(`select "planId" from tenants where id = $1`, [tenantId])).rows[0].planId).toBe('free');
    const ok = await send(w.payload);
    expect(ok.statusCode).toBe(200);
    expect(bodyJson(ok)).toEqual({ received: true, duplicate: false });
    expect((await sql.query(`select "planId" from tenants where id = $1`, [tenantId])).rows[0].planId).toBe('pro');
  });

  it('an unknown API path is the JSON 404, not the portal', async () => {
    const res = await invoke({ method: 'GET', path: '/v2/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/json/);
  });
  it("EventBridge's scheduled event runs one pass of the audit duties: each tenant with new events exported once", async () => {
    // The event EventBridge sends a rule's target (AWS documentation, "Scheduled Event").
    const scheduled = {
      version: '0',
      id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: new Date().toISOString(),
      region: 'eu-west-1',
      resources: ['arn:aws:events:eu-west-1:123456789012:rule/AuditDutiesSchedule'],
      detail: {},
    };
    const exportsOf = async () =>
      (
        await sql.query(`select count(*)::int n from audit_events where "tenantId" = $1 and action = 'audit.export'`, [
          tenantId,
        ])
      ).rows[0].n as number;
    expect(await exportsOf()).toBe(0);
    const first = (await handler(scheduled, lambdaContext())) as unknown as {
      duties: string;
      exported: { exported: number; failed: number };
      purged: unknown;
    };
    expect(first.duties).toBe('audit-export-and-purge');
    expect(first.exported.failed).toBe(0);
    expect(first.exported.exported).toBeGreaterThanOrEqual(1);
    expect(await exportsOf()).toBe(1);
    expect(readdirSync(exportDir, { recursive: true }).some((f) => String(f).endsWith('.jsonl'))).toBe(true);
    // Nothing new since: the next pass exports nothing for this tenant.
    const second = (await handler(scheduled, lambdaContext())) as unknown as { exported: { exported: number } };
    expect(second.exported.exported).toBe(0);
    expect(await exportsOf()).toBe(1);
    // An API Gateway event never counts as scheduled, whatever fields it carries.
    const { isScheduledEvent } = await import('../../apps/api/src/lambda');
    expect(isScheduledEvent(scheduled)).toBe(true);
    expect(
      isScheduledEvent({
        ...httpApiV2Event({ method: 'GET', path: '/healthz' }),
        source: 'aws.events',
        'detail-type': 'Scheduled Event',
      }),
    ).toBe(false);
  });
});
