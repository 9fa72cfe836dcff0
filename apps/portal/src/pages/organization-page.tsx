import { useState, type FormEvent } from 'react';
import { CreateTenantMutation, ROLES, SwitchTenantMutation, type Role } from '../api/operations/accounts';
import {
  InviteMemberMutation,
  MembersQuery,
  RemoveMemberMutation,
  UpdateMemberRoleMutation,
  type Invitation,
} from '../api/operations/members';
import { useMutation, useQuery } from '../api/use-query';
import { CopyButton } from '../components/copy-button';
import { ErrorBanner } from '../components/error-banner';
import { formatDate } from '../components/format';
import { TextField } from '../components/text-field';
import { useSession } from '../session/session-context';

export function OrganizationPage() {
  const { me, refresh } = useSession();
  const members = useQuery(MembersQuery, {});
  const invite = useMutation(InviteMemberMutation);
  const updateRole = useMutation(UpdateMemberRoleMutation);
  const remove = useMutation(RemoveMemberMutation);
  const createTenant = useMutation(CreateTenantMutation);
  const switchTenant = useMutation(SwitchTenantMutation);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('DEVELOPER');
  const [sent, setSent] = useState<Invitation>();
  const [orgName, setOrgName] = useState('');

  const sendInvite = async (e: FormEvent) => {
    e.preventDefault();
    const res = await invite.run({ input: { email, role } });
    if (res) {
      setSent(res.inviteMember);
      setEmail('');
      void members.reload();
    }
  };
  const changeRole = async (userId: string, next: Role) => {
    if (await updateRole.run({ userId, role: next })) void members.reload();
  };
  const removeMember = async (userId: string, who: string) => {
    if (!window.confirm(`Remove ${who} from this organization?`)) return;
    if (await remove.run({ userId })) void members.reload();
  };
  const newOrg = async (e: FormEvent) => {
    e.preventDefault();
    const res = await createTenant.run({ name: orgName });
    if (res && (await switchTenant.run({ tenantId: res.createTenant.id }))) await refresh();
  };
  const inviteLink = sent?.token
    ? `${window.location.origin}/signup?invitation=${encodeURIComponent(sent.token)}`
    : undefined;

  return (
    <>
      <section aria-labelledby="members-heading">
        <h2 id="members-heading">Members</h2>
        <ErrorBanner error={members.error ?? updateRole.error ?? remove.error} />
        {members.data ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">E-mail</th>
                  <th scope="col">Role</th>
                  <th scope="col">Joined</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {members.data.tenantMembers.map((m) => (
                  <tr key={m.userId}>
                    <td>{m.email}</td>
                    <td>
                      <select
                        aria-label={`Role of ${m.email}`}
                        value={m.role}
                        disabled={m.userId === me.id || updateRole.busy}
                        onChange={(e) => void changeRole(m.userId, e.target.value as Role)}
                      >
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {r.toLowerCase()}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>{formatDate(m.joinedAt)}</td>
                    <td>
                      {m.userId !== me.id ? (
                        <button
                          type="button"
                          className="danger"
                          onClick={() => void removeMember(m.userId, m.email)}
                          aria-label={`Remove ${m.email}`}
                        >
                          Remove
                        </button>
                      ) : (
                        'you'
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        {members.data?.invitations.filter((i) => !i.acceptedAt).length ? (
          <>
            <h3>Pending invitations</h3>
            <ul>
              {members.data.invitations
                .filter((i) => !i.acceptedAt)
                .map((i) => (
                  <li key={i.id}>
                    {i.email} as {i.role.toLowerCase()}, expires {formatDate(i.expiresAt)}
                  </li>
                ))}
            </ul>
          </>
        ) : null}
      </section>
      <form className="card" onSubmit={sendInvite} aria-labelledby="invite-heading">
        <h2 id="invite-heading">Invite a member</h2>
        <TextField label="E-mail" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <div className="field">
          <label htmlFor="invite-role">Role</label>
          <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r.toLowerCase()}
              </option>
            ))}
          </select>
        </div>
        <ErrorBanner error={invite.error} />
        <button type="submit" disabled={invite.busy}>
          Send invitation
        </button>
        {inviteLink ? (
          <div className="callout" role="status">
            <p>Send this link to {sent!.email}; it works once and is shown only now.</p>
            <div className="secret-row">
              <code className="secret">{inviteLink}</code>
              <CopyButton text={inviteLink} />
            </div>
          </div>
        ) : null}
      </form>
      <form className="card" onSubmit={newOrg} aria-labelledby="new-org-heading">
        <h2 id="new-org-heading">New organization</h2>
        <TextField label="Organization name" required value={orgName} onChange={(e) => setOrgName(e.target.value)} />
        <ErrorBanner error={createTenant.error ?? switchTenant.error} />
        <button type="submit" disabled={createTenant.busy || switchTenant.busy}>
          Create and switch to it
        </button>
      </form>
    </>
  );
}
