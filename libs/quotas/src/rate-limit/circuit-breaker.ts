import {
  BrokenCircuitError,
  CircuitState as PolicyState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
  type CircuitBreakerPolicy,
} from 'cockatiel';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. Default 3. */
  failureThreshold?: number;
  /** How long the circuit stays open before one probe is let through (ms). Default 2000. */
  openMs?: number;
  onStateChange?: (state: CircuitState, reason?: unknown) => void;
}

const STATES: Record<PolicyState, CircuitState> = {
  [PolicyState.Closed]: 'closed',
  [PolicyState.Open]: 'open',
  [PolicyState.HalfOpen]: 'half-open',
  [PolicyState.Isolated]: 'open',
};

/**
 * Keeps a dead dependency from costing latency on every request: once open, callers skip the
 * dependency entirely; after `openMs` a single probe is let through, and its outcome closes or
 * re-opens the circuit. cockatiel's consecutive-failure breaker does the work; this class only
 * names its states the way our metrics and logs do.
 */
export class CircuitBreaker {
  private readonly policy: CircuitBreakerPolicy;

  constructor(options: CircuitBreakerOptions = {}) {
    this.policy = circuitBreaker(handleAll, {
      halfOpenAfter: options.openMs ?? 2000,
      breaker: new ConsecutiveBreaker(options.failureThreshold ?? 3),
    });
    this.policy.onStateChange((s) => {
      const state = STATES[s];
      const failure = this.policy.lastFailure as { error?: unknown } | undefined;
      const reason = failure?.error instanceof Error ? failure.error.message : failure?.error;
      options.onStateChange?.(state, state === 'open' ? reason : undefined);
    });
  }

  get state(): CircuitState {
    return STATES[this.policy.state];
  }

  /** Runs `fn` unless the circuit is open (then throws what `isCircuitOpen` recognises); records its outcome. */
  execute<T>(fn: () => Promise<T>): Promise<T> {
    return this.policy.execute(fn);
  }
}

/** True for the error `execute` throws when it did not call the dependency at all. */
export function isCircuitOpen(error: unknown): boolean {
  return error instanceof BrokenCircuitError;
}
