/**
 * Smoothed time between request arrivals (an exponentially weighted mean), so the batcher can
 * tell a busy model, where holding a request briefly fills the batch, from a quiet one, where
 * holding would only add latency.
 */
export class ArrivalRate {
  private last?: number;
  private meanGapMs?: number;

  constructor(
    private readonly weight = 0.2,
    /** One long pause must not dominate: gaps are capped before they are averaged. */
    private readonly maxGapMs = 1000,
  ) {}

  observe(now: number): void {
    if (this.last !== undefined) {
      const gap = Math.min(now - this.last, this.maxGapMs);
      this.meanGapMs = this.meanGapMs === undefined ? gap : this.meanGapMs + (gap - this.meanGapMs) * this.weight;
    }
    this.last = now;
  }

  /** Expected time until `count` more requests arrive; Infinity before there is any history. */
  expectedMs(count: number): number {
    return this.meanGapMs === undefined ? Infinity : this.meanGapMs * count;
  }
}
