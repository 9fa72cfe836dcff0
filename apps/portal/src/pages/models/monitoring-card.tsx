import { useState } from 'react';
import { ModelMonitoringQuery } from '../../api/operations/models';
import { useQuery } from '../../api/use-query';
import { ErrorBanner } from '../../components/error-banner';
import { formatNumber } from '../../components/format';

const W = 640;
const H = 120;
const ms = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)} ms`);

/** Your calls to this model over the last 24 hours: counts, latency percentiles, calls per minute, input drift. */
export function MonitoringCard({ model }: { model: string }) {
  // Fixed once per visit: a new window on every render would refetch forever.
  const [range] = useState(() => ({
    from: new Date(Date.now() - 24 * 3_600_000).toISOString(),
    to: new Date(Date.now() + 60_000).toISOString(),
  }));
  const q = useQuery(ModelMonitoringQuery, { model, ...range });
  const m = q.data?.modelMonitoring;
  const max = Math.max(1, ...(m?.series.map((p) => p.calls) ?? []));
  const start = new Date(range.from).getTime();
  const span = new Date(range.to).getTime() - start;
  return (
    <section className="card" aria-labelledby="monitoring-heading">
      <h2 id="monitoring-heading">Monitoring (last 24 hours)</h2>
      <ErrorBanner error={q.error} />
      {m ? (
        <>
          <p>
            {formatNumber(m.calls)} calls, {formatNumber(m.errors)} errors, {formatNumber(m.instances)} instances ·
            latency p50 {ms(m.latencyMs.p50)}, p95 {ms(m.latencyMs.p95)}, p99 {ms(m.latencyMs.p99)}
          </p>
          <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`calls per minute, at most ${max}`} className="chart">
            <line x1={0} x2={W} y1={H - 1} y2={H - 1} stroke="#e5e7eb" />
            {m.series.map((p) => {
              const x = ((new Date(p.at).getTime() - start) / span) * W;
              const h = (p.calls / max) * (H - 4);
              return (
                <rect key={p.at} x={x} y={H - 1 - h} width={2} height={h} fill={p.errors ? '#dc2626' : '#2563eb'} />
              );
            })}
          </svg>
          {m.drift.length ? (
            <div className="table-wrap">
              <table>
                <caption>
                  Input drift against each version&apos;s baseline (PSI: OK under 0.1, WARN to 0.25, ALERT above)
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Version</th>
                    <th scope="col">Column</th>
                    <th scope="col">PSI</th>
                    <th scope="col">Status</th>
                    <th scope="col">Values seen</th>
                  </tr>
                </thead>
                <tbody>
                  {m.drift.map((d) => (
                    <tr key={`${d.version}-${d.feature}`}>
                      <td>{d.version ?? '—'}</td>
                      <td>
                        <code>{d.feature}</code>
                      </td>
                      <td>{d.psi.toFixed(3)}</td>
                      <td>
                        <span className={`badge drift-${d.status.toLowerCase()}`}>{d.status}</span>
                      </td>
                      <td>{formatNumber(d.observed)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="hint">No input drift to show yet: it needs calls with numeric inputs and a baseline.</p>
          )}
        </>
      ) : null}
    </section>
  );
}
