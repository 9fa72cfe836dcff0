import { useState, type FormEvent } from 'react';
import { ApiError, asApiError } from '../../api/api-error';
import { PublishModelVersionMutation, type TensorSpec } from '../../api/operations/models';
import { ErrorBanner } from '../../components/error-banner';
import { Meter } from '../../components/meter';
import { base64Of, checkArtifact } from './artifact-check';
import { postWithProgress } from './post-with-progress';

const EXAMPLE_INPUTS = '[{ "name": "features", "datatype": "FP32", "shape": [-1, 4] }]';
const EXAMPLE_OUTPUTS =
  '[{ "name": "probabilities", "datatype": "FP32", "shape": [-1, 3], "labels": ["a", "b", "c"] }]';

function parseSignature(text: string, what: string, problems: string[]): TensorSpec[] {
  try {
    const value = JSON.parse(text);
    if (Array.isArray(value) && value.length > 0) return value;
  } catch {
    // Falls through to the message.
  }
  problems.push(`${what} must be a JSON list of { name, datatype, shape }, e.g. ${EXAMPLE_INPUTS}`);
  return [];
}

/** Upload a TF.js artifact as a new immutable version, with a progress bar and the server's validation errors. */
export function UploadVersionForm({
  model,
  current,
  onPublished,
}: {
  model: string;
  current: { inputs: TensorSpec[]; outputs: TensorSpec[] };
  onPublished: () => void;
}) {
  const [files, setFiles] = useState<File[]>([]);
  const [inputs, setInputs] = useState(current.inputs.length ? JSON.stringify(current.inputs) : EXAMPLE_INPUTS);
  const [outputs, setOutputs] = useState(current.outputs.length ? JSON.stringify(current.outputs) : EXAMPLE_OUTPUTS);
  const [problems, setProblems] = useState<string[]>([]);
  const [progress, setProgress] = useState<number>();
  const [error, setError] = useState<ApiError>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    const artifact = await checkArtifact(files);
    const found = [...artifact.problems];
    const signature = {
      inputs: parseSignature(inputs, 'Inputs', found),
      outputs: parseSignature(outputs, 'Outputs', found),
    };
    setProblems(found);
    if (found.length) return;
    try {
      setProgress(0);
      const encoded = await Promise.all(files.map(async (f) => ({ path: f.name, contentBase64: await base64Of(f) })));
      await postWithProgress(
        PublishModelVersionMutation,
        { input: { model, format: artifact.format, ...signature, files: encoded } },
        setProgress,
      );
      setFiles([]);
      onPublished();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setProgress(undefined);
    }
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby="upload-heading">
      <h2 id="upload-heading">Upload a new version</h2>
      <div className="field">
        <label htmlFor="artifact-files">TF.js model files (model.json and its *.bin shards)</label>
        <input
          id="artifact-files"
          type="file"
          multiple
          accept=".json,.bin"
          onChange={(e) => setFiles([...(e.target.files ?? [])])}
        />
      </div>
      <div className="field">
        <label htmlFor="sig-inputs">Inputs (JSON)</label>
        <textarea
          id="sig-inputs"
          rows={2}
          value={inputs}
          onChange={(e) => setInputs(e.target.value)}
          spellCheck={false}
        />
      </div>
      <div className="field">
        <label htmlFor="sig-outputs">Outputs (JSON)</label>
        <textarea
          id="sig-outputs"
          rows={2}
          value={outputs}
          onChange={(e) => setOutputs(e.target.value)}
          spellCheck={false}
        />
      </div>
      {problems.length ? (
        <ul className="error" role="alert">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : null}
      {progress !== undefined ? (
        <Meter label="Uploading" value={Math.round(progress * 100)} max={100} kind="progress" />
      ) : null}
      <ErrorBanner error={error} />
      <button type="submit" disabled={files.length === 0 || progress !== undefined}>
        Upload and publish
      </button>
    </form>
  );
}
