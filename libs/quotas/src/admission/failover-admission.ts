import {
  CircuitBreaker,
  isCircuitOpen,
  logCircuitTransitions,
  type FallbackEvents,
  type FallbackLogger,
} from '../rate-limit';
import { withTimeout } from '../rate-limit/with-timeout';
import type { Admission, AdmissionDecision, AdmissionRequest } from './admission';
import { InMemoryAdmission } from './in-memory-admission';

/**
 * Redis admission that fails OPEN to the in-process twin (see failover-rate-limiter.ts for why
 * open): a timeout or error decides in-process, a run of failures opens the circuit so a dead
 * Redis costs nothing per request. A slot is released in the store that granted it.
 */
export class FailoverAdmission implements Admission {
  private readonly breaker: CircuitBreaker;
  private readonly fallback = new InMemoryAdmission();

  constructor(
    private readonly primary: Admission,
    private readonly options: { timeoutMs?: number; events?: FallbackEvents; logger?: FallbackLogger } = {},
  ) {
    const log = logCircuitTransitions(options.logger ?? console, 'admission');
    this.breaker = new CircuitBreaker({
      onStateChange: (state, reason) => {
        log?.(state, reason);
        options.events?.circuitStateChanged?.(state, reason);
      },
    });
  }

  async admit(request: AdmissionRequest): Promise<AdmissionDecision> {
    try {
      return await this.breaker.execute(() =>
        withTimeout(this.primary.admit(request), this.options.timeoutMs ?? 100, 'admission'),
      );
    } catch (error) {
      this.options.events?.fallbackDecision?.(isCircuitOpen(error) ? 'circuit-open' : 'error');
      return this.fallback.admit(request);
    }
  }

  async release(slot: NonNullable<AdmissionDecision['slot']>): Promise<void> {
    if (slot.store === 'memory') return this.fallback.release(slot);
    await this.primary.release(slot).catch(() => undefined); // a lapsed slot frees itself after its TTL
  }
}
