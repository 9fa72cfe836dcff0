import { InferenceError, InferenceErrorCode } from '../inference.error';

/** How one request spent its time; `batchSize` counts the instances in its batch. */
export interface BatchTiming {
  queueMs: number;
  batchSize: number;
  computeMs: number;
  totalMs: number;
  /** This request's share of the batch's compute: computeMs * its instances / batch instances. */
  computeShareMs: number;
}

export interface MicroBatcherOptions<TIn, TOut> {
  maxBatchSize: number;
  maxDelayMs: number;
  /** Instances waiting beyond this are refused with OVERLOADED instead of queueing forever. */
  maxQueuedInstances: number;
  /** Runs one batch; must return one output per input, in order. */
  execute: (inputs: TIn[]) => Promise<TOut[]> | TOut[];
  /** Only requests with the same key are stacked together (e.g. the instance shape). */
  groupKey?: (input: TIn) => string;
}

interface Pending<TIn, TOut> {
  input: TIn;
  instances: number;
  key: string;
  enqueuedAt: number;
  settled: boolean;
  timer?: NodeJS.Timeout;
  resolve: (r: { output: TOut; timing: BatchTiming }) => void;
  reject: (e: unknown) => void;
}

/**
 * Stacks concurrent requests for one model version into batches, as TF Serving and Triton do:
 * a batch runs when it holds maxBatchSize instances or its oldest request has waited maxDelayMs.
 * One batch runs at a time per model; requests arriving meanwhile form the next batch.
 */
export class MicroBatcher<TIn, TOut> {
  private queue: Pending<TIn, TOut>[] = [];
  private queuedInstances = 0;
  private running = false;
  private flushTimer?: NodeJS.Timeout;

  constructor(private readonly options: MicroBatcherOptions<TIn, TOut>) {}

  /** Requests waiting for a batch (not counting the one running). */
  get pendingRequests(): number {
    return this.queue.length;
  }

  get busy(): boolean {
    return this.running || this.queue.length > 0;
  }

  submit(input: TIn, instances: number, timeoutMs?: number): Promise<{ output: TOut; timing: BatchTiming }> {
    if (this.queuedInstances + instances > this.options.maxQueuedInstances) {
      return Promise.reject(new InferenceError(InferenceErrorCode.OVERLOADED, 'the model is overloaded, retry shortly', { queued: this.queuedInstances }));
    }
    return new Promise((resolve, reject) => {
      const item: Pending<TIn, TOut> = {
        input, instances, key: this.options.groupKey?.(input) ?? '', enqueuedAt: performance.now(), settled: false, resolve, reject,
      };
      if (timeoutMs !== undefined && timeoutMs > 0) {
        item.timer = setTimeout(() => this.expire(item, timeoutMs), timeoutMs);
      }
      this.queue.push(item);
      this.queuedInstances += instances;
      this.schedule();
    });
  }

  private expire(item: Pending<TIn, TOut>, timeoutMs: number): void {
    if (item.settled) return;
    const index = this.queue.indexOf(item);
    if (index >= 0) {
      this.queue.splice(index, 1);
      this.queuedInstances -= item.instances;
    }
    this.settle(item, () => item.reject(new InferenceError(InferenceErrorCode.TIMEOUT, `inference did not finish within ${timeoutMs} ms`, { timeoutMs })));
  }

  private settle(item: Pending<TIn, TOut>, action: () => void): void {
    if (item.settled) return;
    item.settled = true;
    clearTimeout(item.timer);
    action();
  }

  private schedule(): void {
    if (this.running || this.queue.length === 0) return;
    const waited = performance.now() - this.queue[0].enqueuedAt;
    if (this.queuedInstances >= this.options.maxBatchSize || waited >= this.options.maxDelayMs) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      // setImmediate, not a direct call: requests submitted in the same tick still join.
      setImmediate(() => void this.runBatch());
      this.running = true;
      return;
    }
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      this.schedule();
    }, this.options.maxDelayMs - waited);
  }

  /** Oldest first, same group as the oldest, up to maxBatchSize instances (at least one request). */
  private take(): Pending<TIn, TOut>[] {
    const batch: Pending<TIn, TOut>[] = [];
    let size = 0;
    const key = this.queue[0].key;
    this.queue = this.queue.filter((item) => {
      if (item.key !== key || (batch.length > 0 && size + item.instances > this.options.maxBatchSize)) return true;
      batch.push(item);
      size += item.instances;
      return false;
    });
    this.queuedInstances -= size;
    return batch;
  }

  private async runBatch(): Promise<void> {
    const batch = this.queue.length ? this.take() : [];
    const batchSize = batch.reduce((n, item) => n + item.instances, 0);
    const started = performance.now();
    try {
      if (batch.length === 0) return;
      const outputs = await this.options.execute(batch.map((item) => item.input));
      const finished = performance.now();
      const computeMs = finished - started;
      batch.forEach((item, i) => this.settle(item, () => item.resolve({
        output: outputs[i],
        timing: {
          queueMs: started - item.enqueuedAt,
          batchSize,
          computeMs,
          totalMs: finished - item.enqueuedAt,
          computeShareMs: (computeMs * item.instances) / batchSize,
        },
      })));
    } catch (e) {
      const error = e instanceof InferenceError ? e : new InferenceError(InferenceErrorCode.MODEL_FAILED, 'the model failed to run', undefined, e);
      batch.forEach((item) => this.settle(item, () => item.reject(error)));
    } finally {
      this.running = false;
      this.schedule();
    }
  }
}
