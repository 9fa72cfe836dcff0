import { needsPostgres, needsRedis } from '../support/database';
import { testRedisUrl } from '../support/services';
import { STRONG_PASSWORD, TestApp, gql, signUp, startTestApp, uniqueEmail } from '../support/test-app';

const d = needsPostgres('log-in throttling e2e') ? describe : describe.skip;
const withRedis =
  needsPostgres('log-in throttling e2e') && needsRedis('log-in throttling e2e') ? describe : describe.skip;

const LOG_IN = `mutation($input: LogInInput!) { logIn(input: $input) { user { id } } }`;
const WRONG = 'Wrong-Horse-Battery-1';
type Http = TestApp['http'];
const logIn = (http: Http, email: string, password = WRONG, headers: Record<string, string> = {}) => {
  const req = gql(http, LOG_IN, { input: { email, password } });
  for (const [k, v] of Object.entries(headers)) req.set(k, v);
  return req;
};
const outcome = (res: { body: { data?: unknown; errors?: { extensions: { reason: string } }[] } }) =>
  res.body.errors?.[0]?.extensions.reason ?? 'OK';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

d('log-in and sign-up throttling (in process)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // The real per-account defaults (3 free failures, lock after 10), with a backoff window of
    // 4, 8, ... s instead of 1, 2, ... so that a slow machine cannot outlast it between requests.
    t = await startTestApp({ AUTH_IP_FAILURES_PER_HOUR: '100000', AUTH_BACKOFF_BASE_SECONDS: '4' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('backoff after 3 failures, the same answers for a real and an unknown account', async () => {
    const s = await signUp(t.http);
    const unknown = uniqueEmail('ghost');
    for (const email of [s.email, unknown]) {
      const seen: string[] = [];
      for (let i = 0; i < 5; i++) seen.push(outcome(await logIn(t.http, email)));
      // Attempts 1-4 are checked (the 4th opens a 4 s window); the 5th, inside it, is refused unchecked.
      expect(seen).toEqual([
        'INVALID_CREDENTIALS',
        'INVALID_CREDENTIALS',
        'INVALID_CREDENTIALS',
        'INVALID_CREDENTIALS',
        'TOO_MANY_ATTEMPTS',
      ]);
    }
    const refused = await logIn(t.http, s.email, STRONG_PASSWORD);
    expect(refused.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'TOO_MANY_ATTEMPTS' });
    expect(refused.body.errors[0].extensions.retryAfter).toBeGreaterThanOrEqual(1);
    expect(refused.body.errors[0].message).toBe('too many attempts; try again later');
    // After the window, the right password logs in and clears the count.
    await sleep(4_100);
    expect(outcome(await logIn(t.http, s.email, STRONG_PASSWORD))).toBe('OK');
    for (let i = 0; i < 3; i++) expect(outcome(await logIn(t.http, s.email))).toBe('INVALID_CREDENTIALS');
  });

  it('parallel guesses do not slip between check and count', async () => {
    const s = await signUp(t.http);
    const results = await Promise.all(Array.from({ length: 8 }, () => logIn(t.http, s.email)));
    const checked = results.filter((r) => outcome(r) === 'INVALID_CREDENTIALS').length;
    expect(checked).toBe(4);
    expect(results.filter((r) => outcome(r) === 'TOO_MANY_ATTEMPTS')).toHaveLength(4);
  });

  it('failed and refused attempts are audited with source address and user agent; refusals at most once a minute', async () => {
    const s = await signUp(t.http);
    for (let i = 0; i < 8; i++) await logIn(t.http, s.email, WRONG, { 'user-agent': 'brute/1.0' });
    await sleep(300); // the audit is written after the answer
    const { rows } = await t.sql.query(
      `select action, metadata from audit_events where "tenantId" = $1 and action like 'user.log_in_%' order by seq`,
      [s.tenantId],
    );
    const failed = rows.filter((r) => r.action === 'user.log_in_failed');
    const throttled = rows.filter((r) => r.action === 'user.log_in_throttled');
    expect(failed.length).toBe(4);
    expect(failed[0].metadata).toMatchObject({ ip: expect.stringMatching(/127\.0\.0\.1/), userAgent: 'brute/1.0' });
    expect(throttled).toHaveLength(1);
    expect(throttled[0].metadata).toMatchObject({ reason: 'LOGIN_BACKOFF', userAgent: 'brute/1.0' });
  });
});

d('lock, per-address cap and sign-up limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      AUTH_FREE_FAILURES: '100',
      AUTH_LOCK_AFTER_FAILURES: '5',
      AUTH_IP_FAILURES_PER_HOUR: '12',
      AUTH_SIGNUPS_PER_IP_PER_HOUR: '4',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('locks an account for AUTH_LOCK_MINUTES after AUTH_LOCK_AFTER_FAILURES attempts; the right password too', async () => {
    const s = await signUp(t.http);
    for (let i = 0; i < 5; i++) expect(outcome(await logIn(t.http, s.email))).toBe('INVALID_CREDENTIALS');
    const locked = await logIn(t.http, s.email, STRONG_PASSWORD);
    expect(locked.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'TOO_MANY_ATTEMPTS' });
    expect(locked.body.errors[0].extensions.retryAfter).toBeGreaterThan(14 * 60);
  });

  it('caps failures per source address across accounts; a forwarded-for header does not reset it', async () => {
    // 5 failures so far from the test above; 7 more to 12 over 3 accounts, then refused for any account.
    for (let i = 0; i < 7; i++)
      expect(outcome(await logIn(t.http, uniqueEmail(`spray${i}`)))).toBe('INVALID_CREDENTIALS');
    const fresh = uniqueEmail('spray-next');
    expect(outcome(await logIn(t.http, fresh))).toBe('TOO_MANY_ATTEMPTS');
    expect(outcome(await logIn(t.http, fresh, WRONG, { 'x-forwarded-for': '203.0.113.9' }))).toBe('TOO_MANY_ATTEMPTS');
  });

  it('sign-ups per address per hour: the 5th is refused and writes nothing', async () => {
    // signUp above used 1 of 4.
    for (let i = 0; i < 3; i++) await signUp(t.http);
    const email = uniqueEmail('fifth');
    const res = await gql(t.http, `mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }`, {
      i: { email, password: STRONG_PASSWORD, tenantName: 'Five' },
    });
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'TOO_MANY_ATTEMPTS' });
    expect((await t.sql.query('select 1 from users where email = $1', [email])).rowCount).toBe(0);
  });
});

withRedis('log-in throttling shared through Redis by every api process', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const env = { REDIS_URL: testRedisUrl(), AUTH_IP_FAILURES_PER_HOUR: '100000', AUTH_BACKOFF_BASE_SECONDS: '3' };
    a = await startTestApp(env);
    b = await startTestApp(env, a.db);
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('failures counted on one process throttle the account on the other', async () => {
    const s = await signUp(a.http);
    for (let i = 0; i < 2; i++) expect(outcome(await logIn(a.http, s.email))).toBe('INVALID_CREDENTIALS');
    for (let i = 0; i < 2; i++) expect(outcome(await logIn(b.http, s.email))).toBe('INVALID_CREDENTIALS');
    expect(outcome(await logIn(a.http, s.email, STRONG_PASSWORD))).toBe('TOO_MANY_ATTEMPTS');
    await sleep(3_100);
    expect(outcome(await logIn(b.http, s.email, STRONG_PASSWORD))).toBe('OK');
  });
});
