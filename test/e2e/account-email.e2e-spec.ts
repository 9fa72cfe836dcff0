import { PrismaService } from '@app/db';
import { QuotaService } from '@app/quotas';
import { needsPostgres } from '../support/database';
import { startSmtpInbox, tokenIn } from '../support/smtp-inbox';
import {
  STRONG_PASSWORD,
  TestApp,
  cookiesOf,
  createKey,
  gql,
  signUp,
  startTestApp,
  uniqueEmail,
} from '../support/test-app';

const d = needsPostgres('account e-mail e2e') ? describe : describe.skip;

const LOG_IN = `mutation($input: LogInInput!) { logIn(input: $input) { user { id } } }`;
const VERIFY = `mutation($t: String!) { verifyEmail(token: $t) { id email } }`;
const REQUEST_RESET = `mutation($e: String!) { requestPasswordReset(email: $e) }`;
const RESET = `mutation($t: String!, $p: String!) { resetPassword(token: $t, password: $p) }`;
const PREDICT = `mutation { predict(input: { model: "iris", inputs: { features: [[5.1, 3.5, 1.4, 0.2]] } }) { usage { units } } }`;

// The e-mail flows against a real SMTP server (smtp-server) with the real defaults: free units
// wait for a verified owner address; tenants per user are capped.
d('accounts by e-mail: verification, password reset, invitations, budget alerts', () => {
  let t: TestApp;
  let inbox: Awaited<ReturnType<typeof startSmtpInbox>>;
  beforeAll(async () => {
    inbox = await startSmtpInbox();
    t = await startTestApp({
      SMTP_URL: inbox.url,
      FREE_UNITS_NEED_VERIFIED_EMAIL: '1',
      MAX_TENANTS_PER_USER: '2',
      PUBLIC_URL: 'https://models.example.com',
    });
  });
  afterAll(async () => {
    await t.close();
    await inbox.close();
  });

  const mailTo = (email: string, subject: RegExp) =>
    inbox.waitFor((m) => m.to.includes(email) && subject.test(m.subject));

  it('sign-up e-mails a verification link; the free units start when it is used, and it works once', async () => {
    const s = await signUp(t.http, 'Verify Co');
    const key = await createKey(t.http, s, ['inference:run']);
    const before = await gql(t.http, PREDICT, {}, { key: key.secret });
    expect(before.body.errors[0].extensions).toMatchObject({ code: 'QUOTA_EXCEEDED', reason: 'EMAIL_NOT_VERIFIED' });
    expect((await gql(t.http, `{ quota { unitsIncluded } }`, {}, { session: s })).body.data.quota.unitsIncluded).toBe(
      0,
    );

    const mail = await mailTo(s.email, /confirm your e-mail/i);
    expect(mail.text).toContain('https://models.example.com/verify-email?token=');
    const token = tokenIn(mail, '/verify-email');
    // Only the token's hash is kept.
    const rows = await t.sql.query(
      `select "tokenHash" from account_tokens t join users u on u.id = t."userId" where u.email = $1`,
      [s.email],
    );
    expect(rows.rows[0].tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows.rows)).not.toContain(token);

    const verified = await gql(t.http, VERIFY, { t: token });
    expect(verified.body.data.verifyEmail).toEqual({ id: s.userId, email: s.email });
    expect((await gql(t.http, PREDICT, {}, { key: key.secret })).body.data.predict.usage.units).toBeGreaterThan(0);
    const again = await gql(t.http, VERIFY, { t: token });
    expect(again.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'TOKEN_INVALID' });
    const audit = await t.sql.query(
      `select metadata from audit_events where "tenantId" = $1 and action = 'user.email_verified'`,
      [s.tenantId],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].metadata).toHaveProperty('ip');
  });

  it('a made-up or expired verification token is refused the same way', async () => {
    const s = await signUp(t.http, 'Late Co');
    const token = tokenIn(await mailTo(s.email, /confirm/i), '/verify-email');
    await t.sql.query(`update account_tokens set "expiresAt" = now() - interval '1 minute' where "userId" = $1`, [
      s.userId,
    ]);
    for (const tok of [token, 'x'.repeat(43)]) {
      expect((await gql(t.http, VERIFY, { t: tok })).body.errors[0].extensions.reason).toBe('TOKEN_INVALID');
    }
    expect(
      (await t.sql.query(`select "emailVerifiedAt" from users where id = $1`, [s.userId])).rows[0].emailVerifiedAt,
    ).toBeNull();
  });

  it('password reset: always true, a single-use link for real accounts, every session signed out', async () => {
    const s = await signUp(t.http, 'Reset Co');
    const stranger = uniqueEmail('nobody');
    for (const e of [s.email, stranger])
      expect((await gql(t.http, REQUEST_RESET, { e })).body.data.requestPasswordReset).toBe(true);
    const mail = await mailTo(s.email, /reset your password/i);
    const token = tokenIn(mail, '/reset-password');
    await new Promise((r) => setTimeout(r, 300));
    expect(inbox.messages.filter((m) => m.to.includes(stranger))).toHaveLength(0);

    const weak = await gql(t.http, RESET, { t: token, p: 'short' });
    expect(weak.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'WEAK_PASSWORD' });
    const fresh = 'Another-Horse-77-Staple';
    expect((await gql(t.http, RESET, { t: token, p: fresh })).body.data.resetPassword).toBe(true);
    // The session from before the reset is gone; the old password no longer works, the new one does.
    expect((await gql(t.http, `{ me { id } }`, {}, { session: s })).body.data.me).toBeNull();
    expect(
      (await gql(t.http, LOG_IN, { input: { email: s.email, password: STRONG_PASSWORD } })).body.errors[0].extensions
        .reason,
    ).toBe('INVALID_CREDENTIALS');
    expect((await gql(t.http, LOG_IN, { input: { email: s.email, password: fresh } })).body.data.logIn.user.id).toBe(
      s.userId,
    );
    expect((await gql(t.http, RESET, { t: token, p: 'Third-Horse-88-Staple' })).body.errors[0].extensions.reason).toBe(
      'TOKEN_INVALID',
    );
    await mailTo(s.email, /password was changed/i);
    const actions = (
      await t.sql.query(`select action from audit_events where "tenantId" = $1 order by seq`, [s.tenantId])
    ).rows.map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['user.password_reset_requested', 'user.password_reset']));
  });

  it('a reset link expires: 30 minutes by default, stored as expiresAt', async () => {
    const s = await signUp(t.http, 'Expiry Co');
    await gql(t.http, REQUEST_RESET, { e: s.email });
    const token = tokenIn(await mailTo(s.email, /reset your password/i), '/reset-password');
    const { rows } = await t.sql.query(
      `select round(extract(epoch from "expiresAt" - "createdAt") / 60) as minutes from account_tokens where "userId" = $1 and purpose = 'reset_password'`,
      [s.userId],
    );
    expect(Number(rows[0].minutes)).toBe(30);
    await t.sql.query(`update account_tokens set "expiresAt" = now() - interval '1 second' where "userId" = $1`, [
      s.userId,
    ]);
    expect(
      (await gql(t.http, RESET, { t: token, p: 'Another-Horse-77-Staple' })).body.errors[0].extensions.reason,
    ).toBe('TOKEN_INVALID');
  });

  it('sign-up with a taken address: CONFLICT to the caller, a notice to the owner', async () => {
    const s = await signUp(t.http, 'Taken Co');
    const res = await gql(t.http, `mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }`, {
      i: { email: s.email, password: STRONG_PASSWORD, tenantName: 'Copy' },
    });
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'EMAIL_TAKEN' });
    expect(res.headers['set-cookie']).toBeUndefined();
    await mailTo(s.email, /sign-up attempt/i);
  });

  it('invitations are e-mailed with a sign-up link that joins the tenant', async () => {
    const owner = await signUp(t.http, 'Inviting Co');
    const email = uniqueEmail('invitee');
    const inv = await gql(
      t.http,
      `mutation($i: InviteMemberInput!) { inviteMember(input: $i) { id } }`,
      { i: { email, role: 'DEVELOPER' } },
      { session: owner },
    );
    expect(inv.body.errors).toBeUndefined();
    const mail = await mailTo(email, /invited to Inviting Co/);
    const token = /\/signup\?invitation=([\w-]+)/.exec(mail.text)![1];
    const joined = await gql(
      t.http,
      `mutation($i: SignUpInput!) { signUp(input: $i) { tenant { id } user { role } } }`,
      { i: { email, password: STRONG_PASSWORD, invitationToken: token } },
    );
    expect(joined.body.data.signUp).toEqual({ tenant: { id: owner.tenantId }, user: { role: 'DEVELOPER' } });
  });

  it('one person owns at most MAX_TENANTS_PER_USER tenants', async () => {
    const s = await signUp(t.http, 'First');
    const create = (name: string) =>
      gql(t.http, `mutation($n: String!) { createTenant(name: $n) { id } }`, { n: name }, { session: s });
    expect((await create('Second')).body.errors).toBeUndefined();
    const third = await create('Third');
    expect(third.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'TENANT_LIMIT_REACHED' });
    expect(
      Number((await t.sql.query(`select count(*) from memberships where "userId" = $1`, [s.userId])).rows[0].count),
    ).toBe(2);
  });

  it('budget alerts are e-mailed to the owner', async () => {
    const s = await signUp(t.http, 'Spender');
    await t.sql.query(`update tenants set "planId" = 'pro' where id = $1`, [s.tenantId]);
    expect(
      (await gql(t.http, `mutation { setBudget(cents: 1) { budgetCents } }`, {}, { session: s })).body.errors,
    ).toBeUndefined();
    const quotas = t.app.get(QuotaService);
    const r = await quotas.reserve(s.tenantId, 5_000_050);
    await t.app.get(PrismaService).$transaction((tx) => quotas.settle(tx, r, 5_000_050));
    const alert = await mailTo(s.email, /reached 100% of its monthly budget/);
    expect(alert.text).toContain('Spender');
  });

  it('cookies from verify and reset: none are set by these mutations', async () => {
    const res = await gql(t.http, REQUEST_RESET, { e: uniqueEmail() });
    expect(cookiesOf(res).cookie).toHaveLength(0);
  });
});
