import { useState } from 'react';
import {
  EvaluateModelVersionMutation,
  ModelVersionsQuery,
  OptimizeModelVersionMutation,
  type Dataset,
  type VersionEvaluation,
} from '../../api/operations/training';
import { useMutation, useQuery } from '../../api/use-query';
import { ErrorBanner } from '../../components/error-banner';
import { formatBytes } from './format-bytes';

const metric = (e: VersionEvaluation | undefined): string => {
  if (!e) return '—';
  if (e.accuracy !== null) return `accuracy ${e.accuracy.toFixed(3)} · macro F1 ${e.macroF1?.toFixed(3)}`;
  return `RMSE ${e.rmse?.toFixed(3)} · MAE ${e.mae?.toFixed(3)} · R² ${e.r2?.toFixed(3)}`;
};

/** A model's versions side by side: size, quantisation and latest evaluation; evaluate or quantise one. */
export function VersionsPanel({ model, datasets }: { model: string; datasets: Dataset[] }) {
  const versions = useQuery(ModelVersionsQuery, { name: model }, { skip: !model });
  const evaluate = useMutation(EvaluateModelVersionMutation);
  const optimize = useMutation(OptimizeModelVersionMutation);
  const [datasetId, setDatasetId] = useState('');
  const [target, setTarget] = useState('');
  const dataset = datasets.find((d) => d.id === datasetId) ?? datasets[0];
  const heldOut = dataset ? { dataset: dataset.id, target: target || dataset.columns.at(-1)!.name } : undefined;
  const run = async (p: Promise<unknown>) => {
    if (await p) void versions.reload();
  };
  const list = versions.data?.model?.versions ?? [];
  return (
    <section className="card" aria-labelledby="versions-heading">
      <h2 id="versions-heading">Versions of {model}</h2>
      <div className="field">
        <label htmlFor="eval-dataset">Held-out dataset</label>
        <select id="eval-dataset" value={dataset?.id ?? ''} onChange={(e) => setDatasetId(e.target.value)}>
          {datasets.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
        <label htmlFor="eval-target">Target</label>
        <select id="eval-target" value={heldOut?.target ?? ''} onChange={(e) => setTarget(e.target.value)}>
          {dataset?.columns.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>
      </div>
      <ErrorBanner error={versions.error ?? evaluate.error ?? optimize.error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Weights</th>
              <th scope="col">Size</th>
              <th scope="col">Latest evaluation</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.map((v) => (
              <tr key={v.version}>
                <td>
                  {v.version}
                  {v.parentVersion ? ` (from ${v.parentVersion})` : ''}
                </td>
                <td>{v.quantization ?? 'float32'}</td>
                <td>{formatBytes(v.sizeBytes)}</td>
                <td>{metric(v.evaluations.at(-1))}</td>
                <td>
                  <button
                    type="button"
                    className="secondary"
                    disabled={!heldOut || evaluate.busy}
                    onClick={() =>
                      heldOut && void run(evaluate.run({ input: { model, version: String(v.version), ...heldOut } }))
                    }
                  >
                    Evaluate
                  </button>
                  {!v.quantization ? (
                    <button
                      type="button"
                      className="secondary"
                      disabled={optimize.busy}
                      onClick={() =>
                        void run(
                          optimize.run({
                            input: { model, version: String(v.version), quantization: 'UINT8', ...heldOut },
                          }),
                        )
                      }
                    >
                      Quantise (uint8)
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
