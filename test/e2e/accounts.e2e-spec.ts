import { needsPostgres } from '../support/database';
import { STRONG_PASSWORD, TestApp, cookiesOf, gql, signUp, startTestApp, uniqueEmail } from '../support/test-app';

const d = needsPostgres('accounts e2e') ? describe : describe.skip;

const LOG_IN = `mutation($input: LogInInput!) { logIn(input: $input) { user { id email } tenant { id } } }`;
const ME = `{ me { id email role currentTenantId memberships { role tenant { id name } } } }`;

d('accounts: sign up, log in, log out, sessions and CSRF', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const count = async (table: string) => Number((await t.sql.query(`select count(*) from ${table}`)).rows[0].count);

  it('signs up: HttpOnly session cookie, readable CSRF cookie, owner of a new tenant on the free plan', async () => {
    const email = uniqueEmail();
    const res = await gql(
      t.http,
      `mutation($i: SignUpInput!) { signUp(input: $i) { user { email role } tenant { name plan } } }`,
      {
        i: { email: email.toUpperCase(), password: STRONG_PASSWORD, tenantName: 'Acme' },
      },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.signUp).toEqual({ user: { email, role: 'OWNER' }, tenant: { name: 'Acme', plan: 'free' } });
    const raw = ([] as string[]).concat(res.headers['set-cookie']);
    expect(raw.find((c) => c.startsWith('mas_session='))).toMatch(/HttpOnly/i);
    expect(raw.find((c) => c.startsWith('csrf_token='))).not.toMatch(/HttpOnly/i);
    const { rows } = await t.sql.query('select "passwordHash" from users where email = $1', [email]);
    expect(rows[0].passwordHash).toMatch(/^\$argon2id\$/);
    expect(rows[0].passwordHash).not.toContain(STRONG_PASSWORD);
  });

  it('a session needs its CSRF token; with it, me and tenant answer', async () => {
    const s = await signUp(t.http, 'Beta');
    const without = await gql(t.http, `{ tenant { id } }`, {}, { session: s, csrf: null });
    expect(without.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(without.body.errors[0].extensions.reason).toBe('CSRF_TOKEN_INVALID');
    const wrong = await gql(t.http, `{ tenant { id } }`, {}, { session: s, csrf: 'not-the-token' });
    expect(wrong.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const me = await gql(t.http, ME, {}, { session: s });
    expect(me.body.data.me).toMatchObject({
      id: s.userId,
      role: 'OWNER',
      currentTenantId: s.tenantId,
      memberships: [{ role: 'OWNER', tenant: { id: s.tenantId, name: 'Beta' } }],
    });
  });

  it('me is null without a session; tenant is UNAUTHENTICATED', async () => {
    expect((await gql(t.http, ME)).body.data.me).toBeNull();
    const res = await gql(t.http, `{ tenant { id } }`);
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('logs in with a new session id; log out revokes it', async () => {
    const s = await signUp(t.http);
    const res = await gql(t.http, LOG_IN, { input: { email: s.email, password: STRONG_PASSWORD } }, { session: s });
    expect(res.body.data.logIn.user.id).toBe(s.userId);
    const fresh = cookiesOf(res);
    expect(fresh.cookie.find((c) => c.startsWith('mas_session='))).not.toEqual(
      s.cookie.find((c) => c.startsWith('mas_session=')),
    );
    // The session the log-in replaced no longer works.
    expect((await gql(t.http, ME, {}, { session: s })).body.data.me).toBeNull();
    const session = { ...s, ...fresh };
    expect((await gql(t.http, ME, {}, { session })).body.data.me.id).toBe(s.userId);
    expect((await gql(t.http, `mutation { logOut }`, {}, { session })).body.data.logOut).toBe(true);
    expect((await gql(t.http, ME, {}, { session })).body.data.me).toBeNull();
  });

  it('wrong password and unknown e-mail: the same UNAUTHENTICATED, no session, failure audited', async () => {
    const s = await signUp(t.http);
    const before = await count('sessions');
    for (const input of [
      { email: s.email, password: 'Wrong-password-1' },
      { email: uniqueEmail('nobody'), password: STRONG_PASSWORD },
    ]) {
      const res = await gql(t.http, LOG_IN, { input });
      expect(res.body.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' });
      expect(res.body.errors[0].message).toBe('invalid e-mail or password');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(await count('sessions')).toBe(before);
    const audit = await t.sql.query(`select action from audit_events where "tenantId" = $1 order by seq`, [s.tenantId]);
    expect(audit.rows.map((r) => r.action)).toContain('user.log_in_failed');
  });

  it('duplicate e-mail is CONFLICT and writes nothing', async () => {
    const s = await signUp(t.http);
    const [users, tenants, audit] = [await count('users'), await count('tenants'), await count('audit_events')];
    const res = await gql(t.http, `mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }`, {
      i: { email: s.email, password: STRONG_PASSWORD, tenantName: 'Dup' },
    });
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'EMAIL_TAKEN' });
    expect([await count('users'), await count('tenants'), await count('audit_events')]).toEqual([
      users,
      tenants,
      audit,
    ]);
  });

  it.each([
    ['short', 'Ab1!'],
    ['one character class', 'abcdefghijklmnop'],
    ['common', 'Password123'.toLowerCase()],
  ])('weak password (%s) is BAD_USER_INPUT and writes nothing', async (_label, password) => {
    const users = await count('users');
    const res = await gql(t.http, `mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }`, {
      i: { email: uniqueEmail(), password, tenantName: 'Weak' },
    });
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'WEAK_PASSWORD' });
    expect(await count('users')).toBe(users);
  });

  it('invalid e-mail and empty tenant name are BAD_USER_INPUT', async () => {
    const bad = await gql(t.http, `mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }`, {
      i: { email: 'not-an-email', password: STRONG_PASSWORD, tenantName: 'X' },
    });
    expect(bad.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_EMAIL' });
    const empty = await gql(t.http, `mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }`, {
      i: { email: uniqueEmail(), password: STRONG_PASSWORD, tenantName: '  ' },
    });
    expect(empty.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_NAME' });
  });

  it('an expired session is no session', async () => {
    const s = await signUp(t.http);
    await t.sql.query(`update sessions set "expiresAt" = now() - interval '1 minute' where "userId" = $1`, [s.userId]);
    expect((await gql(t.http, ME, {}, { session: s })).body.data.me).toBeNull();
    expect((await gql(t.http, `{ tenant { id } }`, {}, { session: s })).body.errors[0].extensions.code).toBe(
      'UNAUTHENTICATED',
    );
  });
});
