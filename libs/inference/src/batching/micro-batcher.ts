import { InferenceError, InferenceErrorCode } from '../inference.error';
import { ArrivalRate } from './arrival-rate';
import { DeadlineWatch } from './deadline-watch';

/** How one request spent its time; `batchSize` counts the instances in its batch. */
export interface BatchTiming {
  queueMs: number;
  batchSize: number;
  computeMs: number;
  totalMs: number;
  /** This request's share of the batch's compute: computeMs * its instances / batch instances. */
  computeShareMs: number;
}

/** One batch's run, shared by every request in it (per-request timing is derived from it). */
export interface BatchRun {
  /** Instances in the batch. */
  size: number;
  started: number;
  finished: number;
}

/** A request's timing, from its batch's run and when it was queued. */
export function timingOf(run: BatchRun, enqueuedAt: number, instances: number): BatchTiming {
  const computeMs = run.finished - run.started;
  return {
    queueMs: run.started - enqueuedAt,
    batchSize: run.size,
    computeMs,
    totalMs: run.finished - enqueuedAt,
    computeShareMs: (computeMs * instances) / run.size,
  };
}

export interface MicroBatcherOptions<TBatch, TInput, TResult, TOut> {
  maxBatchSize: number;
  /** Longest the oldest request is held for others to join, and only when they are expected to. */
  maxDelayMs: number;
  /** Instances waiting beyond this are refused with OVERLOADED instead of queueing forever. */
  maxQueuedInstances: number;
  /** A new, empty batch for `first`'s group, with room for `capacity` instances. */
  open(capacity: number, first: TInput): TBatch;
  /** Puts `input`'s rows into `batch` from row `offset` on; may throw (bad input): then it is not queued. */
  write(batch: TBatch, offset: number, input: TInput): void;
  /** Runs a batch holding `size` instances. */
  execute(batch: TBatch, size: number): Promise<TResult> | TResult;
  /** What one request gets back: its rows are `instances` rows of `result` from `offset` on. */
  settle(result: TResult, offset: number, instances: number, enqueuedAt: number, run: BatchRun): TOut;
  /** The batch has run and its requests are answered: its storage may be reused by a later batch. */
  release?(batch: TBatch, result: TResult | undefined): void;
}

/**
 * One open batch. Its requests are kept as parallel arrays, sized for a full batch and reused
 * by later batches (queue as arrays): no object per request besides its promise.
 */
interface OpenBatch<TBatch> {
  key: string;
  batch: TBatch;
  capacity: number;
  /** Instances so far. */
  size: number;
  /** Requests so far. */
  n: number;
  offsets: number[];
  counts: number[];
  enqueued: number[];
  /** Infinity: no timeout. */
  deadlines: number[];
  resolves: Array<(value: never) => void>;
  rejects: Array<(e: unknown) => void>;
  /** Requests already answered (timed out while queued or running). */
  settled: boolean[];
  /** How many of `settled` are true. */
  done: number;
}

/** Weight of the newest batch in the smoothed batch size (the load signal). */
const LOAD_WEIGHT = 0.25;

/**
 * Stacks concurrent requests for one model version into batches, as TF Serving and Triton do.
 * Requests write their rows straight into the open batch of their group (no per-request copy).
 *
 * Dispatch is work-conserving and adapts to load. An idle model runs what is queued at the end
 * of the current event-loop turn, so a lone request is never held for the delay; under load,
 * requests queue while a batch runs and the next batch is as large as the load made it. The
 * smoothed size of recent batches is the load signal: only while it says batches are larger
 * than what is queued now, and arrivals are frequent enough to fill that within maxDelayMs, is
 * the oldest request held (at most maxDelayMs), and the batch goes as soon as it reaches that
 * size. A sequential client therefore sees batches of one and no delay; a busy model keeps full
 * batches; a model idle for longer than maxDelayMs forgets its load. One batch runs at a time per model; while it runs, the next one fills.
 */
export class MicroBatcher<TBatch, TInput, TResult, TOut> {
  private queue: OpenBatch<TBatch>[] = [];
  private queuedInstances = 0;
  private running?: OpenBatch<TBatch>;
  private dispatching = false;
  /** Set while the next batch waits for the end of the turn (setImmediate). */
  private immediate?: NodeJS.Immediate;
  private holdTimer?: NodeJS.Timeout;
  /** Smoothed instances per batch: how large batches are under the current load. */
  private load = 1;
  private lastFinished = -Infinity;
  private readonly arrivals = new ArrivalRate();
  private readonly deadlines: DeadlineWatch;
  /** Bookkeeping of finished full-size batches, reused by the next ones. */
  private readonly spare: OpenBatch<TBatch>[] = [];

