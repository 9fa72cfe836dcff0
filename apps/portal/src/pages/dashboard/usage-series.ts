import type { UsageBucket } from '../../api/operations/usage';
import type { ChartSeries } from '../../components/usage-chart';

/** The last `n` UTC days as YYYY-MM-DD, oldest first. */
export function lastDays(n: number, now = new Date()): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: n }, (_, i) => new Date(today - (n - 1 - i) * 86_400_000).toISOString().slice(0, 10));
}

/** Buckets grouped by DAY and one more dimension become one chart series per value of it. */
export function toSeries(buckets: UsageBucket[], days: string[], keyOf: (b: UsageBucket) => string): ChartSeries[] {
  const index = new Map(days.map((d, i) => [d, i]));
  const byLabel = new Map<string, number[]>();
  for (const b of buckets) {
    const i = b.day ? index.get(b.day.slice(0, 10)) : undefined;
    if (i === undefined) continue;
    const label = keyOf(b);
    const values = byLabel.get(label) ?? days.map(() => 0);
    values[i]! += Number(b.units);
    byLabel.set(label, values);
  }
  return [...byLabel].map(([label, values]) => ({ label, values }));
}
