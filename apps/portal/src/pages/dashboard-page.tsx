import { useMemo, useState } from 'react';
import { ApiKeysQuery } from '../api/operations/api-keys';
import { QuotaQuery, SpendQuery, UsageQuery } from '../api/operations/usage';
import { useQuery } from '../api/use-query';
import { ErrorBanner } from '../components/error-banner';
import { formatDate, formatMoney, formatNumber } from '../components/format';
import { Meter } from '../components/meter';
import { UsageChart } from '../components/usage-chart';
import { lastDays, toSeries } from './dashboard/usage-series';

const DAYS = 30;

export function DashboardPage() {
  const [groupBy, setGroupBy] = useState<'MODEL' | 'API_KEY'>('MODEL');
  const days = useMemo(() => lastDays(DAYS), []);
  const range = useMemo(() => ({ from: `${days[0]}T00:00:00.000Z`, to: new Date(Date.parse(`${days[DAYS - 1]}T00:00:00.000Z`) + 86_400_000).toISOString() }), [days]);
  const usage = useQuery(UsageQuery, { ...range, groupBy: ['DAY', groupBy] });
  const quota = useQuery(QuotaQuery, {});
  const spend = useQuery(SpendQuery, {});
  // Key names for the legend: usage is grouped by key id.
  const keys = useQuery(ApiKeysQuery, { first: 100 }, { skip: groupBy !== 'API_KEY' });
  const keyName = new Map(keys.data?.apiKeys.edges.map((e) => [e.node.id, `${e.node.name} (${e.node.prefix}…)`]) ?? []);

  const series = usage.data
    ? toSeries(usage.data.usage, days, (b) => (groupBy === 'MODEL' ? (b.model ?? 'unknown model') : b.apiKeyId ? (keyName.get(b.apiKeyId) ?? b.apiKeyId) : 'portal (no key)'))
    : [];
  const q = quota.data?.quota;

  return (
    <>
      <div className="cards">
        <section className="card" aria-labelledby="quota-heading">
          <h2 id="quota-heading">Quota</h2>
          <ErrorBanner error={quota.error} />
          {q ? (
            <>
              <p>
                Plan <strong>{q.plan}</strong>, period {formatDate(q.period.start)} – {formatDate(q.period.end)}
              </p>
              <Meter label="Units used" value={Number(q.unitsUsed)} max={Number(q.unitsIncluded)} detail={`${formatNumber(Number(q.unitsUsed))} of ${formatNumber(Number(q.unitsIncluded))}`} />
            </>
          ) : null}
        </section>
        <section className="card" aria-labelledby="rate-heading">
          <h2 id="rate-heading">Rate limit</h2>
          {q ? (
            <>
              <Meter label="Requests left this minute" value={q.rateLimit.remaining} max={q.rateLimit.limit} detail={`${q.rateLimit.remaining} of ${q.rateLimit.limit}`} />
              <p className="hint">Resets {formatDate(q.rateLimit.resetAt)}</p>
            </>
          ) : null}
        </section>
        <section className="card" aria-labelledby="spend-heading">
          <h2 id="spend-heading">Spend</h2>
          {spend.data ? (
            spend.data.quota.budgetCents ? (
              <Meter
                label="Spend against budget"
                value={spend.data.quota.spendCents}
                max={spend.data.quota.budgetCents}
                detail={`${formatMoney(spend.data.quota.spendCents, spend.data.quota.currency)} of ${formatMoney(spend.data.quota.budgetCents, spend.data.quota.currency)}`}
              />
            ) : (
              <p>{formatMoney(spend.data.quota.spendCents, spend.data.quota.currency)} this period; no budget set.</p>
            )
          ) : spend.error ? (
            <p className="hint">Spend is not available from the API yet ({spend.error.message}).</p>
          ) : null}
        </section>
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
            <UsageChart title={`Units per day by ${groupBy === 'MODEL' ? 'model' : 'key'}`} days={days} series={series} />
          ) : (
            <p>No usage in the last {DAYS} days. Try a model in the Playground.</p>
          )
        ) : null}
      </section>
    </>
  );
}
