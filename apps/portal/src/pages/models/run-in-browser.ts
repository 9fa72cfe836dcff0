import type { ModelVersion } from '../../api/operations/models';
// The server's own encoder, bundled as is: a trained version's columns are encoded exactly as
// the runtime encodes them before its model (a pure module: no Node, no Nest).
import {
  encodeTabular,
  tabularWidth,
  type Cell,
  type TabularPreprocessing,
} from '../../../../../libs/inference/src/tabular/tabular-preprocessing';

type Tf = typeof import('@tensorflow/tfjs');
type Loaded = { predict(x: unknown): unknown; dispose(): void };

let tfPromise: Promise<Tf> | undefined;
/** TF.js only when someone runs a model in the page: its own chunk, not the portal's first load. */
export function loadTf(): Promise<Tf> {
  tfPromise ??= import('@tensorflow/tfjs').then(async (tf) => {
    await tf.ready();
    return tf;
  });
  return tfPromise;
}

export interface BrowserRun {
  /** Output rows of the first output, one per instance. */
  rows: number[][];
  loadMs: number;
  runMs: number;
  backend: string;
}

/** Why a version cannot run in the browser; null when it can. */
export function browserLimitation(v: ModelVersion): string | null {
  if (v.featureColumns?.length && !v.preprocessing)
    return 'This version encodes its columns on the server and does not say how, so it cannot run in your browser.';
  if (!v.featureColumns?.length && v.inputs.some((t) => t.datatype === 'BYTES'))
    return 'This model decodes its text or image inputs on the server, so it runs there only.';
  return null;
}

const cache = new Map<string, Promise<Loaded>>();

/**
 * Loads the version from its signed model.json (once per page) and runs one call with it. The
 * download URL is the api's; the portal is served by that same api, so its path is fetched from
 * this page's own origin (the Content-Security-Policy allows no other).
 */
export async function runInBrowser(
  key: string,
  url: string,
  v: ModelVersion,
  inputs: Record<string, unknown>,
): Promise<BrowserRun> {
  const tf = await loadTf();
  const started = performance.now();
  let loading = cache.get(key);
  const fresh = !loading;
  if (!loading) {
    const local = new URL(new URL(url).pathname, window.location.origin).href;
    loading = (v.format === 'graph' ? tf.loadGraphModel(local) : tf.loadLayersModel(local)) as Promise<Loaded>;
    cache.set(key, loading);
    loading.catch(() => cache.delete(key));
  }
  const model = await loading;
  const loadMs = fresh ? performance.now() - started : 0;
  const t0 = performance.now();
  const feed = tf.tidy(() => tensorsFor(tf, v, inputs));
  try {
    const out = model.predict(feed.length === 1 ? feed[0] : feed) as
      | import('@tensorflow/tfjs').Tensor
      | import('@tensorflow/tfjs').Tensor[]
      | Record<string, import('@tensorflow/tfjs').Tensor>;
    const first = Array.isArray(out)
      ? out[0]!
      : out instanceof tf.Tensor
        ? out
        : (out[v.outputs[0]?.name ?? ''] ?? Object.values(out)[0]!);
    const data = (await first.array()) as number[][] | number[];
    const runMs = performance.now() - t0;
    tf.dispose(out as never);
    return { rows: (Array.isArray(data[0]) ? data : [data]) as number[][], loadMs, runMs, backend: tf.getBackend() };
  } finally {
    tf.dispose(feed);
  }
}

function tensorsFor(tf: Tf, v: ModelVersion, inputs: Record<string, unknown>) {
  if (v.featureColumns?.length && v.preprocessing) {
    const p = v.preprocessing as TabularPreprocessing;
    const columns = inputs as Record<string, Cell[]>;
    const rows = (columns[v.inputs[0]!.name] ?? []).length;
    return [tf.tensor2d(encodeTabular(p, columns, rows), [rows, tabularWidth(p)])];
  }
  return v.inputs.map((t) => {
    const value = inputs[t.name];
    if (value === undefined) throw new Error(`missing input "${t.name}"`);
    return tf.tensor(value as number[][], undefined, t.datatype === 'INT32' ? 'int32' : 'float32');
  });
}

/** The server's first output as rows of numbers, when it is one. */
export function serverRows(outputs: unknown, v: ModelVersion): number[][] | null {
  if (!outputs || typeof outputs !== 'object') return null;
  const map = outputs as Record<string, unknown>;
  const value = map[v.outputs[0]?.name ?? ''] ?? Object.values(map)[0];
  if (!Array.isArray(value)) return null;
  const rows = (Array.isArray(value[0]) ? value : [value]) as unknown[][];
  return rows.every((r) => Array.isArray(r) && r.every((x) => typeof x === 'number')) ? (rows as number[][]) : null;
}

/** Largest absolute difference between two answers, or null when their shapes differ. */
export function largestDifference(a: number[][], b: number[][]): number | null {
  if (a.length !== b.length) return null;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.length !== b[i]!.length) return null;
    for (let j = 0; j < a[i]!.length; j++) max = Math.max(max, Math.abs(a[i]![j]! - b[i]![j]!));
  }
  return max;
}
