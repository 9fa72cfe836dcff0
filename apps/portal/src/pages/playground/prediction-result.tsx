import type { Prediction } from '../../api/operations/inference';
import { formatNumber } from '../../components/format';
import { topClasses } from './top-classes';

/** The answer, its timing breakdown and its cost in billable units. */
export function PredictionResult({
  prediction,
  labels,
}: {
  prediction: Prediction;
  labels: string[] | null | undefined;
}) {
  const top = topClasses(prediction.labels ? { labels: prediction.labels } : prediction.outputs, labels);
  const t = prediction.timing;
  return (
    <section className="card" aria-labelledby="result-heading" aria-live="polite">
      <h2 id="result-heading">
        Prediction from {prediction.model} v{prediction.version}
      </h2>
      {top.length ? (
        <ol className="classes" data-testid="top-classes">
          {top.map((c) => (
            <li key={c.label}>
              <strong>{c.label}</strong> {(c.score * 100).toFixed(1)}%
            </li>
          ))}
        </ol>
      ) : null}
      <dl className="timing">
        <dt>Queue</dt>
        <dd>{t.queueMs.toFixed(1)} ms</dd>
        <dt>Compute</dt>
        <dd>{t.computeMs.toFixed(1)} ms</dd>
        <dt>Total</dt>
        <dd>{t.totalMs.toFixed(1)} ms</dd>
        <dt>Batch size</dt>
        <dd>{t.batchSize}</dd>
        <dt>Cost</dt>
        <dd data-testid="prediction-units">
          {formatNumber(prediction.usage.units)} {prediction.usage.units === 1 ? 'unit' : 'units'} of your monthly quota
        </dd>
      </dl>
      <details>
        <summary>Raw outputs</summary>
        <pre className="code">{JSON.stringify(prediction.outputs, null, 2)}</pre>
      </details>
    </section>
  );
}
