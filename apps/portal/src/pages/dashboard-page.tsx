import { useMemo, useState } from 'react';
import { ApiKeysQuery } from '../api/operations/api-keys';
import { QuotaQuery, UsageQuery } from '../api/operations/usage';
import { useQuery } from '../api/use-query';
import { ErrorBanner } from '../components/error-banner';
import { UsageChart } from '../components/usage-chart';
import { QuotaCards } from './dashboard/quota-cards';
import { lastDays, toSeries } from './dashboard/usage-series';

const DAYS = 30;

export function DashboardPage() {
  const [groupBy, setGroupBy] = useState<'MODEL' | 'API_KEY'>('MODEL');
  const days = useMemo(() => lastDays(DAYS), []);
  const range = useMemo(
    () => ({
      from: `${days[0]}T00:00:00.000Z`,
      to: new Date(Date.parse(`${days[DAYS - 1]}T00:00:00.000Z`) + 86_400_000).toISOString(),
    }),
    [days],
  );
  const usage = useQuery(UsageQuery, { ...range, groupBy: ['DAY', groupBy] });
  const quota = useQuery(QuotaQuery, {});
  // Key names for the legend: usage is grouped by key id.
  const keys = useQuery(ApiKeysQuery, { first: 100 }, { skip: groupBy !== 'API_KEY' });
  const keyName = new Map(keys.data?.apiKeys.edges.map((e) => [e.node.id, `${e.node.name} (${e.node.prefix}…)`]) ?? []);

  const series = usage.data
    ? toSeries(usage.data.usage, days, (b) =>
        groupBy === 'MODEL'
          ? (b.model ?? 'unknown model')
          : b.apiKeyId
            ? (keyName.get(b.apiKeyId) ?? b.apiKeyId)
            : 'portal (no key)',
      )
    : [];

  return (
    <>
      <div className="cards">
        {quota.error ? <ErrorBanner error={quota.error} title="Quota" /> : null}
        {quota.data ? <QuotaCards quota={quota.data.quota} /> : null}
      </div>
      <section className="card" aria-labelledby="usage-heading">
        <div className="row">
          <h2 id="usage-heading">Usage, last {DAYS} days</h2>
          <div className="segmented" role="group" aria-label="Group usage by">
            <button type="button" aria-pressed={groupBy === 'MODEL'} onClick={() => setGroupBy('MODEL')}>
              By model
            </button>
            <button type="button" aria-pressed={groupBy === 'API_KEY'} onClick={() => setGroupBy('API_KEY')}>
              By key
            </button>
          </div>
        </div>
        <ErrorBanner error={usage.error} />
        {usage.data ? (
          series.length ? (
            <UsageChart
              title={`Units per day by ${groupBy === 'MODEL' ? 'model' : 'key'}`}
              days={days}
              series={series}
            />
          ) : (
            <p>No usage in the last {DAYS} days. Try a model in the Playground.</p>
          )
        ) : null}
      </section>
    </>
  );
}