  constructor(private readonly options: MicroBatcherOptions<TBatch, TInput, TResult, TOut>) {
    this.deadlines = new DeadlineWatch((now) => this.expire(now));
  }

  /** Smoothed batch size under the current load (for tests and metrics). */
  get recentBatchSize(): number {
    return this.load;
  }

  /**
   * Queues `input` (`instances` rows, stacked only with requests of the same `key`); when its
   * write throws (bad input), nothing is queued and that is the error.
   */
  submit(key: string, instances: number, input: TInput, timeoutMs?: number): Promise<TOut> {
    if (this.queuedInstances + instances > this.options.maxQueuedInstances) {
      return Promise.reject(
        new InferenceError(InferenceErrorCode.OVERLOADED, 'the model is overloaded, retry shortly', {
          queued: this.queuedInstances,
        }),
      );
    }
    const now = performance.now();
    let open = this.openFor(key, instances);
    let fresh = false;
    if (open === undefined) {
      const capacity = Math.max(this.options.maxBatchSize, instances);
      try {
        open = this.newBatch(key, this.options.open(capacity, input), capacity);
      } catch (e) {
        return Promise.reject(e);
      }
      fresh = true;
    }
    try {
      this.options.write(open.batch, open.size, input);
    } catch (e) {
      return Promise.reject(e);
    }
    if (fresh) this.queue.push(open);
    // Idle for longer than the delay: whatever load made batches large is over.
    if (
      !this.running &&
      this.queue.length === 1 &&
      open.size === 0 &&
      now - this.lastFinished > this.options.maxDelayMs
    )
      this.load = 1;
    this.arrivals.observe(now);
    const deadline = timeoutMs !== undefined && timeoutMs > 0 ? now + timeoutMs : Infinity;
    const batch = open;
    const i = batch.n++;
    const promise = new Promise<TOut>((resolve, reject) => {
      batch.resolves[i] = resolve as (value: never) => void;
      batch.rejects[i] = reject;
    });
    batch.offsets[i] = batch.size;
    batch.counts[i] = instances;
    batch.enqueued[i] = now;
    batch.deadlines[i] = deadline;
    batch.settled[i] = false;
    batch.size += instances;
    this.queuedInstances += instances;
    if (deadline !== Infinity) this.deadlines.watch(deadline);
    this.schedule(now);
    return promise;
  }

