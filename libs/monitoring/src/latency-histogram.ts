/**
 * Latency buckets in milliseconds (upper bounds; the last bucket is everything above). Counts
 * per bucket are what is stored, so minutes and replicas add up bucket by bucket and any
 * percentile of any window is read from the sums, as Prometheus does with histogram buckets.
 */
export const LATENCY_BOUNDS_MS = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
export const BUCKETS = LATENCY_BOUNDS_MS.length + 1;

export function bucketOf(ms: number): number {
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) if (ms <= LATENCY_BOUNDS_MS[i]) return i;
  return LATENCY_BOUNDS_MS.length;
}

export function addBuckets(into: number[], from: number[]): number[] {
  for (let i = 0; i < BUCKETS; i++) into[i] = (into[i] ?? 0) + (from[i] ?? 0);
  return into;
}

/** The q-quantile (0..1), interpolated linearly inside its bucket; null without observations. */
export function quantileOf(buckets: number[], q: number): number | null {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < BUCKETS; i++) {
    const n = buckets[i] ?? 0;
    if (n > 0 && seen + n >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1];
      // Above the last bound there is no upper edge: report the bound itself.
      if (i === LATENCY_BOUNDS_MS.length) return lower;
      const upper = LATENCY_BOUNDS_MS[i];
      return Math.round((lower + ((rank - seen) / n) * (upper - lower)) * 1000) / 1000;
    }
    seen += n;
  }
  return LATENCY_BOUNDS_MS.at(-1)!;
}
