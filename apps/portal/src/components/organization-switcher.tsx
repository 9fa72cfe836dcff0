import { useMutation } from '../api/use-query';
import { SwitchTenantMutation } from '../api/operations/accounts';
import { useSession } from '../session/session-context';
import { ErrorBanner } from './error-banner';

/** Acts for another of the user's organizations; the server issues a new session and CSRF token. */
export function OrganizationSwitcher() {
  const { me, refresh } = useSession();
  const switchTenant = useMutation(SwitchTenantMutation);
  const onChange = async (tenantId: string) => {
    if (await switchTenant.run({ tenantId })) await refresh();
  };
  return (
    <div className="org-switcher">
      <label htmlFor="org-select">Organization</label>
      <select
        id="org-select"
        value={me.currentTenantId ?? ''}
        onChange={(e) => void onChange(e.target.value)}
        disabled={switchTenant.busy}
      >
        {me.memberships.map((m) => (
          <option key={m.tenant.id} value={m.tenant.id}>
            {m.tenant.name} ({m.role.toLowerCase()})
          </option>
        ))}
      </select>
      <ErrorBanner error={switchTenant.error} />
    </div>
  );
}
