import { InferenceError, InferenceErrorCode } from '../inference.error';
import { MicroBatcher } from './micro-batcher';

/** A batcher whose "model" doubles numbers and records every batch it was given. */
function doubling(options: { maxBatchSize?: number; maxDelayMs?: number; maxQueuedInstances?: number; fail?: boolean; slowMs?: number } = {}) {
  const batches: number[][][] = [];
  const batcher = new MicroBatcher<number[], number[]>({
    maxBatchSize: options.maxBatchSize ?? 8,
    maxDelayMs: options.maxDelayMs ?? 5,
    maxQueuedInstances: options.maxQueuedInstances ?? 100,
    execute: async (inputs) => {
      batches.push(inputs);
      if (options.slowMs) await new Promise((r) => setTimeout(r, options.slowMs));
      if (options.fail) throw new Error('boom');
      return inputs.map((xs) => xs.map((x) => x * 2));
    },
  });
  return { batcher, batches };
}

describe('MicroBatcher', () => {
  it('stacks concurrent requests into one batch and splits the results back', async () => {
    const { batcher, batches } = doubling();
    const results = await Promise.all([[1], [2], [3]].map((x) => batcher.submit(x, 1)));
    expect(results.map((r) => r.output)).toEqual([[2], [4], [6]]);
    expect(batches).toHaveLength(1);
    expect(results.every((r) => r.timing.batchSize === 3)).toBe(true);
  });

  it('counts multi-instance requests toward the max batch size', async () => {
    const { batcher, batches } = doubling({ maxBatchSize: 4 });
    await Promise.all([batcher.submit([1, 1, 1], 3), batcher.submit([2, 2], 2), batcher.submit([3], 1)]);
    expect(batches.map((b) => b.reduce((n, x) => n + x.length, 0))).toEqual([4, 2]);
  });

  it('gives each request its share of the batch compute time', async () => {
    const { batcher } = doubling({ slowMs: 20 });
    const [a, b] = await Promise.all([batcher.submit([1, 1, 1], 3), batcher.submit([2], 1)]);
    expect(a.timing.computeMs).toBe(b.timing.computeMs);
    expect(a.timing.computeShareMs).toBeCloseTo((a.timing.computeMs * 3) / 4);
    expect(b.timing.computeShareMs).toBeCloseTo(a.timing.computeMs / 4);
    expect(a.timing.totalMs).toBeGreaterThanOrEqual(a.timing.queueMs + a.timing.computeMs - 0.001);
  });

  it('runs a full batch without waiting for the delay', async () => {
    const { batcher, batches } = doubling({ maxBatchSize: 2, maxDelayMs: 60_000 });
    await Promise.all([batcher.submit([1], 1), batcher.submit([2], 1)]);
    expect(batches).toHaveLength(1);
  });

  it('times out requests that wait too long, and the batcher keeps serving', async () => {
    const { batcher } = doubling({ slowMs: 50 });
    const slow = batcher.submit([1], 1, 10);
    await expect(slow).rejects.toMatchObject({ inferenceCode: InferenceErrorCode.TIMEOUT });
    await expect(batcher.submit([5], 1, 1000)).resolves.toMatchObject({ output: [10] });
  });

  it('refuses work beyond the queue limit with OVERLOADED (retryable)', async () => {
    const { batcher } = doubling({ maxQueuedInstances: 2 });
    const ok = [batcher.submit([1], 1), batcher.submit([2], 1)];
    const refused = batcher.submit([3], 1);
    await expect(refused).rejects.toMatchObject({ inferenceCode: InferenceErrorCode.OVERLOADED, contractCode: 'RATE_LIMITED' });
    await Promise.all(ok);
  });

  it('fails every request of a failed batch with MODEL_FAILED', async () => {
    const { batcher } = doubling({ fail: true });
    const results = await Promise.allSettled([batcher.submit([1], 1), batcher.submit([2], 1)]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const error = (r as PromiseRejectedResult).reason as InferenceError;
      expect(error.inferenceCode).toBe(InferenceErrorCode.MODEL_FAILED);
      expect(error.contractCode).toBe('INTERNAL');
    }
  });

  it('only stacks requests of the same group', async () => {
    const batches: number[][][] = [];
    const batcher = new MicroBatcher<number[], number>({
      maxBatchSize: 8, maxDelayMs: 1, maxQueuedInstances: 100,
      groupKey: (xs) => String(xs.length),
      execute: (inputs) => (batches.push(inputs), inputs.map((xs) => xs.length)),
    });
    await Promise.all([batcher.submit([1], 1), batcher.submit([1, 2], 1), batcher.submit([3], 1)]);
    expect(batches.map((b) => b.length).sort()).toEqual([1, 2]);
  });
});
