import { seededRandom } from '@app/common';

/**
 * - '500': an api_error, which the SDK retries.
 * - '429': a rate-limit error with Retry-After.
 * - 'timeout': the request is held without an answer until the client gives up.
 * - 'drop-before': the socket is destroyed before the request is applied.
 * - 'drop-after': the request IS applied, then the socket is destroyed instead of the reply:
 *   the client cannot know it succeeded, which is what makes identifiers and idempotency keys matter.
 */
export type FaultKind = '500' | '429' | 'timeout' | 'drop-before' | 'drop-after';

export interface FaultRequest {
  method: string;
  path: string;
}

export interface FaultOptions {
  /** Probability (0..1) that an eligible request gets a fault. */
  rate: number;
  kinds: FaultKind[];
  seed?: number;
  /** Which requests are eligible. Default: every request. */
  match?: (request: FaultRequest) => boolean;
  /** Seconds in the Retry-After header of a 429. Default 1. */
  retryAfterSeconds?: number;
  /** Stop injecting after this many faults. */
  maxFaults?: number;
}

/** Decides, reproducibly from the seed, which requests fail and how. */
export class FaultPlan {
  private readonly random: () => number;
  private readonly queued: Array<{ kind: FaultKind; match?: (request: FaultRequest) => boolean }> = [];
  private injected = 0;

  constructor(private readonly options: FaultOptions | null) {
    this.random = seededRandom(options?.seed ?? 1);
  }

  get retryAfterSeconds(): number {
    return this.options?.retryAfterSeconds ?? 1;
  }

  /** Deterministic faults for the next eligible requests, before any random ones. */
  queue(kind: FaultKind, times: number, match?: (request: FaultRequest) => boolean): void {
    for (let i = 0; i < times; i++) this.queued.push({ kind, match });
  }

  next(request: FaultRequest): FaultKind | null {
    const queued = this.queued[0];
    if (queued && (!queued.match || queued.match(request))) {
      this.queued.shift();
      return queued.kind;
    }
    const o = this.options;
    if (o?.match && !o.match(request)) return null;
    if (!o || o.kinds.length === 0 || (o.maxFaults !== undefined && this.injected >= o.maxFaults)) return null;
    if (this.random() >= o.rate) return null;
    this.injected++;
    return o.kinds[Math.floor(this.random() * o.kinds.length)];
  }
}
