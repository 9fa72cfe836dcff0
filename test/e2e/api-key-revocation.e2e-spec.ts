import { needsPostgres, needsRedis } from '../support/database';
import { testRedisUrl } from '../support/services';
import { TestApp, createKey, gql, signUp, startTestApp } from '../support/test-app';

const TENANT = `{ tenant { id } }`;
const REVOKE = `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until the key is refused; returns how long that took after revocation. */
async function msUntilRefused(t: TestApp, secret: string, since: number, limitMs: number): Promise<number> {
  for (;;) {
    const res = await gql(t.http, TENANT, {}, { key: secret });
    if (res.body.errors?.[0]?.extensions?.reason === 'API_KEY_REVOKED') return Date.now() - since;
    if (Date.now() - since > limitMs) return Infinity;
    await sleep(25);
  }
}

const withRedis = needsPostgres('revocation e2e') && needsRedis('revocation e2e') ? describe : describe.skip;

withRedis('revocation reaches other processes through Redis', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    // A long cache TTL: only the broadcast can explain a quick refusal in the other instance.
    const env = { REDIS_URL: testRedisUrl(), API_KEY_CACHE_TTL_MS: '60000' };
    a = await startTestApp(env);
    b = await startTestApp(env, a.db);
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('an instance that cached the key refuses it within a second of the revocation elsewhere', async () => {
    const s = await signUp(a.http);
    const k = await createKey(a.http, s);
    expect((await gql(b.http, TENANT, {}, { key: k.secret })).body.data.tenant.id).toBe(s.tenantId); // cached in b
    const at = Date.now();
    await gql(a.http, REVOKE, { id: k.id }, { session: s });
    expect(await msUntilRefused(b, k.secret, at, 1000)).toBeLessThanOrEqual(1000);
  });
});

const withoutRedis = needsPostgres('revocation e2e (no Redis)') ? describe : describe.skip;

withoutRedis('without Redis, other processes honour revocation within the cache TTL', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const env = { REDIS_URL: '', API_KEY_CACHE_TTL_MS: '1500' };
    a = await startTestApp(env);
    b = await startTestApp(env, a.db);
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('the revoking instance refuses at once; the other one within API_KEY_CACHE_TTL_MS', async () => {
    const s = await signUp(a.http);
    const k = await createKey(a.http, s);
    await gql(a.http, TENANT, {}, { key: k.secret });
    await gql(b.http, TENANT, {}, { key: k.secret });
    const at = Date.now();
    await gql(a.http, REVOKE, { id: k.id }, { session: s });
    expect((await gql(a.http, TENANT, {}, { key: k.secret })).body.errors[0].extensions.reason).toBe('API_KEY_REVOKED');
    const waited = await msUntilRefused(b, k.secret, at, 4000);
    expect(waited).toBeLessThanOrEqual(1500 + 500);
  });
});
