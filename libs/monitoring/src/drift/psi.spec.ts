import { baselineOf, binOf, driftStatus, psiOf } from './psi';
import { quantileOf, bucketOf, BUCKETS } from '../latency-histogram';

describe('PSI and latency buckets', () => {
  it('bins by decile edges of the baseline; the same distribution has PSI 0, a shifted one a large PSI', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i / 10);
    const b = baselineOf('x', values);
    expect(b.edges).toHaveLength(9);
    b.expected.forEach((e) => expect(e).toBeCloseTo(0.1, 5));
    const counts = (xs: number[]) =>
      xs.reduce((c, v) => (c[binOf(b.edges, v)]++, c), new Array(b.expected.length).fill(0));
    expect(psiOf(b.expected, counts(values))).toBeCloseTo(0, 10);
    const shifted = psiOf(b.expected, counts(values.map((v) => v + 30)));
    expect(shifted).toBeGreaterThan(0.25);
    expect(driftStatus(shifted)).toBe('ALERT');
    expect([driftStatus(0.05), driftStatus(0.1), driftStatus(0.25), driftStatus(0.2501)]).toEqual([
      'OK',
      'WARN',
      'WARN',
      'ALERT',
    ]);
  });

  it('collapses tied edges (a column with few distinct values)', () => {
    const b = baselineOf('flag', [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(b.edges).toEqual([0]);
    expect(b.expected).toEqual([0.5, 0.5]);
  });

  it('reads percentiles from summed buckets (two replicas add up)', () => {
    const a = new Array(BUCKETS).fill(0);
    const b = new Array(BUCKETS).fill(0);
    for (let i = 0; i < 90; i++) a[bucketOf(3)]++; // (2.5, 5]
    for (let i = 0; i < 10; i++) b[bucketOf(400)]++; // (250, 500]
    const sum = a.map((n, i) => n + b[i]);
    expect(quantileOf(sum, 0.5)).toBeGreaterThan(2.5);
    expect(quantileOf(sum, 0.5)).toBeLessThanOrEqual(5);
    expect(quantileOf(sum, 0.95)).toBeGreaterThan(250);
    expect(quantileOf(sum, 0.95)).toBeLessThanOrEqual(500);
    expect(quantileOf(new Array(BUCKETS).fill(0), 0.5)).toBeNull();
  });
});