  /** The newest not-yet-dispatched batch of this group with room left, if any. */
  private openFor(key: string, instances: number): OpenBatch<TBatch> | undefined {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const b = this.queue[i];
      if (b.key === key) return b.size + instances <= b.capacity ? b : undefined;
    }
    return undefined;
  }

  /** `decided`: called at the end of the burst that started a hold (see below), not per arrival. */
  private schedule(now = performance.now(), decided = false): void {
    if (this.immediate !== undefined && this.queue[0].size >= this.queue[0].capacity) {
      // The waiting batch filled up in this turn: run it now.
      clearImmediate(this.immediate);
      this.immediate = undefined;
      queueMicrotask(this.runNext);
      return;
    }
    if (this.running || this.dispatching || this.queue.length === 0) return;
    const head = this.queue[0];
    if (head.size < head.capacity && this.queue.length === 1) {
      // How large batches have been lately: below that, more requests are on their way.
      const target = Math.min(head.capacity, Math.round(this.load));
      if (head.size < target) {
        const left = this.options.maxDelayMs - (now - head.enqueued[0]);
        const fillMs = this.arrivals.expectedMs(target - head.size);
        if (left > 0 && fillMs < left) {
          if (!decided && this.holdTimer === undefined) {
            // Requests submitted in this same task may still fill the batch: decide once they are in,
            // so that a batch filled by one burst never arms (and clears) a timer.
            if (!this.deciding) {
              this.deciding = true;
              queueMicrotask(this.decide);
            }
            return;
          }
          // Hold, but never past maxDelayMs; an arrival that brings the batch to size sends it.
          this.holdTimer ??= setTimeout(
            () => {
              this.holdTimer = undefined;
              this.dispatch();
            },
            Math.min(left, Math.max(fillMs, 0.2)),
          );
          return;
        }
      }
    }
    this.dispatch();
  }

  /**
   * Under load, at the end of this event-loop turn, so that requests arriving in the same turn
   * (the same poll of the sockets) still join. A full batch has nothing to wait for, and a model
   * whose batches are of one (a sequential client) does not wait for the turn either: both run
   * once the current task's microtasks are done (requests submitted in the same task still join).
   */
  private dispatch(): void {
    if (this.dispatching || this.running) return;
    if (this.holdTimer !== undefined) {
      clearTimeout(this.holdTimer);
      this.holdTimer = undefined;
    }
    this.dispatching = true;
    const head = this.queue[0];
    if (head.size >= head.capacity || this.load < 1.5) queueMicrotask(this.runNext);
    else this.immediate = setImmediate(this.runNext);
  }

  private readonly runNext = (): void => void this.runBatch();

  private deciding = false;
  private readonly decide = (): void => {
    this.deciding = false;
    this.schedule(performance.now(), true);
  };

  private async runBatch(): Promise<void> {
    this.dispatching = false;
    this.immediate = undefined;
    const open = this.queue.shift();
    if (!open) return;
    this.running = open;
    this.queuedInstances -= open.size;
    this.load += (open.size - this.load) * LOAD_WEIGHT;
    const started = performance.now();
    const n = open.n;
    let result: TResult | undefined;
    try {
      // Every request of this batch timed out while it waited: nothing to compute for.
      if (open.done === n) return;
      result = await this.options.execute(open.batch, open.size);
      const finished = performance.now();
      const run: BatchRun = { size: open.size, started, finished };
      const { settle } = this.options;
      for (let i = 0; i < n; i++) {
        if (open.settled[i]) continue;
        open.settled[i] = true;
        // A synchronous backend blocks the timer while it computes: a late answer is a timeout too.
        if (open.deadlines[i] <= finished) {
          open.rejects[i](timeoutError(open, i));
          continue;
        }
        open.resolves[i](settle(result!, open.offsets[i], open.counts[i], open.enqueued[i], run) as never);
      }
    } catch (e) {
      const error =
        e instanceof InferenceError
          ? e
          : new InferenceError(InferenceErrorCode.MODEL_FAILED, 'the model failed to run', undefined, e);
      for (let i = 0; i < n; i++) settleWith(open, i, error);
    } finally {
      this.running = undefined;
      this.lastFinished = performance.now();
      this.options.release?.(open.batch, result);
      this.recycle(open);
      this.schedule();
    }
  }

  private newBatch(key: string, batch: TBatch, capacity: number): OpenBatch<TBatch> {
    const reused = capacity === this.options.maxBatchSize ? this.spare.pop() : undefined;
    if (reused) {
      reused.key = key;
      reused.batch = batch;
      return reused;
    }
    // Every request holds at least one instance: `capacity` slots are enough.
    return {
      key,
      batch,
      capacity,
      size: 0,
      n: 0,
      offsets: new Array<number>(capacity).fill(0),
      counts: new Array<number>(capacity).fill(0),
      enqueued: new Array<number>(capacity).fill(0),
      deadlines: new Array<number>(capacity).fill(0),
      resolves: new Array(capacity).fill(undefined),
      rejects: new Array(capacity).fill(undefined),
      settled: new Array<boolean>(capacity).fill(false),
      done: 0,
    };
  }

  /** A finished batch's bookkeeping goes back for reuse, holding on to nothing of its requests. */
  private recycle(open: OpenBatch<TBatch>): void {
    if (open.capacity !== this.options.maxBatchSize || this.spare.length >= 2) return;
    for (let i = 0; i < open.n; i++) {
      open.resolves[i] = undefined as never;
      open.rejects[i] = undefined as never;
    }
    open.batch = undefined as never;
    open.size = 0;
    open.n = 0;
    open.done = 0;
    this.spare.push(open);
  }

  /** The shared deadline timer fired: time out every overdue request; returns the next deadline. */
  private expire(now: number): number {
    let next = Infinity;
    const batches = this.running ? [this.running, ...this.queue] : this.queue;
    for (const b of batches) {
      for (let i = 0; i < b.n; i++) {
        if (b.settled[i]) continue;
        const deadline = b.deadlines[i];
        if (deadline <= now) settleWith(b, i, timeoutError(b, i));
        else if (deadline < next) next = deadline;
      }
    }
    return next;
  }
}

function timeoutError(b: OpenBatch<unknown>, i: number): InferenceError {
  const timeoutMs = Math.round(b.deadlines[i] - b.enqueued[i]);
  return new InferenceError(InferenceErrorCode.TIMEOUT, `inference did not finish within ${timeoutMs} ms`, {
    timeoutMs,
  });
}

function settleWith(b: OpenBatch<unknown>, i: number, error: unknown): void {
  if (b.settled[i]) return;
  b.settled[i] = true;
  b.done++;
  b.rejects[i](error);
}
