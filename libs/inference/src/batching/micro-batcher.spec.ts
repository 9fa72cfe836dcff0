import { InferenceError, InferenceErrorCode } from '../inference.error';
import { BatchRun, MicroBatcher, timingOf } from './micro-batcher';

/** A batch is a plain array of rows (one number per instance); the "model" doubles them. */
type Rows = number[];
/** One request: its values, and from which of them on its write fails (bad input). */
interface Input {
  values: number[];
  failAfter?: number;
}

function doubling(
  options: {
    maxBatchSize?: number;
    maxDelayMs?: number;
    maxQueuedInstances?: number;
    fail?: boolean;
    slowMs?: number;
  } = {},
) {
  const batches: number[][] = [];
  const batcher = new MicroBatcher<Rows, Input, number[], { output: number[]; timing: ReturnType<typeof timingOf> }>({
    maxBatchSize: options.maxBatchSize ?? 8,
    maxDelayMs: options.maxDelayMs ?? 5,
    maxQueuedInstances: options.maxQueuedInstances ?? 100,
    open: () => [],
    write: (rows, offset, { values, failAfter }) =>
      values.forEach((v, i) => {
        if (failAfter !== undefined && i >= failAfter) throw new Error('bad value');
        rows[offset + i] = v;
      }),
    execute: async (rows, size) => {
      batches.push(rows.slice(0, size));
      if (options.slowMs) await new Promise((r) => setTimeout(r, options.slowMs));
      if (options.fail) throw new Error('boom');
      return rows.slice(0, size).map((x) => x * 2);
    },
    // Each request reads its own rows back out of the batch's result.
    settle: (result, offset, instances, enqueuedAt, run: BatchRun) => ({
      output: result.slice(offset, offset + instances),
      timing: timingOf(run, enqueuedAt, instances),
    }),
  });
  const submit = (values: number[], timeoutMs?: number, key = 'k') =>
    batcher.submit(key, values.length, { values }, timeoutMs);
  return { batcher, batches, submit };
}

