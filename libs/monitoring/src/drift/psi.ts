/** One input column's reference distribution: bin edges and the share of baseline values per bin. */
export interface FeatureBaseline {
  feature: string;
  /** Ascending inner edges: bin i holds values in (edges[i-1], edges[i]]; the last bin is above. */
  edges: number[];
  expected: number[];
}

export type DriftStatus = 'OK' | 'WARN' | 'ALERT';

const BINS = 10;
// An empty bin would make ln(a/e) infinite: shares are floored, as PSI tools commonly do.
const FLOOR = 1e-4;

/** Decile edges of the baseline values (ties collapse, so a column with few values has fewer bins). */
export function baselineOf(feature: string, values: number[]): FeatureBaseline {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const edges: number[] = [];
  for (let i = 1; i < BINS; i++) {
    const v = sorted[Math.max(0, Math.ceil((i * sorted.length) / BINS) - 1)];
    if (v !== undefined && v !== edges.at(-1) && v !== sorted.at(-1)) edges.push(v);
  }
  const counts = new Array(edges.length + 1).fill(0);
  for (const v of sorted) counts[binOf(edges, v)]++;
  return { feature, edges, expected: counts.map((c) => c / Math.max(1, sorted.length)) };
}

export function binOf(edges: number[], value: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (value <= edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Population stability index of observed counts against the baseline's expected shares. */
export function psiOf(expected: number[], counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  let psi = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(FLOOR, expected[i]);
    const a = Math.max(FLOOR, (counts[i] ?? 0) / total);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

/** OK under 0.1, WARN to 0.25, ALERT above: the usual PSI reading. */
export function driftStatus(psi: number): DriftStatus {
  return psi < 0.1 ? 'OK' : psi <= 0.25 ? 'WARN' : 'ALERT';
}
