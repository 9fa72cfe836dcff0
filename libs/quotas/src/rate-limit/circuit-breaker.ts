export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. Default 3. */
  failureThreshold?: number;
  /** How long the circuit stays open before one probe is let through (ms). Default 2000. */
  openMs?: number;
  now?: () => number;
  onStateChange?: (state: CircuitState, reason?: unknown) => void;
}

/**
 * Keeps a dead dependency from costing latency on every request: once open, callers skip the
 * dependency entirely; after `openMs` a single probe is allowed, and its outcome closes or
 * re-opens the circuit.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private current: CircuitState = 'closed';
  private readonly failureThreshold: number;
  private readonly openMs: number;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? 3;
    this.openMs = options.openMs ?? 2000;
    this.now = options.now ?? Date.now;
  }

  get state(): CircuitState {
    return this.current;
  }

  /** True if the caller may try the dependency now. In half-open, only one caller at a time. */
  allowRequest(): boolean {
    if (this.current === 'closed') return true;
    if (this.current === 'open' && this.now() - this.openedAt >= this.openMs) this.transition('half-open');
    if (this.current === 'half-open' && !this.probing) {
      this.probing = true;
      return true;
    }
    return false;
  }

  recordSuccess(): void {
    this.failures = 0;
    this.probing = false;
    if (this.current !== 'closed') this.transition('closed');
  }

  recordFailure(reason: unknown): void {
    this.probing = false;
    this.failures++;
    if (this.current === 'half-open' || (this.current === 'closed' && this.failures >= this.failureThreshold)) {
      this.openedAt = this.now();
      this.transition('open', reason);
    }
  }

  private transition(state: CircuitState, reason?: unknown): void {
    this.current = state;
    this.options.onStateChange?.(state, reason);
  }
}
