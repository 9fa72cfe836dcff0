import { ModelQuery } from '../api/operations/models';
import { useQuery } from '../api/use-query';
import { ErrorBanner } from '../components/error-banner';
import { formatDate } from '../components/format';
import { Link } from '../router/link';
import { AliasForm } from './models/alias-form';
import { MonitoringCard } from './models/monitoring-card';
import { UploadVersionForm } from './models/upload-version-form';
import { VersionPlayground } from './models/version-playground';
import { useLocation } from '../router/router';
import { useState } from 'react';

function metricsText(metrics: Record<string, unknown> | null): string {
  if (!metrics || Object.keys(metrics).length === 0) return '—';
  return Object.entries(metrics)
    .map(([k, v]) => `${k} ${typeof v === 'number' && v <= 1 ? `${(v * 100).toFixed(1)}%` : v}`)
    .join(', ');
}

export function ModelDetailPage({ name }: { name: string }) {
  const model = useQuery(ModelQuery, { name });
  const m = model.data?.model;
  const asked = Number(useLocation().query.get('version'));
  const [tryVersion, setTryVersion] = useState<number | undefined>(
    Number.isInteger(asked) && asked > 0 ? asked : undefined,
  );
  return (
    <>
      <p>
        <Link href="/models">← All models</Link> ·{' '}
        <Link href={`/playground?model=${encodeURIComponent(name)}`}>Try it in the playground</Link>
      </p>
      <ErrorBanner error={model.error} />
      {model.data && !m ? <p role="alert">There is no model named {name}.</p> : null}
      {m ? (
        <>
          <p className="lede">{m.description}</p>
          <section className="card" aria-labelledby="sig-heading">
            <h2 id="sig-heading">Signature</h2>
            <ul>
              {m.inputs.map((t) => (
                <li key={`in-${t.name}`}>
                  input <code>{t.name}</code> {t.datatype} [{t.shape.join(', ')}]
                  {t.labels?.length ? `: ${t.labels.join(', ')}` : ''}
                </li>
              ))}
              {m.outputs.map((t) => (
                <li key={`out-${t.name}`}>
                  output <code>{t.name}</code> {t.datatype} [{t.shape.join(', ')}]
                  {t.labels?.length ? `: ${t.labels.join(', ')}` : ''}
                </li>
              ))}
            </ul>
          </section>
          <section className="card" aria-labelledby="versions-heading">
            <h2 id="versions-heading">Versions</h2>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Version</th>
                    <th scope="col">Status</th>
                    <th scope="col">Evaluation</th>
                    <th scope="col">Aliases</th>
                    <th scope="col">Published</th>
                    <th scope="col">
                      <span className="visually-hidden">Try</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {m.versions.map((v) => (
                    <tr key={v.version}>
                      <td>{v.version}</td>
                      <td>
                        <span className={`badge ${v.status.toLowerCase()}`}>{v.status.toLowerCase()}</span>
                      </td>
                      <td>{metricsText(v.metrics)}</td>
                      <td>
                        {m.aliases
                          .filter((a) => a.version === v.version)
                          .map((a) => a.name)
                          .join(', ') || '—'}
                      </td>
                      <td>{formatDate(v.createdAt)}</td>
                      <td>
                        {v.status === 'READY' ? (
                          <button
                            type="button"
                            className="secondary"
                            aria-label={`Try version ${v.version}`}
                            onClick={() => {
                              setTryVersion(v.version);
                              window.document.getElementById('vp-heading')?.scrollIntoView();
                            }}
                          >
                            Try
                          </button>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {m.public ? (
              <p className="hint">A built-in catalog model: its versions and aliases are managed by the platform.</p>
            ) : (
              <AliasForm model={m.name} versions={m.versions} onSaved={() => void model.reload()} />
            )}
          </section>
          <VersionPlayground model={m} version={tryVersion} />
          <MonitoringCard model={m.name} />
          {m.public ? null : <UploadVersionForm model={m.name} current={m} onPublished={() => void model.reload()} />}
        </>
      ) : null}
    </>
  );
}
