import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import request from 'supertest';
import { createTestDatabase, TestDatabase } from './database';

export interface TestApp {
  app: NestFastifyApplication;
  http: ReturnType<NestFastifyApplication['getHttpServer']>;
  db: TestDatabase;
  /** A PostgreSQL connection (superuser) to the app's database, for assertions on rows. */
  sql: Client;
  close(): Promise<void>;
}

/**
 * Files that sign up dozens of users from 127.0.0.1 and predict at once would trip the account
 * layer's abuse limits: they get roomy limits and a free allowance without e-mail verification.
 * The account security tests (test/e2e/account-*.e2e-spec.ts) pass the real defaults back in.
 */
export const ACCOUNT_TEST_DEFAULTS = {
  FREE_UNITS_NEED_VERIFIED_EMAIL: '0',
  AUTH_SIGNUPS_PER_IP_PER_HOUR: '100000',
  AUTH_IP_FAILURES_PER_HOUR: '100000',
  MAX_TENANTS_PER_USER: '50',
};

/**
 * The real Nest app on its own fresh PostgreSQL database, reached over HTTP with supertest.
 * `env` overrides configuration for this file (e.g. REDIS_URL, API_KEY_CACHE_TTL_MS).
 */
export async function startTestApp(
  env: Record<string, string | undefined> = {},
  shared?: TestDatabase,
): Promise<TestApp> {
  // `shared`: a second app instance on the same database (another process, as far as it knows).
  const db = shared ?? (await createTestDatabase());
  const saved = { ...process.env };
  Object.assign(process.env, {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    REDIS_URL: '',
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '5',
    ...ACCOUNT_TEST_DEFAULTS,
    ...env,
  });
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  // Imported late so that configuration is read after the environment is set.
  const { createApp } = await import('../../apps/api/src/app.factory');
  const app = await createApp({ logger: false });
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  return {
    app,
    http: app.getHttpServer(),
    db,
    sql,
    async close() {
      await sql.end();
      await app.close();
      if (!shared) await db.drop();
      process.env = saved;
    },
  };
}

export interface Session {
  cookie: string[];
  csrf: string;
  userId: string;
  tenantId: string;
}

type Http = TestApp['http'];

/** POSTs a GraphQL operation; pass a session (cookie + CSRF) or an API key, or neither. */
export function gql(
  http: Http,
  query: string,
  variables: Record<string, unknown> = {},
  auth: { session?: Session; key?: string; csrf?: string | null; headers?: Record<string, string> } = {},
) {
  const req = request(http).post('/graphql').set('content-type', 'application/json');
  for (const [name, value] of Object.entries(auth.headers ?? {})) req.set(name, value);
  if (auth.session) {
    req.set('Cookie', auth.session.cookie);
    if (auth.csrf !== null) req.set('x-csrf-token', auth.csrf ?? auth.session.csrf);
  }
  if (auth.key) req.set('authorization', `Bearer ${auth.key}`);
  return req.send({ query, variables });
}

export function cookiesOf(res: request.Response): { cookie: string[]; csrf: string } {
  const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const cookie = set.map((c) => c.split(';')[0]!).filter((c) => !c.endsWith('='));
  const csrf = cookie.find((c) => c.startsWith('csrf_token='))?.slice('csrf_token='.length) ?? '';
  return { cookie, csrf };
}

let counter = 0;
export const uniqueEmail = (tag = 'user') =>
  `${tag}.${Date.now().toString(36)}.${(counter++).toString(36)}@example.com`;
export const STRONG_PASSWORD = 'Corr3ct-Horse-Battery';

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { user { id email role } tenant { id name plan } } }`;

/** Signs up a new user with a new tenant; returns its session. */
export async function signUp(
  http: Http,
  tenantName = 'Acme',
  email = uniqueEmail(),
): Promise<Session & { email: string }> {
  const res = await gql(http, SIGN_UP, { input: { email, password: STRONG_PASSWORD, tenantName } });
  if (res.body.errors) throw new Error(`signUp failed: ${JSON.stringify(res.body.errors)}`);
  const { cookie, csrf } = cookiesOf(res);
  return { cookie, csrf, userId: res.body.data.signUp.user.id, tenantId: res.body.data.signUp.tenant.id, email };
}

const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id prefix scopes } } }`;

/** Creates an API key for the session's tenant; returns its secret and id. */
export async function createKey(
  http: Http,
  session: Session,
  scopes: string[] = ['inference:run', 'models:read'],
  extra: Record<string, unknown> = {},
) {
  const res = await gql(http, CREATE_KEY, { input: { name: 'test key', scopes, ...extra } }, { session });
  if (res.body.errors) throw new Error(`createApiKey failed: ${JSON.stringify(res.body.errors)}`);
  return { secret: res.body.data.createApiKey.secret as string, id: res.body.data.createApiKey.apiKey.id as string };
}
