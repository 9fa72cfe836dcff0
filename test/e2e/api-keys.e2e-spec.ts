import request from 'supertest';
import { needsPostgres } from '../support/database';
import { TestApp, createKey, gql, signUp, startTestApp } from '../support/test-app';

const d = needsPostgres('api keys e2e') ? describe : describe.skip;

const TENANT = `{ tenant { id name } }`;
const LIST = `query($first: Int, $after: String) { apiKeys(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id name prefix scopes lastUsedAt revokedAt expiresAt } } } }`;
const REVOKE = `mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`;
const ROTATE = `mutation($id: ID!) { rotateApiKey(id: $id) { secret apiKey { id prefix scopes } } }`;

d('API keys: format, storage, scopes, expiry, rotation and revocation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows the secret once; stores only its SHA-256, a display prefix and the scopes', async () => {
    const s = await signUp(t.http);
    const { secret, id } = await createKey(t.http, s, ['models:read', 'inference:run']);
    expect(secret).toMatch(/^mk_live_[1-9A-HJ-NP-Za-km-z]{30,36}$/);
    const { rows } = await t.sql.query('select * from api_keys where id = $1', [id]);
    expect(rows[0].hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows[0])).not.toContain(secret.slice(8));
    expect(rows[0].prefix).toBe(secret.slice(0, 16));
    expect(rows[0].scopes).toEqual(['inference:run', 'models:read']);
    const list = await gql(t.http, LIST, {}, { session: s });
    expect(JSON.stringify(list.body)).not.toContain(secret);
    expect(list.body.data.apiKeys.edges[0].node).toMatchObject({ id, prefix: secret.slice(0, 16) });
    const audit = await t.sql.query(
      `select metadata from audit_events where action = 'api_key.create' and "targetId" = $1`,
      [id],
    );
    expect(JSON.stringify(audit.rows[0].metadata)).not.toContain(secret);
  });

  it('authenticates GraphQL with Bearer and x-api-key, for its own tenant only', async () => {
    const a = await signUp(t.http, 'Alpha');
    const b = await signUp(t.http, 'Bravo');
    const ka = await createKey(t.http, a);
    const kb = await createKey(t.http, b);
    expect((await gql(t.http, TENANT, {}, { key: ka.secret })).body.data.tenant).toEqual({
      id: a.tenantId,
      name: 'Alpha',
    });
    const viaHeader = await request(t.http).post('/graphql').set('x-api-key', kb.secret).send({ query: TENANT });
    expect(viaHeader.body.data.tenant).toEqual({ id: b.tenantId, name: 'Bravo' });
  });

  it.each([
    ['garbage', 'hello'],
    ['well-formed but unknown', 'mk_live_' + '2'.repeat(33)],
    ['wrong scheme', null],
  ])('rejects a %s key with UNAUTHENTICATED', async (_label, key) => {
    const req = request(t.http).post('/graphql').send({ query: TENANT });
    if (key) req.set('authorization', `Bearer ${key}`);
    else req.set('authorization', 'Basic dXNlcjpwYXNz');
    const res = await req;
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(res.body.errors[0].extensions.reason).toBe('API_KEY_INVALID');
  });

  it('an expired key is refused (API_KEY_EXPIRED), cached or not; an expiry in the past cannot be set', async () => {
    const s = await signUp(t.http);
    const soon = await createKey(t.http, s, ['models:read'], { expiresAt: new Date(Date.now() + 1500).toISOString() });
    expect((await gql(t.http, TENANT, {}, { key: soon.secret })).body.data.tenant.id).toBe(s.tenantId); // cached now
    await new Promise((r) => setTimeout(r, 1700));
    expect((await gql(t.http, TENANT, {}, { key: soon.secret })).body.errors[0].extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'API_KEY_EXPIRED',
    });
    const later = await createKey(t.http, s, ['models:read'], {
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    await t.sql.query(`update api_keys set "expiresAt" = now() - interval '1 second' where id = $1`, [later.id]);
    expect((await gql(t.http, TENANT, {}, { key: later.secret })).body.errors[0].extensions.reason).toBe(
      'API_KEY_EXPIRED',
    );
    const past = await gql(
      t.http,
      `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }`,
      { i: { name: 'x', scopes: ['models:read'], expiresAt: new Date(Date.now() - 1000).toISOString() } },
      { session: s },
    );
    expect(past.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_EXPIRY' });
  });

  it('a key without the needed scope is FORBIDDEN; unknown scopes are BAD_USER_INPUT and write nothing', async () => {
    const s = await signUp(t.http);
    const k = await createKey(t.http, s, ['models:read']);
    const res = await gql(t.http, LIST, {}, { key: k.secret });
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'SCOPE_MISSING' });
    const before = Number((await t.sql.query('select count(*) from api_keys')).rows[0].count);
    const bad = await gql(
      t.http,
      `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }`,
      { i: { name: 'x', scopes: ['models:read', 'root'] } },
      { session: s },
    );
    expect(bad.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_SCOPE' });
    const none = await gql(
      t.http,
      `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }`,
      { i: { name: 'x', scopes: [] } },
      { session: s },
    );
    expect(none.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(Number((await t.sql.query('select count(*) from api_keys')).rows[0].count)).toBe(before);
  });

  it('a key never grants more than its creator holds', async () => {
    const s = await signUp(t.http);
    const writer = await createKey(t.http, s, ['keys:write', 'models:read']);
    const ok = await gql(
      t.http,
      `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { scopes } } }`,
      { i: { name: 'child', scopes: ['models:read'] } },
      { key: writer.secret },
    );
    expect(ok.body.data.createApiKey.apiKey.scopes).toEqual(['models:read']);
    const escalate = await gql(
      t.http,
      `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }`,
      { i: { name: 'child', scopes: ['admin'] } },
      { key: writer.secret },
    );
    expect(escalate.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'SCOPE_NOT_GRANTABLE' });
    // A member with the developer role cannot mint billing or audit keys either.
    await t.sql.query(`update memberships set role = 'DEVELOPER' where "userId" = $1`, [s.userId]);
    const dev = await gql(
      t.http,
      `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }`,
      { i: { name: 'x', scopes: ['audit:read'] } },
      { session: s },
    );
    expect(dev.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'SCOPE_NOT_GRANTABLE' });
  });

  it('revocation takes effect at once in this process, even for a cached key', async () => {
    const s = await signUp(t.http);
    const k = await createKey(t.http, s);
    expect((await gql(t.http, TENANT, {}, { key: k.secret })).body.data.tenant.id).toBe(s.tenantId); // now cached
    const revoked = await gql(t.http, REVOKE, { id: k.id }, { session: s });
    expect(revoked.body.data.revokeApiKey.revokedAt).toBeTruthy();
    const after = await gql(t.http, TENANT, {}, { key: k.secret });
    expect(after.body.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'API_KEY_REVOKED' });
  });

  it('rotation issues a new secret with the same scopes and revokes the old one', async () => {
    const s = await signUp(t.http);
    const k = await createKey(t.http, s, ['models:read', 'usage:read']);
    const res = await gql(t.http, ROTATE, { id: k.id }, { session: s });
    const { secret, apiKey } = res.body.data.rotateApiKey;
    expect(secret).not.toBe(k.secret);
    expect(apiKey.scopes).toEqual(['models:read', 'usage:read']);
    expect((await gql(t.http, TENANT, {}, { key: k.secret })).body.errors[0].extensions.reason).toBe('API_KEY_REVOKED');
    expect((await gql(t.http, TENANT, {}, { key: secret })).body.data.tenant.id).toBe(s.tenantId);
    const actions = (
      await t.sql.query(`select action from audit_events where "tenantId" = $1 order by seq`, [s.tenantId])
    ).rows.map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['api_key.create', 'api_key.rotate']));
  });

  it("another tenant's key ids are NOT_FOUND for revoke and rotate, and nothing changes", async () => {
    const a = await signUp(t.http);
    const b = await signUp(t.http);
    const kb = await createKey(t.http, b);
    for (const op of [REVOKE, ROTATE]) {
      const res = await gql(t.http, op, { id: kb.id }, { session: a });
      expect(res.body.errors[0].extensions.code).toBe('NOT_FOUND');
    }
    const unknown = await gql(t.http, REVOKE, { id: 'key_doesnotexist' }, { session: a });
    expect(unknown.body.errors[0].extensions.code).toBe('NOT_FOUND');
    expect((await t.sql.query('select "revokedAt" from api_keys where id = $1', [kb.id])).rows[0].revokedAt).toBeNull();
    expect((await gql(t.http, TENANT, {}, { key: kb.secret })).body.data.tenant.id).toBe(b.tenantId);
    const listA = await gql(t.http, LIST, {}, { session: a });
    expect(listA.body.data.apiKeys.edges.map((e: any) => e.node.id)).not.toContain(kb.id);
  });

  it('pages through keys with cursors; bad cursors and page sizes are BAD_USER_INPUT', async () => {
    const s = await signUp(t.http);
    for (let i = 0; i < 5; i++) await createKey(t.http, s, ['models:read']);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const res: any = await gql(t.http, LIST, { first: 2, after }, { session: s });
      expect(res.body.data.apiKeys.totalCount).toBe(5);
      seen.push(...res.body.data.apiKeys.edges.map((e: any) => e.node.id));
      after = res.body.data.apiKeys.pageInfo.hasNextPage ? res.body.data.apiKeys.pageInfo.endCursor : null;
    } while (after);
    expect(new Set(seen).size).toBe(5);
    expect((await gql(t.http, LIST, { first: 2, after: '!!!' }, { session: s })).body.errors[0].extensions.code).toBe(
      'BAD_USER_INPUT',
    );
    expect((await gql(t.http, LIST, { first: 1000 }, { session: s })).body.errors[0].extensions.code).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('records lastUsedAt in batches, not per request', async () => {
    const s = await signUp(t.http);
    const k = await createKey(t.http, s);
    await gql(t.http, TENANT, {}, { key: k.secret });
    expect(
      (await t.sql.query('select "lastUsedAt" from api_keys where id = $1', [k.id])).rows[0].lastUsedAt,
    ).toBeNull();
    const { ApiKeyVerifier } = await import('@app/api-keys');
    await t.app.get(ApiKeyVerifier).flushLastUsed();
    const at = (await t.sql.query('select "lastUsedAt" from api_keys where id = $1', [k.id])).rows[0]
      .lastUsedAt as Date;
    expect(Math.abs(at.getTime() - Date.now())).toBeLessThan(60_000);
  });
});
