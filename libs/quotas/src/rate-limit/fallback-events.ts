import type { CircuitState } from './circuit-breaker';

/**
 * What a failover limiter reports while Redis misbehaves. Kept as a plain interface so the app
 * can wire it to prom-client and its logger without this library depending on either.
 */
export interface FallbackEvents {
  /** A decision was made by the in-process limiter (Redis failed, or the circuit is open). */
  fallbackDecision?(reason: 'error' | 'circuit-open'): void;
  /** The circuit changed state: log this, it happens once per outage, not once per request. */
  circuitStateChanged?(state: CircuitState, reason?: unknown): void;
}

export interface FallbackLogger {
  warn(message: string): void;
  log(message: string): void;
}

/** Logs breaker transitions, the one place an outage and its recovery show up in the logs. */
export function logCircuitTransitions(logger: FallbackLogger, what: string): FallbackEvents['circuitStateChanged'] {
  return (state, reason) => {
    if (state === 'open')
      logger.warn(`${what}: Redis unavailable (${String(reason)}); failing open to the in-process limiter`);
    else if (state === 'closed') logger.log(`${what}: Redis back; shared limits restored`);
  };
}
