import request from 'supertest';
import { needsPostgres } from '../support/database';
import { TestApp, createKey, gql, signUp, startTestApp } from '../support/test-app';

const d = needsPostgres('authorization denials e2e') ? describe : describe.skip;

const REVOKE = `mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`;

d('authorization denials: counted in /metrics, audited in the tenant concerned', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const denials = async (tenantId: string) => {
    await new Promise((r) => setTimeout(r, 300)); // written after the answer
    const { rows } = await t.sql.query(
      `select "actorType", "actorId", "targetId", metadata from audit_events where "tenantId" = $1 and action = 'auth.denied' order by seq`,
      [tenantId],
    );
    return rows;
  };
  const counter = async (reason: string) => {
    const text = (await request(t.http).get('/metrics')).text;
    const line = text.split('\n').find((l) => l.startsWith(`auth_denials_total{reason="${reason}"}`));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  it('a revoked key: UNAUTHENTICATED, one audit event with address and user agent, one count', async () => {
    const s = await signUp(t.http, 'Revoked Co');
    const key = await createKey(t.http, s, ['models:read']);
    expect((await gql(t.http, REVOKE, { id: key.id }, { session: s })).body.errors).toBeUndefined();
    const before = await counter('API_KEY_REVOKED');
    const res = await gql(t.http, `{ models { totalCount } }`, {}, { key: key.secret }).set('user-agent', 'scanner/2');
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'API_KEY_REVOKED' });
    const rows = await denials(s.tenantId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actorType: 'api_key', actorId: key.id, targetId: 'graphql:models' });
    expect(rows[0].metadata).toMatchObject({
      reason: 'API_KEY_REVOKED',
      userAgent: 'scanner/2',
      ip: expect.stringMatching(/127\.0\.0\.1/),
    });
    expect(await counter('API_KEY_REVOKED')).toBe(before + 1);
  });

  it('an expired key, a wrong secret under a real prefix, a missing scope, a session-only operation by key', async () => {
    const s = await signUp(t.http, 'Denied Co');
    const key = await createKey(t.http, s, ['models:read']);
    await t.sql.query(`update api_keys set "expiresAt" = now() - interval '1 second' where id = $1`, [key.id]);
    expect(
      (await gql(t.http, `{ models { totalCount } }`, {}, { key: key.secret })).body.errors[0].extensions.reason,
    ).toBe('API_KEY_EXPIRED');

    const live = await createKey(t.http, s, ['models:read']);
    const forged = live.secret.slice(0, -4) + (live.secret.endsWith('1111') ? '2222' : '1111');
    expect((await gql(t.http, `{ models { totalCount } }`, {}, { key: forged })).body.errors[0].extensions.reason).toBe(
      'API_KEY_INVALID',
    );
    const scope = await gql(t.http, `{ auditEvents(first: 1) { edges { node { id } } } }`, {}, { key: live.secret });
    expect(scope.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'SCOPE_MISSING' });
    const session = await gql(
      t.http,
      `mutation { inviteMember(input: { email: "x@example.com", role: DEVELOPER }) { id } }`,
      {},
      { key: live.secret },
    );
    expect(session.body.errors[0].extensions.code).toBe('FORBIDDEN');

    const reasons = (await denials(s.tenantId)).map((r) => r.metadata.reason);
    expect(reasons).toEqual([
      'API_KEY_EXPIRED',
      'API_KEY_INVALID',
      'SCOPE_MISSING',
      expect.stringMatching(/SCOPE_MISSING|SESSION_REQUIRED/),
    ]);
  });

  it('a session without its CSRF header is audited as the session user', async () => {
    const s = await signUp(t.http, 'Csrf Co');
    const res = await gql(t.http, `{ tenant { id } }`, {}, { session: s, csrf: null });
    expect(res.body.errors[0].extensions.reason).toBe('CSRF_TOKEN_INVALID');
    const rows = await denials(s.tenantId);
    expect(rows).toEqual([
      expect.objectContaining({
        actorType: 'user',
        actorId: s.userId,
        metadata: expect.objectContaining({ reason: 'CSRF_TOKEN_INVALID' }),
      }),
    ]);
  });

  it('a flood of bad keys is counted in full but audits at most 30 a minute', async () => {
    const s = await signUp(t.http, 'Flooded Co');
    const key = await createKey(t.http, s, ['models:read']);
    await gql(t.http, REVOKE, { id: key.id }, { session: s });
    const before = await counter('API_KEY_REVOKED');
    for (let i = 0; i < 45; i++) await gql(t.http, `{ models { totalCount } }`, {}, { key: key.secret });
    expect(await counter('API_KEY_REVOKED')).toBe(before + 45);
    expect((await denials(s.tenantId)).length).toBe(30);
  });

  it('an unknown key concerns no tenant: counted, audited nowhere', async () => {
    const before = await counter('API_KEY_INVALID');
    const total = Number(
      (await t.sql.query(`select count(*) from audit_events where action = 'auth.denied'`)).rows[0].count,
    );
    await gql(t.http, `{ models { totalCount } }`, {}, { key: 'mk_live_NoSuchKeyNoSuchKeyNoSuchKey12345' });
    expect(await counter('API_KEY_INVALID')).toBe(before + 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(
      Number((await t.sql.query(`select count(*) from audit_events where action = 'auth.denied'`)).rows[0].count),
    ).toBe(total);
  });

  describe('revoking needs the scopes of the key revoked', () => {
    it('a keys:write key cannot revoke a key holding more; it can revoke one within its own', async () => {
      const s = await signUp(t.http, 'Revoker Co');
      const manager = await createKey(t.http, s, ['keys:write', 'models:read']);
      const strong = await createKey(t.http, s, ['admin']);
      const weak = await createKey(t.http, s, ['models:read']);
      const refused = await gql(t.http, REVOKE, { id: strong.id }, { key: manager.secret });
      expect(refused.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'SCOPE_NOT_GRANTABLE' });
      expect(
        (await t.sql.query('select "revokedAt" from api_keys where id = $1', [strong.id])).rows[0].revokedAt,
      ).toBeNull();
      expect(
        (await gql(t.http, REVOKE, { id: weak.id }, { key: manager.secret })).body.data.revokeApiKey.revokedAt,
      ).not.toBeNull();
    });

    it("another tenant's key is NOT_FOUND", async () => {
      const a = await signUp(t.http, 'A Co');
      const b = await signUp(t.http, 'B Co');
      const bKey = await createKey(t.http, b, ['models:read']);
      const res = await gql(t.http, REVOKE, { id: bKey.id }, { session: a });
      expect(res.body.errors[0].extensions.code).toBe('NOT_FOUND');
    });
  });
});
