import { useEffect, useState, type FormEvent } from 'react';
import { PredictMutation, type Prediction } from '../api/operations/inference';
import { ModelQuery, ModelsQuery } from '../api/operations/models';
import { useMutation, useQuery } from '../api/use-query';
import { ErrorBanner } from '../components/error-banner';
import { useLocation } from '../router/router';
import { CodeSnippet } from './playground/code-snippet';
import { ImageDrop } from './playground/image-drop';
import { PredictionResult } from './playground/prediction-result';

const IRIS_EXAMPLE = '{ "features": [[5.1, 3.5, 1.4, 0.2]] }';

/** An example input from the model's declared signature. */
function exampleFor(name: string, inputs: { name: string; datatype: string; shape: number[] }[] | undefined): string {
  if (name === 'iris') return IRIS_EXAMPLE;
  const first = inputs?.[0];
  if (!first) return '{}';
  if (first.datatype === 'BYTES' || first.name === 'image') return `{ "${first.name}": "<drop an image below>" }`;
  const width = first.shape.slice(1).reduce((a, b) => a * Math.max(1, b), 1);
  return JSON.stringify({ [first.name]: [Array.from({ length: width }, () => 0)] });
}

export function PlaygroundPage() {
  const initial = useLocation().query.get('model') ?? 'iris';
  const [model, setModel] = useState(initial);
  const [version, setVersion] = useState('');
  const [text, setText] = useState(IRIS_EXAMPLE);
  const [jsonProblem, setJsonProblem] = useState<string>();
  const [preview, setPreview] = useState<string>();
  const [result, setResult] = useState<Prediction>();
  const models = useQuery(ModelsQuery, { first: 100 });
  const detail = useQuery(ModelQuery, { name: model });
  const predict = useMutation(PredictMutation);

  useEffect(() => {
    setText(exampleFor(model, detail.data?.model?.inputs));
    setResult(undefined);
    setPreview(undefined);
  }, [model, detail.data]);

  let variables: unknown = null;
  try {
    variables = { input: { model, ...(version ? { version } : {}), inputs: JSON.parse(text) } };
  } catch {
    variables = null;
  }

  const run = async (e: FormEvent) => {
    e.preventDefault();
    if (!variables) {
      setJsonProblem('The inputs are not valid JSON: check quotes, commas and brackets.');
      return;
    }
    setJsonProblem(undefined);
    const res = await predict.run(variables as { input: { model: string; inputs: unknown } });
    if (res) setResult(res.predict);
  };

  const imageName = detail.data?.model?.inputs.find((i) => i.datatype === 'BYTES' || i.name === 'image')?.name;
  const names = models.data?.models.edges.map((e) => e.node.name) ?? [model];

  return (
    <>
      <form className="card" onSubmit={run} aria-labelledby="try-heading">
        <h2 id="try-heading">Try a model</h2>
        <div className="row wrap">
          <div className="field">
            <label htmlFor="pg-model">Model</label>
            <select id="pg-model" value={model} onChange={(e) => setModel(e.target.value)}>
              {(names.includes(model) ? names : [model, ...names]).map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="pg-version">Version or alias</label>
            <input id="pg-version" placeholder="stable" value={version} onChange={(e) => setVersion(e.target.value)} />
          </div>
        </div>
        <ErrorBanner error={models.error ?? detail.error} />
        <div className="field">
          <label htmlFor="pg-inputs">Inputs (JSON)</label>
          <textarea
            id="pg-inputs"
            rows={6}
            spellCheck={false}
            value={text}
            onChange={(e) => setText(e.target.value)}
            aria-invalid={jsonProblem ? true : undefined}
          />
        </div>
        {imageName ? (
          <ImageDrop
            onImage={(b64, url) => {
              setText(JSON.stringify({ [imageName]: b64 }));
              setPreview(url);
            }}
          />
        ) : null}
        {preview ? <img className="preview" src={preview} alt="The image that will be sent" /> : null}
        {jsonProblem ? (
          <p className="error" role="alert">
            {jsonProblem}
          </p>
        ) : null}
        <ErrorBanner error={predict.error} />
        <button type="submit" disabled={predict.busy}>
          {predict.busy ? 'Running…' : 'Run prediction'}
        </button>
      </form>
      {result ? <PredictionResult prediction={result} labels={detail.data?.model?.outputs[0]?.labels} /> : null}
      {/* Images make the snippet unreadable: show the shape of the call with a placeholder. */}
      {variables ? (
        <CodeSnippet
          variables={preview && imageName ? { input: { model, inputs: { [imageName]: '<base64 image>' } } } : variables}
        />
      ) : null}
    </>
  );
}
