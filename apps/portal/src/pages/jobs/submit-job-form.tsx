import { useState, type FormEvent } from 'react';
import { SubmitInferenceJobMutation } from '../../api/operations/inference';
import { useMutation } from '../../api/use-query';
import { ErrorBanner } from '../../components/error-banner';
import { TextField } from '../../components/text-field';

// One entry per example, keyed by input name (no batch dimension: the job batches them).
const EXAMPLE = '[\n  { "features": [5.1, 3.5, 1.4, 0.2] },\n  { "features": [6.7, 3.0, 5.2, 2.3] }\n]';

export function SubmitJobForm({ onSubmitted }: { onSubmitted: () => void }) {
  const [model, setModel] = useState('iris');
  const [text, setText] = useState(EXAMPLE);
  const [problem, setProblem] = useState<string>();
  const submit = useMutation(SubmitInferenceJobMutation);
  const send = async (e: FormEvent) => {
    e.preventDefault();
    let instances: unknown;
    try {
      instances = JSON.parse(text);
    } catch {
      instances = undefined;
    }
    if (!Array.isArray(instances) || instances.length === 0) {
      setProblem('Instances must be a JSON list with one input object per item.');
      return;
    }
    setProblem(undefined);
    if (await submit.run({ input: { model, instances } })) onSubmitted();
  };
  return (
    <form className="card" onSubmit={send} aria-labelledby="submit-job-heading">
      <h2 id="submit-job-heading">Submit a batch job</h2>
      <TextField label="Model" required value={model} onChange={(e) => setModel(e.target.value)} />
      <div className="field">
        <label htmlFor="job-instances">Instances (JSON list)</label>
        <textarea
          id="job-instances"
          rows={5}
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </div>
      {problem ? (
        <p className="error" role="alert">
          {problem}
        </p>
      ) : null}
      <ErrorBanner error={submit.error} />
      <button type="submit" disabled={submit.busy}>
        Submit job
      </button>
    </form>
  );
}
