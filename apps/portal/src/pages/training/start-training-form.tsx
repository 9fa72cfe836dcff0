import { useState, type FormEvent } from 'react';
import type { Dataset } from '../../api/operations/training';
import { StartTrainingMutation } from '../../api/operations/training';
import { useMutation } from '../../api/use-query';
import { ErrorBanner } from '../../components/error-banner';
import { TextField } from '../../components/text-field';

/** Names a model (created when new), a dataset and its target; the rest has defaults. */
export function StartTrainingForm({ datasets, onStarted }: { datasets: Dataset[]; onStarted: () => void }) {
  const [model, setModel] = useState('');
  const [datasetId, setDatasetId] = useState('');
  const [target, setTarget] = useState('');
  const [epochs, setEpochs] = useState('30');
  const [hidden, setHidden] = useState('64');
  const start = useMutation(StartTrainingMutation);
  const dataset = datasets.find((d) => d.id === datasetId) ?? datasets[0];
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!dataset) return;
    const hiddenUnits = hidden
      .split(',')
      .map((u) => Number(u.trim()))
      .filter((u) => u > 0);
    const input = {
      model,
      dataset: dataset.id,
      target: target || dataset.columns.at(-1)!.name,
      epochs: Number(epochs),
      hiddenUnits,
      earlyStoppingPatience: 10,
    };
    if (await start.run({ input })) onStarted();
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="start-training-heading">
      <h2 id="start-training-heading">Train a model</h2>
      <TextField
        label="Model"
        required
        value={model}
        onChange={(e) => setModel(e.target.value)}
        hint="A new name creates the model"
      />
      <div className="field">
        <label htmlFor="training-dataset">Dataset</label>
        <select id="training-dataset" value={dataset?.id ?? ''} onChange={(e) => setDatasetId(e.target.value)}>
          {datasets.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name} ({d.rows} rows)
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="training-target">Target column</label>
        <select
          id="training-target"
          value={target || dataset?.columns.at(-1)?.name || ''}
          onChange={(e) => setTarget(e.target.value)}
        >
          {dataset?.columns.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name} ({c.type.toLowerCase()})
            </option>
          ))}
        </select>
      </div>
      <TextField label="Epochs" type="number" min={1} value={epochs} onChange={(e) => setEpochs(e.target.value)} />
      <TextField
        label="Hidden units"
        value={hidden}
        onChange={(e) => setHidden(e.target.value)}
        hint="Comma-separated, one number per layer"
      />
      <ErrorBanner error={start.error} />
      <button type="submit" disabled={!dataset || start.busy}>
        Start training
      </button>
    </form>
  );
}
