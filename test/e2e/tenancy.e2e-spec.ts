import { needsPostgres } from '../support/database';
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

const d = needsPostgres('tenancy e2e') ? describe : describe.skip;

const INVITE = `mutation($i: InviteMemberInput!) { inviteMember(input: $i) { id email role token } }`;
const ACCEPT = `mutation($t: String!) { acceptInvitation(token: $t) }`;
const MEMBERS = `{ tenantMembers { userId email role } }`;
const ROLE = `mutation($u: ID!, $r: Role!) { updateMemberRole(userId: $u, role: $r) }`;
const REMOVE = `mutation($u: ID!) { removeMember(userId: $u) }`;
const SWITCH = `mutation($id: ID!) { switchTenant(tenantId: $id) { id name } }`;

d('tenants, members, roles and isolation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('invites a member with a role; the invitee joins by token and acts with that role', async () => {
    const owner = await signUp(t.http, 'Acme');
    const email = uniqueEmail('auditor');
    const inv = await gql(t.http, INVITE, { i: { email, role: 'AUDITOR' } }, { session: owner });
    expect(inv.body.data.inviteMember).toMatchObject({ email, role: 'AUDITOR' });
    const token = inv.body.data.inviteMember.token as string;
    expect(
      (await t.sql.query('select "tokenHash" from invitations where email = $1', [email])).rows[0].tokenHash,
    ).not.toContain(token);
    // Sign up through the invitation: no new tenant, a membership with the invited role.
    const res = await gql(
      t.http,
      `mutation($i: SignUpInput!) { signUp(input: $i) { user { id role } tenant { id } } }`,
      { i: { email, password: STRONG_PASSWORD, invitationToken: token } },
    );
    expect(res.body.data.signUp.tenant.id).toBe(owner.tenantId);
    expect(res.body.data.signUp.user.role).toBe('AUDITOR');
    const auditor = { ...cookiesOf(res), userId: res.body.data.signUp.user.id, tenantId: owner.tenantId };
    // An auditor cannot manage keys or members.
    const keys = await gql(
      t.http,
      `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }`,
      { i: { name: 'x', scopes: ['models:read'] } },
      { session: auditor },
    );
    expect(keys.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await gql(t.http, MEMBERS, {}, { session: auditor })).body.errors[0].extensions.code).toBe('FORBIDDEN');
    // The token works once.
    const again = await gql(t.http, ACCEPT, { t: token }, { session: auditor });
    expect(again.body.errors[0].extensions.code).toBe('NOT_FOUND');
    const members = await gql(t.http, MEMBERS, {}, { session: owner });
    expect(members.body.data.tenantMembers.map((m: any) => m.role).sort()).toEqual(['AUDITOR', 'OWNER']);
  });

  it('an existing user accepts an invitation, then switches tenant with a rotated session', async () => {
    const a = await signUp(t.http, 'Alpha');
    const b = await signUp(t.http, 'Bravo');
    const inv = await gql(t.http, INVITE, { i: { email: b.email, role: 'DEVELOPER' } }, { session: a });
    const joined = await gql(t.http, ACCEPT, { t: inv.body.data.inviteMember.token }, { session: b });
    expect(joined.body.data.acceptInvitation).toBe(a.tenantId);
    const sw = await gql(t.http, SWITCH, { id: a.tenantId }, { session: b });
    expect(sw.body.data.switchTenant).toEqual({ id: a.tenantId, name: 'Alpha' });
    const rotated = { ...b, ...cookiesOf(sw) };
    expect(rotated.csrf).not.toBe(b.csrf);
    // The old session is gone; the new one acts for Alpha with the developer role.
    expect((await gql(t.http, `{ me { id } }`, {}, { session: b })).body.data.me).toBeNull();
    const me = await gql(t.http, `{ me { currentTenantId role } tenant { name } }`, {}, { session: rotated });
    expect(me.body.data).toEqual({ me: { currentTenantId: a.tenantId, role: 'DEVELOPER' }, tenant: { name: 'Alpha' } });
  });

  it('only an invitation addressed to you can be accepted', async () => {
    const a = await signUp(t.http);
    const b = await signUp(t.http);
    const inv = await gql(t.http, INVITE, { i: { email: uniqueEmail('someone-else'), role: 'ADMIN' } }, { session: a });
    const res = await gql(t.http, ACCEPT, { t: inv.body.data.inviteMember.token }, { session: b });
    expect(res.body.errors[0].extensions.code).toBe('NOT_FOUND');
    expect(
      Number((await t.sql.query('select count(*) from memberships where "tenantId" = $1', [a.tenantId])).rows[0].count),
    ).toBe(1);
  });

  it('roles: owners only grant owner; the last owner stays; admins manage members', async () => {
    const owner = await signUp(t.http);
    const admin = await signUp(t.http);
    const inv = await gql(t.http, INVITE, { i: { email: admin.email, role: 'ADMIN' } }, { session: owner });
    await gql(t.http, ACCEPT, { t: inv.body.data.inviteMember.token }, { session: admin });
    const adminHere = { ...admin, ...cookiesOf(await gql(t.http, SWITCH, { id: owner.tenantId }, { session: admin })) };
    expect(
      (await gql(t.http, INVITE, { i: { email: uniqueEmail(), role: 'OWNER' } }, { session: adminHere })).body.errors[0]
        .extensions.reason,
    ).toBe('OWNER_REQUIRED');
    expect(
      (await gql(t.http, ROLE, { u: owner.userId, r: 'DEVELOPER' }, { session: adminHere })).body.errors[0].extensions
        .reason,
    ).toBe('OWNER_REQUIRED');
    expect(
      (await gql(t.http, ROLE, { u: owner.userId, r: 'ADMIN' }, { session: owner })).body.errors[0].extensions,
    ).toMatchObject({ code: 'CONFLICT', reason: 'LAST_OWNER' });
    expect(
      (await gql(t.http, INVITE, { i: { email: uniqueEmail('dev'), role: 'DEVELOPER' } }, { session: adminHere })).body
        .data.inviteMember.role,
    ).toBe('DEVELOPER');
    expect(
      (await gql(t.http, ROLE, { u: admin.userId, r: 'BILLING' }, { session: owner })).body.data.updateMemberRole,
    ).toBe(true);
    const actions = (
      await t.sql.query(`select action from audit_events where "tenantId" = $1`, [owner.tenantId])
    ).rows.map((r) => r.action);
    expect(actions).toEqual(
      expect.arrayContaining(['member.invite', 'member.join', 'member.role_change', 'session.switch_tenant']),
    );
  });

  it("another tenant's ids are NOT_FOUND everywhere and change nothing", async () => {
    const a = await signUp(t.http, 'Alpha');
    const b = await signUp(t.http, 'Bravo');
    const before = (await t.sql.query('select "tenantId", "userId", role from memberships order by id')).rows;
    expect((await gql(t.http, SWITCH, { id: b.tenantId }, { session: a })).body.errors[0].extensions.code).toBe(
      'NOT_FOUND',
    );
    expect((await gql(t.http, SWITCH, { id: 'ten_nonexistent' }, { session: a })).body.errors[0].extensions.code).toBe(
      'NOT_FOUND',
    );
    expect(
      (await gql(t.http, ROLE, { u: b.userId, r: 'AUDITOR' }, { session: a })).body.errors[0].extensions.code,
    ).toBe('NOT_FOUND');
    expect((await gql(t.http, REMOVE, { u: b.userId }, { session: a })).body.errors[0].extensions.code).toBe(
      'NOT_FOUND',
    );
    expect((await gql(t.http, MEMBERS, {}, { session: a })).body.data.tenantMembers.map((m: any) => m.userId)).toEqual([
      a.userId,
    ]);
    expect((await t.sql.query('select "tenantId", "userId", role from memberships order by id')).rows).toEqual(before);
  });

  it('API keys cannot manage members or switch tenants (portal only)', async () => {
    const s = await signUp(t.http);
    const k = await createKey(t.http, s, ['admin']);
    const res = await gql(t.http, INVITE, { i: { email: uniqueEmail(), role: 'DEVELOPER' } }, { key: k.secret });
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'SESSION_REQUIRED' });
    expect((await gql(t.http, SWITCH, { id: s.tenantId }, { key: k.secret })).body.errors[0].extensions.code).toBe(
      'FORBIDDEN',
    );
  });

  it('createTenant makes the caller its owner; bad names are BAD_USER_INPUT', async () => {
    const s = await signUp(t.http);
    const res = await gql(t.http, `mutation { createTenant(name: "Second") { id name plan } }`, {}, { session: s });
    expect(res.body.data.createTenant).toMatchObject({ name: 'Second', plan: 'free' });
    const me = await gql(t.http, `{ me { memberships { role tenant { name } } } }`, {}, { session: s });
    expect(me.body.data.me.memberships).toHaveLength(2);
    expect(
      (await gql(t.http, `mutation { createTenant(name: "") { id } }`, {}, { session: s })).body.errors[0].extensions
        .code,
    ).toBe('BAD_USER_INPUT');
  });
});
