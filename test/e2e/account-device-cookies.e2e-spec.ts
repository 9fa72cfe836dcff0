import { needsPostgres } from '../support/database';
import { startSmtpInbox, tokenIn } from '../support/smtp-inbox';
import { STRONG_PASSWORD, TestApp, cookiesOf, gql, signUp, startTestApp, uniqueEmail } from '../support/test-app';

const d = needsPostgres('device cookies e2e') ? describe : describe.skip;

const LOG_IN = `mutation($i: LogInInput!) { logIn(input: $i) { user { id } } }`;
const WRONG = 'Wrong-Horse-Battery-1';
const outcome = (res: { body: { data?: unknown; errors?: { extensions: { reason: string } }[] } }) =>
  res.body.errors?.[0]?.extensions.reason ?? 'OK';

let ipCounter = 1;
const freshIp = () => `198.18.${(ipCounter >> 8) & 255}.${ipCounter++ & 255}`;

// OWASP's device cookies: a lock caused by guesses from unknown devices does not lock the owner
// out of a browser that logged in before. Source addresses come from X-Forwarded-For
// (TRUST_PROXY=1), so that the attacker can look like a botnet.
d('device cookies: the owner keeps logging in while the account is locked for everyone else', () => {
  let t: TestApp;
  let inbox: Awaited<ReturnType<typeof startSmtpInbox>>;
  beforeAll(async () => {
    inbox = await startSmtpInbox();
    t = await startTestApp({
      SMTP_URL: inbox.url,
      TRUST_PROXY: '1',
      AUTH_FREE_FAILURES: '100',
      AUTH_LOCK_AFTER_FAILURES: '5',
      AUTH_IP_FAILURES_PER_HOUR: '3',
      AUTH_DEVICE_COOKIE_SECRET: 'device-cookie-test-secret-0123456789abcdef',
    });
  });
  afterAll(async () => {
    await t.close();
    await inbox.close();
  });

  const logIn = (email: string, password: string, ip: string, cookies: string[] = []) => {
    const req = gql(t.http, LOG_IN, { i: { email, password } }, { headers: { 'x-forwarded-for': ip } });
    if (cookies.length) req.set('Cookie', cookies.join('; '));
    return req;
  };
  /** The owner logs in once from their own browser: the answer leaves a device cookie. */
  const deviceOf = async (email: string) => {
    const res = await logIn(email, STRONG_PASSWORD, freshIp());
    expect(outcome(res)).toBe('OK');
    const header = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('mas_device_'))!;
    expect(header).toMatch(/HttpOnly/i);
    expect(header).toMatch(/SameSite=Strict/i);
    const cookie = header.split(';')[0]!;
    // Nothing in it reads as the address, and nothing about it is stored.
    expect(cookie).not.toContain(email);
    return cookie;
  };
  /** Guesses from new addresses each time until the account is locked for unknown devices. */
  const lockOut = async (email: string) => {
    for (let i = 0; i < 5; i++) expect(outcome(await logIn(email, WRONG, freshIp()))).toBe('INVALID_CREDENTIALS');
    expect(outcome(await logIn(email, STRONG_PASSWORD, freshIp()))).toBe('TOO_MANY_ATTEMPTS');
  };

  it('an attacker on fresh addresses locks the account; the owner with a device cookie still logs in', async () => {
    const owner = await signUp(t.http, 'Locked Co');
    const device = await deviceOf(owner.email);
    await lockOut(owner.email);
    const ownerIp = freshIp();
    const res = await logIn(owner.email, STRONG_PASSWORD, ownerIp, [device]);
    expect(outcome(res)).toBe('OK');
    expect(res.body.data.logIn.user.id).toBe(owner.userId);
    const session = cookiesOf(res);
    const me = await gql(t.http, `{ me { id } }`, {}, { session: { ...session, userId: '', tenantId: '' } });
    expect(me.body.data.me.id).toBe(owner.userId);
    // The owner's success does not reopen the account to unknown devices.
    expect(outcome(await logIn(owner.email, STRONG_PASSWORD, freshIp()))).toBe('TOO_MANY_ATTEMPTS');
    // The audit trail says which log-ins came from a known device.
    const rows = await t.sql.query(
      `select metadata from audit_events where "tenantId" = $1 and action = 'user.log_in' order by seq`,
      [owner.tenantId],
    );
    expect(rows.rows.map((r) => r.metadata.knownDevice)).toEqual([false, true]);
  });

  it('a known device is not held to the per-address cap an attacker on the same address filled', async () => {
    const owner = await signUp(t.http, 'Shared NAT Co');
    const device = await deviceOf(owner.email);
    const office = freshIp();
    for (let i = 0; i < 3; i++)
      expect(outcome(await logIn(uniqueEmail(`spray${i}`), WRONG, office))).toBe('INVALID_CREDENTIALS');
    expect(outcome(await logIn(owner.email, STRONG_PASSWORD, office))).toBe('TOO_MANY_ATTEMPTS');
    expect(outcome(await logIn(owner.email, STRONG_PASSWORD, office, [device]))).toBe('OK');
  });

  it('a known device has a bucket of its own: a stolen cookie buys 5 guesses, then it is locked too', async () => {
    const owner = await signUp(t.http, 'Stolen Co');
    const device = await deviceOf(owner.email);
    for (let i = 0; i < 5; i++)
      expect(outcome(await logIn(owner.email, WRONG, freshIp(), [device]))).toBe('INVALID_CREDENTIALS');
    expect(outcome(await logIn(owner.email, STRONG_PASSWORD, freshIp(), [device]))).toBe('TOO_MANY_ATTEMPTS');
    // Unknown devices were not counted: the account itself is open.
    expect(outcome(await logIn(owner.email, STRONG_PASSWORD, freshIp()))).toBe('OK');
  });

  it("a forged cookie, another user's cookie, or one for another address is an unknown device", async () => {
    const owner = await signUp(t.http, 'Forged Co');
    const other = await signUp(t.http, 'Other Co');
    const device = await deviceOf(owner.email);
    const othersDevice = await deviceOf(other.email);
    await lockOut(owner.email);
    const [name, value] = device.split('=') as [string, string];
    const parts = value.split('.');
    const flipped = parts[3]!.startsWith('A') ? `B${parts[3]!.slice(1)}` : `A${parts[3]!.slice(1)}`;
    const forgeries = [
      `${name}=${[...parts.slice(0, 3), flipped].join('.')}`, // a made-up signature
      `${name}=${[parts[0], parts[1], (Number.parseInt(parts[2]!, 36) + 1).toString(36), parts[3]].join('.')}`, // a longer life
      othersDevice, // another account's device
      `${name}=${othersDevice.split('=')[1]}`, // ... under this account's cookie name
      `${name}=${[other.userId, ...parts.slice(1)].join('.')}`, // this device, claimed for another user
    ];
    for (const forged of forgeries)
      expect(outcome(await logIn(owner.email, STRONG_PASSWORD, freshIp(), [forged]))).toBe('TOO_MANY_ATTEMPTS');
    // The real one still works.
    expect(outcome(await logIn(owner.email, STRONG_PASSWORD, freshIp(), [othersDevice, device]))).toBe('OK');
  });

  it('a password reset lifts the lock: the new password logs in from anywhere', async () => {
    const owner = await signUp(t.http, 'Reset Co');
    await lockOut(owner.email);
    expect(
      (await gql(t.http, `mutation($e: String!) { requestPasswordReset(email: $e) }`, { e: owner.email })).body.data
        .requestPasswordReset,
    ).toBe(true);
    const mail = await inbox.waitFor((m) => m.to.includes(owner.email) && /reset your password/i.test(m.subject));
    const fresh = 'Another-Horse-77-Staple';
    const reset = await gql(t.http, `mutation($t: String!, $p: String!) { resetPassword(token: $t, password: $p) }`, {
      t: tokenIn(mail, '/reset-password'),
      p: fresh,
    });
    expect(reset.body.data.resetPassword).toBe(true);
    expect(outcome(await logIn(owner.email, fresh, freshIp()))).toBe('OK');
    // A reset also proves the address.
    expect(
      (await t.sql.query(`select "emailVerifiedAt" from users where id = $1`, [owner.userId])).rows[0].emailVerifiedAt,
    ).not.toBeNull();
  });
});
