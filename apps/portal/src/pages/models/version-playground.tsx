import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { asApiError, type ApiError } from '../../api/api-error';
import { request } from '../../api/graphql-client';
import { PredictMutation } from '../../api/operations/inference';
import { ModelVersionDownloadQuery, type ModelDetail } from '../../api/operations/models';
import { ErrorBanner } from '../../components/error-banner';
import { buildInputs, exampleJson, initialValues, inputFormOf } from './playground-inputs';
import { browserLimitation, largestDifference, runInBrowser, serverRows, type BrowserRun } from './run-in-browser';

/** Two float32 runs of the same weights agree to this (backends sum in different orders). */
const TOLERANCE = 1e-3;

interface ServerSide {
  rows: number[][] | null;
  raw: unknown;
  roundTripMs: number;
  serverMs: number;
}

type BrowserSide = { run: BrowserRun } | { unavailable: string } | { error: string };

const fmt = (rows: number[][] | null) =>
  rows ? rows.map((r) => `[${r.map((x) => x.toFixed(4)).join(', ')}]`).join(' ') : '—';

/**
 * One version, run twice on the same input: by the server (`predict`) and in this page with
 * TF.js from the version's download URL, side by side with both latencies and whether they agree.
 */
export function VersionPlayground({ model, version: chosen }: { model: ModelDetail; version?: number }) {
  const ready = model.versions.filter((v) => v.status === 'READY');
  const stable = model.aliases.find((a) => a.name === 'stable')?.version;
  const [version, setVersion] = useState<number | undefined>(chosen ?? stable ?? ready.at(-1)?.version);
  useEffect(() => {
    if (chosen !== undefined) setVersion(chosen);
  }, [chosen]);
  const v = ready.find((x) => x.version === version);
  const form = useMemo(() => (v ? inputFormOf(model.name, v) : ({ kind: 'json' } as const)), [model.name, v]);
  const [values, setValues] = useState<string[]>([]);
  const [json, setJson] = useState('');
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [server, setServer] = useState<ServerSide>();
  const [serverError, setServerError] = useState<ApiError>();
  const [browser, setBrowser] = useState<BrowserSide>();

  useEffect(() => {
    setValues(initialValues(model.name, form));
    setJson(v ? exampleJson(v.inputs) : '{}');
    setServer(undefined);
    setServerError(undefined);
    setBrowser(undefined);
  }, [model.name, form, v]);

  if (!v) return null;

  const run = async (e: FormEvent) => {
    e.preventDefault();
    const built = buildInputs(form, values, json);
    if ('problem' in built) {
      setProblem(built.problem);
      return;
    }
    setProblem(undefined);
    setBusy(true);
    setServer(undefined);
    setServerError(undefined);
    setBrowser(undefined);
    const onServer = (async () => {
      const t0 = performance.now();
      try {
        const res = await request(PredictMutation, {
          input: { model: model.name, version: String(v.version), inputs: built.inputs },
        });
        setServer({
          rows: serverRows(res.predict.outputs, v),
          raw: res.predict.outputs,
          roundTripMs: performance.now() - t0,
          serverMs: res.predict.timing.totalMs,
        });
      } catch (err) {
        setServerError(asApiError(err));
      }
    })();
    const inPage = (async (): Promise<BrowserSide> => {
      if (!model.downloadsEnabled)
        return {
          unavailable: 'Downloads of this model are switched off by its owner, so it cannot run in your browser.',
        };
      const limited = browserLimitation(v);
      if (limited) return { unavailable: limited };
      try {
        const dl = await request(ModelVersionDownloadQuery, { model: model.name, version: String(v.version) });
        return { run: await runInBrowser(`${model.name}@${v.version}`, dl.modelVersionDownload.url, v, built.inputs) };
      } catch (err) {
        const api = asApiError(err);
        if (api.reason === 'DOWNLOADS_DISABLED')
          return {
            unavailable: 'Downloads of this model are switched off by its owner, so it cannot run in your browser.',
          };
        return { error: api.describe() };
      }
    })().then(setBrowser);
    await Promise.all([onServer, inPage]);
    setBusy(false);
  };

  const local = browser && 'run' in browser ? browser.run : undefined;
  const diff = server?.rows && local ? largestDifference(server.rows, local.rows) : null;

  return (
    <section className="card" aria-labelledby="vp-heading">
      <h2 id="vp-heading">Playground: server and browser</h2>
      <form onSubmit={run}>
        <div className="field">
          <label htmlFor="vp-version">Version</label>
          <select id="vp-version" value={v.version} onChange={(e) => setVersion(Number(e.target.value))}>
            {ready.map((x) => (
              <option key={x.version} value={x.version}>
                {x.version}
                {x.version === stable ? ' (stable)' : ''}
              </option>
            ))}
          </select>
        </div>
        {form.kind === 'json' ? (
          <div className="field">
            <label htmlFor="vp-json">Inputs (JSON)</label>
            <textarea id="vp-json" rows={4} spellCheck={false} value={json} onChange={(e) => setJson(e.target.value)} />
          </div>
        ) : (
          <div className="row wrap">
            {form.fields.map((f, i) => (
              <div className="field" key={f.name}>
                <label htmlFor={`vp-${i}`}>{f.label}</label>
                <input
                  id={`vp-${i}`}
                  inputMode={f.numeric ? 'decimal' : 'text'}
                  value={values[i] ?? ''}
                  onChange={(e) => setValues((old) => old.map((x, j) => (j === i ? e.target.value : x)))}
                />
              </div>
            ))}
          </div>
        )}
        {problem ? (
          <p className="error" role="alert">
            {problem}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          {busy ? 'Running…' : 'Run on both'}
        </button>
      </form>
      {server || serverError || browser ? (
        <div className="row wrap" aria-live="polite">
          <div className="card" data-testid="server-answer">
            <h3>On the server</h3>
            <ErrorBanner error={serverError} />
            {server ? (
              <>
                <p className="answer">{server.rows ? fmt(server.rows) : JSON.stringify(server.raw)}</p>
                <p data-testid="server-latency">
                  {server.roundTripMs.toFixed(1)} ms round trip ({server.serverMs.toFixed(1)} ms in the server)
                </p>
              </>
            ) : null}
          </div>
          <div className="card" data-testid="browser-answer">
            <h3>In your browser (TF.js)</h3>
            {browser && 'unavailable' in browser ? <p role="status">{browser.unavailable}</p> : null}
            {browser && 'error' in browser ? (
              <p className="error" role="alert">
                The browser could not run it: {browser.error}
              </p>
            ) : null}
            {local ? (
              <>
                <p className="answer">{fmt(local.rows)}</p>
                <p data-testid="browser-latency">
                  {local.runMs.toFixed(1)} ms to run on {local.backend}
                  {local.loadMs ? ` (first load ${local.loadMs.toFixed(0)} ms)` : ''}
                </p>
              </>
            ) : null}
          </div>
        </div>
      ) : null}
      {server?.rows && local ? (
        <p data-testid="agreement" role="status">
          {diff === null
            ? 'The two answers have different shapes.'
            : diff <= TOLERANCE
              ? `The answers agree (largest difference ${diff.toExponential(1)}).`
              : `The answers differ (largest difference ${diff.toExponential(1)}).`}
        </p>
      ) : null}
    </section>
  );
}
