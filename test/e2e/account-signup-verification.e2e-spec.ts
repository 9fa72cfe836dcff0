import { needsPostgres } from '../support/database';
import { startSmtpInbox, tokenIn } from '../support/smtp-inbox';
import { STRONG_PASSWORD, TestApp, cookiesOf, gql, signUp, startTestApp, uniqueEmail } from '../support/test-app';

const d = needsPostgres('sign-up after verification e2e') ? describe : describe.skip;

const ME_FIELDS = `id email name role currentTenantId createdAt memberships { role tenant { id name plan createdAt } }`;
const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { signedIn user { ${ME_FIELDS} } tenant { id name plan createdAt } } }`;
const LOG_IN = `mutation($i: LogInInput!) { logIn(input: $i) { signedIn user { id } } }`;
const VERIFY = `mutation($t: String!) { verifyEmail(token: $t) { id email currentTenantId role } }`;
const ME = `{ me { id currentTenantId } }`;

/**
 * The answer with every value that must differ between two sign-ups (ids, times) replaced by its
 * kind: what is left must be equal for a new and a taken address.
 */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shapeOf(v)]));
  if (typeof value === 'string') {
    const id = /^([a-z]+)_[1-9A-HJ-NP-Za-km-z]+$/.exec(value);
    if (id) return `<${id[1]} id, ${value.length} chars>`;
    if (/^\d{4}-\d\d-\d\dT/.test(value)) return '<time>';
  }
  return value;
}

// SIGNUP_SESSION=after-verification against a real SMTP server (smtp-server).
d('sign-up with SIGNUP_SESSION=after-verification', () => {
  let t: TestApp;
  let inbox: Awaited<ReturnType<typeof startSmtpInbox>>;
  beforeAll(async () => {
    inbox = await startSmtpInbox();
    t = await startTestApp({
      SMTP_URL: inbox.url,
      SIGNUP_SESSION: 'after-verification',
      PUBLIC_URL: 'https://models.example.com',
    });
  });
  afterAll(async () => {
    await t.close();
    await inbox.close();
  });

  const mailsTo = (email: string, subject: RegExp) =>
    inbox.messages.filter((m) => m.to.includes(email) && subject.test(m.subject));
  const waitForMails = async (email: string, subject: RegExp, count: number) => {
    for (let i = 0; i < 200 && mailsTo(email, subject).length < count; i++) await new Promise((r) => setTimeout(r, 50));
    return mailsTo(email, subject);
  };
  const signUpAs = (email: string, tenantName = 'Same Name Co', password = STRONG_PASSWORD) =>
    gql(t.http, SIGN_UP, { i: { email, password, tenantName, name: 'Pat' } });
  const count = async (sql: string, args: unknown[] = []) => Number((await t.sql.query(sql, args)).rows[0].count);

  it('a new and a taken address get the same answer, no session either way; nothing is created for the taken one', async () => {
    const email = uniqueEmail('owner');
    const first = await signUpAs(email);
    expect(first.body.errors).toBeUndefined();
    const [users, tenants] = [await count('select count(*) from users'), await count('select count(*) from tenants')];

    const again = await signUpAs(email, 'Same Name Co', 'Other-Horse-Battery-42');
    expect(again.status).toBe(first.status);
    expect(again.body.errors).toBeUndefined();
    expect(shapeOf(again.body)).toEqual(shapeOf(first.body));
    expect(first.body.data.signUp).toMatchObject({
      signedIn: false,
      user: { email, name: 'Pat', role: 'OWNER' },
      tenant: { name: 'Same Name Co', plan: 'free' },
    });
    // Made-up ids, not the real account's; no cookie at all in either answer.
    expect(again.body.data.signUp.user.id).not.toBe(first.body.data.signUp.user.id);
    expect(again.body.data.signUp.tenant.id).not.toBe(first.body.data.signUp.tenant.id);
    expect(first.headers['set-cookie']).toBeUndefined();
    expect(again.headers['set-cookie']).toBeUndefined();
    expect(await count('select count(*) from users')).toBe(users);
    expect(await count('select count(*) from tenants')).toBe(tenants);
    expect(await count('select count(*) from users where id = $1', [again.body.data.signUp.user.id])).toBe(0);

    // The owner of the address hears of the second sign-up; the first got its verification link.
    const notice = (await waitForMails(email, /sign-up attempt/i, 1))[0]!;
    expect(notice.text).toMatch(/log in, or reset your password/);
    expect(await waitForMails(email, /confirm your e-mail/i, 1)).toHaveLength(1);
    // The duplicate is in the owner's audit trail, with where it came from; a flood of them is
    // audited at most once a minute.
    expect(shapeOf((await signUpAs(email)).body)).toEqual(shapeOf(first.body));
    await new Promise((r) => setTimeout(r, 300));
    const audit = await t.sql.query(
      `select metadata from audit_events where "tenantId" = $1 and action = 'user.sign_up_duplicate'`,
      [first.body.data.signUp.tenant.id],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].metadata).toHaveProperty('ip');
  });

  it('the verification link logs in: session cookies, me, the first tenant', async () => {
    const email = uniqueEmail('verify');
    const res = await signUpAs(email, 'Verified Co');
    const tenantId = res.body.data.signUp.tenant.id;
    expect((await gql(t.http, ME, {}, { headers: { cookie: cookiesOf(res).cookie.join('; ') } })).body.data.me).toBe(
      null,
    );
    const token = tokenIn((await waitForMails(email, /confirm your e-mail/i, 1))[0]!, '/verify-email');
    const verified = await gql(t.http, VERIFY, { t: token });
    expect(verified.body.errors).toBeUndefined();
    expect(verified.body.data.verifyEmail).toEqual({
      id: res.body.data.signUp.user.id,
      email,
      currentTenantId: tenantId,
      role: 'OWNER',
    });
    const session = cookiesOf(verified);
    expect(session.cookie.map((c) => c.split('=')[0])).toEqual(
      expect.arrayContaining(['mas_session', 'csrf_token', expect.stringMatching(/^mas_device_/)]),
    );
    const me = await gql(t.http, ME, {}, { session: { ...session, userId: '', tenantId: '' } });
    expect(me.body.data.me).toEqual({ id: res.body.data.signUp.user.id, currentTenantId: tenantId });
    const logIns = await t.sql.query(
      `select metadata from audit_events where "tenantId" = $1 and action = 'user.log_in'`,
      [tenantId],
    );
    expect(logIns.rows.map((r) => r.metadata.via)).toEqual(['email_verification']);
    // And from now on the password logs in.
    expect((await gql(t.http, LOG_IN, { i: { email, password: STRONG_PASSWORD } })).body.data.logIn.signedIn).toBe(
      true,
    );
  });

  it('log-in before verification: the right password is refused like a wrong one, and the link is sent again', async () => {
    const email = uniqueEmail('early');
    await signUpAs(email);
    const firstLink = tokenIn((await waitForMails(email, /confirm your e-mail/i, 1))[0]!, '/verify-email');
    const right = await gql(t.http, LOG_IN, { i: { email, password: STRONG_PASSWORD } });
    const wrong = await gql(t.http, LOG_IN, { i: { email, password: 'Wrong-Horse-Battery-1' } });
    const unknown = await gql(t.http, LOG_IN, { i: { email: uniqueEmail('nobody'), password: STRONG_PASSWORD } });
    for (const res of [right, wrong, unknown]) {
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.body.data).toEqual(right.body.data);
      expect(res.body.errors).toEqual([
        expect.objectContaining({
          message: 'wrong e-mail or password, or the address is not verified yet: check your e-mail',
          extensions: expect.objectContaining({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' }),
        }),
      ]);
    }
    // The right password sent the link again (a wrong one does not); the newer link replaces the first.
    const links = await waitForMails(email, /confirm your e-mail/i, 2);
    expect(links).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 300));
    expect(mailsTo(email, /confirm your e-mail/i)).toHaveLength(2);
    expect((await gql(t.http, VERIFY, { t: firstLink })).body.errors[0].extensions.reason).toBe('TOKEN_INVALID');
    expect((await gql(t.http, VERIFY, { t: tokenIn(links[1]!, '/verify-email') })).body.errors).toBeUndefined();
    expect((await gql(t.http, LOG_IN, { i: { email, password: STRONG_PASSWORD } })).body.data.logIn.signedIn).toBe(
      true,
    );
  });

  it('a bad invitation token is refused alike for a taken and a new address; a good one logs in at once', async () => {
    const taken = uniqueEmail('taken');
    await signUpAs(taken);
    for (const email of [taken, uniqueEmail('new')]) {
      const res = await gql(t.http, SIGN_UP, {
        i: { email, password: STRONG_PASSWORD, invitationToken: 'x'.repeat(32) },
      });
      expect(res.body.errors[0].extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'INVITATION_NOT_FOUND' });
    }
    // An owner (verified through the link) invites a new address: the invitation proved it.
    const owner = uniqueEmail('inviter');
    await signUpAs(owner, 'Inviting Co');
    const ownerToken = tokenIn((await waitForMails(owner, /confirm your e-mail/i, 1))[0]!, '/verify-email');
    const ownerSession = cookiesOf(await gql(t.http, VERIFY, { t: ownerToken }));
    const invitee = uniqueEmail('invitee');
    const inv = await gql(
      t.http,
      `mutation($i: InviteMemberInput!) { inviteMember(input: $i) { id } }`,
      { i: { email: invitee, role: 'DEVELOPER' } },
      { session: { ...ownerSession, userId: '', tenantId: '' } },
    );
    expect(inv.body.errors).toBeUndefined();
    const invitation = /\/signup\?invitation=([\w-]+)/.exec(
      (await waitForMails(invitee, /invited to Inviting Co/, 1))[0]!.text,
    )![1];
    const joined = await gql(t.http, SIGN_UP, {
      i: { email: invitee, password: STRONG_PASSWORD, invitationToken: invitation },
    });
    expect(joined.body.data.signUp).toMatchObject({ signedIn: true, user: { role: 'DEVELOPER' } });
    expect(cookiesOf(joined).cookie.some((c) => c.startsWith('mas_session='))).toBe(true);
    expect(
      (await t.sql.query(`select "emailVerifiedAt" from users where email = $1`, [invitee])).rows[0].emailVerifiedAt,
    ).not.toBeNull();
  });
});

d('sign-up with SIGNUP_SESSION=immediate (development and embedded default)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ SIGNUP_SESSION: undefined });
  });
  afterAll(async () => {
    await t.close();
  });

  it('a new address logs in at once; a taken one is a CONFLICT that names nothing but the field', async () => {
    const s = await signUp(t.http, 'Immediate Co');
    expect(s.cookie.some((c) => c.startsWith('mas_session='))).toBe(true);
    const res = await gql(t.http, SIGN_UP, { i: { email: s.email, password: STRONG_PASSWORD, tenantName: 'Copy' } });
    expect(res.body.errors[0]).toMatchObject({
      message: 'this e-mail cannot be used to sign up; log in or reset your password',
      extensions: { code: 'CONFLICT', reason: 'EMAIL_TAKEN' },
    });
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});
