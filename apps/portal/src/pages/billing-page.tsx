import { useMemo } from 'react';
import { InvoicesQuery, OpenBillingPortalMutation, StartCheckoutMutation } from '../api/operations/billing';
import { QuotaQuery, UsageQuery } from '../api/operations/usage';
import { useMutation, useQuery } from '../api/use-query';
import { ErrorBanner } from '../components/error-banner';
import { formatDate, formatMoney, formatNumber } from '../components/format';
import { useSession } from '../session/session-context';

// The public plans (the seed's ids); the server decides prices and what each includes.
const PLANS = [
  { id: 'developer', label: 'Developer' },
  { id: 'pro', label: 'Pro' },
];

export function BillingPage() {
  const { me } = useSession();
  const tenant = me.memberships.find((m) => m.tenant.id === me.currentTenantId)?.tenant;
  const quota = useQuery(QuotaQuery, {});
  const invoices = useQuery(InvoicesQuery, {});
  const period = quota.data?.quota.period;
  const ledgerVars = useMemo(
    () =>
      period ? { from: period.start, to: period.end, groupBy: ['MODEL' as const] } : { from: '', to: '', groupBy: [] },
    [period],
  );
  const ledger = useQuery(UsageQuery, ledgerVars, { skip: !period });
  const checkout = useMutation(StartCheckoutMutation);
  const portal = useMutation(OpenBillingPortalMutation);

  // Stripe's pages take over the tab: they come back to the portal's own URLs when done.
  const upgrade = async (plan: string) => {
    const res = await checkout.run({ plan });
    if (res) window.location.assign(res.startCheckout.url);
  };
  const manage = async () => {
    const res = await portal.run({});
    if (res) window.location.assign(res.openBillingPortal.url);
  };

  return (
    <>
      <section className="card" aria-labelledby="plan-heading">
        <h2 id="plan-heading">Plan</h2>
        <p>
          {tenant?.name} is on the <strong data-testid="current-plan">{tenant?.plan}</strong> plan.
        </p>
        <div className="row wrap">
          {PLANS.filter((p) => p.id !== tenant?.plan).map((p) => (
            <button key={p.id} type="button" disabled={checkout.busy} onClick={() => void upgrade(p.id)}>
              Upgrade to {p.label}
            </button>
          ))}
          <button type="button" className="secondary" disabled={portal.busy} onClick={() => void manage()}>
            Manage payment
          </button>
        </div>
        <ErrorBanner error={checkout.error ?? portal.error} />
      </section>
      <section className="card" aria-labelledby="ledger-heading">
        <h2 id="ledger-heading">This period's usage (local ledger)</h2>
        <ErrorBanner error={quota.error ?? ledger.error} />
        {period ? (
          <p>
            {formatDate(period.start)} – {formatDate(period.end)}: {formatNumber(Number(quota.data!.quota.unitsUsed))}{' '}
            of {formatNumber(Number(quota.data!.quota.unitsIncluded))} included units
          </p>
        ) : null}
        {ledger.data?.usage.length ? (
          <ul>
            {ledger.data.usage.map((b) => (
              <li key={b.model ?? 'all'}>
                {b.model}: {formatNumber(Number(b.requests))} requests, {formatNumber(Number(b.units))} units
              </li>
            ))}
          </ul>
        ) : null}
      </section>
      <section className="card" aria-labelledby="invoices-heading">
        <h2 id="invoices-heading">Invoices</h2>
        <ErrorBanner error={invoices.error} />
        {invoices.data && invoices.data.invoices.length === 0 ? <p>No invoices yet.</p> : null}
        {invoices.data?.invoices.length ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Invoice</th>
                  <th scope="col">Period</th>
                  <th scope="col">Status</th>
                  <th scope="col">Amount due</th>
                  <th scope="col">Paid</th>
                </tr>
              </thead>
              <tbody>
                {invoices.data.invoices.map((inv) => (
                  <tr key={inv.id}>
                    <td>
                      {inv.hostedInvoiceUrl ? (
                        <a href={inv.hostedInvoiceUrl}>{inv.number ?? inv.id}</a>
                      ) : (
                        (inv.number ?? inv.id)
                      )}
                    </td>
                    <td>
                      {formatDate(inv.periodStart)} – {formatDate(inv.periodEnd)}
                    </td>
                    <td>{inv.status}</td>
                    <td>{formatMoney(Number(inv.amountDue), inv.currency)}</td>
                    <td>{formatMoney(Number(inv.amountPaid), inv.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </>
  );
}