describe('MicroBatcher', () => {
  it('writes concurrent requests into one batch and gives each its own rows back', async () => {
    const { batches, submit } = doubling();
    const results = await Promise.all([[1], [2, 3], [4]].map((x) => submit(x)));
    expect(results.map((r) => r.output)).toEqual([[2], [4, 6], [8]]);
    expect(batches).toEqual([[1, 2, 3, 4]]);
    expect(results.every((r) => r.timing.batchSize === 4)).toBe(true);
  });

  it('counts multi-instance requests toward the max batch size', async () => {
    const { batches, submit } = doubling({ maxBatchSize: 4 });
    await Promise.all([submit([1, 1, 1]), submit([2, 2]), submit([3])]);
    expect(batches).toEqual([
      [1, 1, 1],
      [2, 2, 3],
    ]);
  });

  it('runs a request larger than the max batch size alone', async () => {
    const { batches, submit } = doubling({ maxBatchSize: 2 });
    await expect(submit([1, 2, 3])).resolves.toMatchObject({ output: [2, 4, 6] });
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('gives each request its share of the batch compute time', async () => {
    const { submit } = doubling({ slowMs: 20 });
    const [a, b] = await Promise.all([submit([1, 1, 1]), submit([2])]);
    expect(a.timing.computeMs).toBe(b.timing.computeMs);
    expect(a.timing.computeShareMs).toBeCloseTo((a.timing.computeMs * 3) / 4);
    expect(b.timing.computeShareMs).toBeCloseTo(a.timing.computeMs / 4);
    expect(a.timing.totalMs).toBeGreaterThanOrEqual(a.timing.queueMs + a.timing.computeMs - 0.001);
  });

  it('runs a full batch without waiting for the delay', async () => {
    const { batches, submit } = doubling({ maxBatchSize: 2, maxDelayMs: 60_000 });
    await Promise.all([submit([1]), submit([2])]);
    expect(batches).toHaveLength(1);
  });

  it('does not hold a lone request for the delay', async () => {
    const { submit } = doubling({ maxBatchSize: 64, maxDelayMs: 60_000 });
    const held = new Promise((r) => setTimeout(() => r('held'), 5_000).unref());
    for (let i = 0; i < 3; i++)
      await expect(Promise.race([submit([i]), held])).resolves.toMatchObject({ output: [i * 2] });
  });

  it('under load, fills batches while the model is busy, then no longer holds a lone request', async () => {
    const { batcher, batches, submit } = doubling({ maxBatchSize: 16, maxDelayMs: 1000, slowMs: 20 });
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 48; i++) {
      pending.push(submit([i]));
      await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(pending);
    // Arrivals every millisecond, a model that takes 20 ms per batch: what queued meanwhile runs together.
    expect(Math.max(...batches.map((b) => b.length))).toBeGreaterThanOrEqual(8);
    expect(batches.length).toBeLessThan(48 / 2);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 48 }, (_, i) => i));
    expect(batcher.recentBatchSize).toBeGreaterThan(2);
    // Idle for longer than the delay: the load is forgotten and a lone request runs at once.
    await new Promise((r) => setTimeout(r, 1100));
    const held = new Promise((r) => setTimeout(() => r('held'), 900).unref());
    for (let i = 0; i < 3; i++)
      await expect(Promise.race([submit([i]), held])).resolves.toMatchObject({ output: [i * 2] });
    expect(batches.slice(-3)).toEqual([[0], [1], [2]]);
  });

  it('a sequential client keeps batches of one: the load signal stays at one', async () => {
    const { batcher, submit } = doubling({ maxBatchSize: 64, maxDelayMs: 60_000 });
    for (let i = 0; i < 50; i++) await submit([i]);
    expect(batcher.recentBatchSize).toBe(1);
  });

  it('keeps only the rows of requests whose write succeeded', async () => {
    const { batcher, batches, submit } = doubling();
    const [a, bad, c] = await Promise.allSettled([
      submit([1]),
      batcher.submit('k', 2, { values: [7, 8], failAfter: 1 }),
      submit([3]),
    ]);
    expect(bad).toMatchObject({ status: 'rejected', reason: { message: 'bad value' } });
    expect(a).toMatchObject({ status: 'fulfilled', value: { output: [2] } });
    expect(c).toMatchObject({ status: 'fulfilled', value: { output: [6] } });
    expect(batches).toEqual([[1, 3]]);
  });

  it('times out requests that wait too long (one shared timer), and the batcher keeps serving', async () => {
    const { submit } = doubling({ slowMs: 50 });
    const [slow, queued] = [submit([1], 10), submit([2], 10)];
    await expect(slow).rejects.toMatchObject({ inferenceCode: InferenceErrorCode.TIMEOUT });
    await expect(queued).rejects.toMatchObject({ inferenceCode: InferenceErrorCode.TIMEOUT });
    await expect(submit([5], 1000)).resolves.toMatchObject({ output: [10] });
  });

  it('refuses work beyond the queue limit with OVERLOADED (retryable)', async () => {
    const { submit } = doubling({ maxQueuedInstances: 2 });
    const ok = [submit([1]), submit([2])];
    await expect(submit([3])).rejects.toMatchObject({
      inferenceCode: InferenceErrorCode.OVERLOADED,
      contractCode: 'RATE_LIMITED',
    });
    await Promise.all(ok);
  });

  it('fails every request of a failed batch with MODEL_FAILED', async () => {
    const { submit } = doubling({ fail: true });
    const results = await Promise.allSettled([submit([1]), submit([2])]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const error = (r as PromiseRejectedResult).reason as InferenceError;
      expect(error.inferenceCode).toBe(InferenceErrorCode.MODEL_FAILED);
      expect(error.contractCode).toBe('INTERNAL');
    }
  });

  it('only stacks requests of the same group', async () => {
    const { batches, submit } = doubling();
    await Promise.all([submit([1], undefined, 'a'), submit([2], undefined, 'b'), submit([3], undefined, 'a')]);
    expect(batches.sort((x, y) => x.length - y.length)).toEqual([[2], [1, 3]]);
  });
});
