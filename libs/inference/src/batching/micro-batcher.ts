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

export interface MicroBatcherOptions<TBatch, TResult> {
  maxBatchSize: number;
  /** Longest the oldest request is held for others to join, and only when they are expected to. */
  maxDelayMs: number;
  /** Instances waiting beyond this are refused with OVERLOADED instead of queueing forever. */
  maxQueuedInstances: number;
  /** Runs a batch holding `size` instances; each request reads its own rows from the result. */
  execute: (batch: TBatch, size: number) => Promise<TResult> | TResult;
}

/** One request: its rows go into an open batch of its group (`key`). */
export interface BatchRequest<TBatch> {
  key: string;
  instances: number;
  /** A new, empty batch for this request's group, with room for `capacity` instances. */
  open(capacity: number): TBatch;
  /** Puts this request's rows into `batch` from row `offset` on; may throw (bad input). */
  write(batch: TBatch, offset: number): void;
}

/** What a request gets back: the whole batch's result, and where its rows start in it. */
export interface Batched<TResult> {
  result: TResult;
  offset: number;
  timing: BatchTiming;
}

/** One request inside an open batch. */
export interface Slot {
  instances: number;
  offset: number;
  enqueuedAt: number;
  deadline: number;
  settled: boolean;
  resolve: (r: Batched<never>) => void;
  reject: (e: unknown) => void;
}

interface OpenBatch<TBatch> {
  key: string;
  batch: TBatch;
  capacity: number;
  size: number;
  slots: Slot[];
}

/**
 * Stacks concurrent requests for one model version into batches, as TF Serving and Triton do.
 * Requests write their rows straight into the open batch of their group (no per-request copy).
 * Dispatch is work-conserving and adaptive: an idle model runs what is queued at the end of the
 * current event-loop turn (a lone request is not held); the oldest request is held up to
 * maxDelayMs only while arrivals are frequent enough to fill the batch within it. While a batch
 * runs, the next one fills; one batch runs at a time per model.
 */
export class MicroBatcher<TBatch, TResult> {
  private queue: OpenBatch<TBatch>[] = [];
  private queuedInstances = 0;
  private running?: OpenBatch<TBatch>;
  private dispatching = false;
  private holdTimer?: NodeJS.Timeout;
  private readonly arrivals = new ArrivalRate();
  private readonly deadlines: DeadlineWatch;

  constructor(private readonly options: MicroBatcherOptions<TBatch, TResult>) {
    this.deadlines = new DeadlineWatch((now) => this.expire(now));
  }

  /** Queues a request; when its write throws (bad input), nothing is queued and that is the error. */
  submit(request: BatchRequest<TBatch>, timeoutMs?: number): Promise<Batched<TResult>> {
    const { key, instances } = request;
    if (this.queuedInstances + instances > this.options.maxQueuedInstances) {
      return Promise.reject(
        new InferenceError(InferenceErrorCode.OVERLOADED, 'the model is overloaded, retry shortly', {
          queued: this.queuedInstances,
        }),
      );
    }
    const now = performance.now();
    let open = this.openFor(key, instances);
    const fresh = open === undefined;
    if (!open) {
      const capacity = Math.max(this.options.maxBatchSize, instances);
      open = { key, batch: request.open(capacity), capacity, size: 0, slots: [] };
    }
    try {
      request.write(open.batch, open.size);
    } catch (e) {
      return Promise.reject(e);
    }
    const batch = open;
    if (fresh) this.queue.push(open);
    this.arrivals.observe(now);
    return new Promise<Batched<TResult>>((resolve, reject) => {
      const deadline = timeoutMs !== undefined && timeoutMs > 0 ? now + timeoutMs : Infinity;
      batch.slots.push({
        instances,
        offset: batch.size,
        enqueuedAt: now,
        deadline,
        settled: false,
        resolve: resolve as Slot['resolve'],
        reject,
      });
      batch.size += instances;
      this.queuedInstances += instances;
      if (deadline !== Infinity) this.deadlines.watch(deadline);
      this.schedule(now);
    });
  }

  /** The newest not-yet-dispatched batch of this group with room left, if any. */
  private openFor(key: string, instances: number): OpenBatch<TBatch> | undefined {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const b = this.queue[i];
      if (b.key === key) return b.size + instances <= b.capacity ? b : undefined;
    }
    return undefined;
  }

  private schedule(now = performance.now()): void {
    if (this.running || this.dispatching || this.queue.length === 0) return;
    const head = this.queue[0];
    const full = head.size >= head.capacity || this.queue.length > 1;
    if (!full) {
      const left = this.options.maxDelayMs - (now - head.slots[0].enqueuedAt);
      const fillMs = this.arrivals.expectedMs(head.capacity - head.size);
      if (left > 0 && fillMs < left) {
        // Arrivals are frequent: waiting a little fills the batch; hold, but never past maxDelayMs.
        this.holdTimer ??= setTimeout(
          () => {
            this.holdTimer = undefined;
            this.dispatch();
          },
          Math.min(left, Math.max(fillMs, 0.5)),
        );
        return;
      }
    }
    this.dispatch();
  }

  /** At the end of this event-loop turn, so requests arriving in the same turn still join. */
  private dispatch(): void {
    if (this.dispatching || this.running) return;
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    this.dispatching = true;
    setImmediate(() => void this.runBatch());
  }

  private async runBatch(): Promise<void> {
    this.dispatching = false;
    const open = this.queue.shift();
    if (!open) return;
    this.running = open;
    this.queuedInstances -= open.size;
    const started = performance.now();
    try {
      // Every request of this batch timed out while it waited: nothing to compute for.
      if (open.slots.every((s) => s.settled)) return;
      const result = await this.options.execute(open.batch, open.size);
      const finished = performance.now();
      const computeMs = finished - started;
      for (const slot of open.slots) {
        if (slot.settled) continue;
        // A synchronous backend blocks the timer while it computes: a late answer is a timeout too.
        if (slot.deadline <= finished) {
          settleWith(slot, timeoutError(slot));
          continue;
        }
        slot.settled = true;
        slot.resolve({
          result: result as never,
          offset: slot.offset,
          timing: {
            queueMs: started - slot.enqueuedAt,
            batchSize: open.size,
            computeMs,
            totalMs: finished - slot.enqueuedAt,
            computeShareMs: (computeMs * slot.instances) / open.size,
          },
        });
      }
    } catch (e) {
      const error =
        e instanceof InferenceError
          ? e
          : new InferenceError(InferenceErrorCode.MODEL_FAILED, 'the model failed to run', undefined, e);
      for (const slot of open.slots) settleWith(slot, error);
    } finally {
      this.running = undefined;
      this.schedule();
    }
  }

  /** The shared deadline timer fired: time out every overdue request; returns the next deadline. */
  private expire(now: number): number {
    let next = Infinity;
    const batches = this.running ? [this.running, ...this.queue] : this.queue;
    for (const b of batches) {
      for (const slot of b.slots) {
        if (slot.settled) continue;
        if (slot.deadline <= now) settleWith(slot, timeoutError(slot));
        else if (slot.deadline < next) {
          next = slot.deadline;
        }
      }
    }
    return next;
  }
}

function timeoutError(slot: Slot): InferenceError {
  const timeoutMs = Math.round(slot.deadline - slot.enqueuedAt);
  return new InferenceError(InferenceErrorCode.TIMEOUT, `inference did not finish within ${timeoutMs} ms`, {
    timeoutMs,
  });
}

function settleWith(slot: Slot, error: unknown): void {
  if (slot.settled) return;
  slot.settled = true;
  slot.reject(error);
}
