import { InMemoryConcurrencyLimiter, InMemoryRateLimiter } from '../rate-limit';
import { admissionKeys, type Admission, type AdmissionDecision, type AdmissionRequest } from './admission';

/** The in-process twin (embedded mode, and the fallback while Redis is down): the same decisions. */
export class InMemoryAdmission implements Admission {
  private readonly rate = new InMemoryRateLimiter();
  private readonly slots = new InMemoryConcurrencyLimiter();

  async admit(r: AdmissionRequest): Promise<AdmissionDecision> {
    const k = admissionKeys('', r);
    let slot: AdmissionDecision['slot'];
    if (r.slot) {
      const d = await this.slots.acquire(k.slots, r.slot);
      if (!d.acquired || !d.lease)
        return { verdict: 'no_slot', rate: this.rate.peek(k.tenant, { max: r.perTenant, windowMs: r.windowMs }) };
      slot = { key: d.lease.key, id: d.lease.id, store: 'memory' };
    }
    // From here on synchronous: both windows are checked, then both counted, with no other admission in between.
    const who = this.rate.peek(k.who, { max: r.perCaller, windowMs: r.windowMs });
    const tenant = who.allowed ? this.rate.peek(k.tenant, { max: r.perTenant, windowMs: r.windowMs }) : who;
    if (!who.allowed || !tenant.allowed) {
      if (slot) await this.release(slot);
      return { verdict: who.allowed ? 'tenant_limited' : 'caller_limited', rate: who.allowed ? tenant : who };
    }
    const a = this.rate.consumeSync(k.who, { max: r.perCaller, windowMs: r.windowMs });
    const b = this.rate.consumeSync(k.tenant, { max: r.perTenant, windowMs: r.windowMs });
    return { verdict: 'admitted', rate: b.remaining < a.remaining ? b : a, slot };
  }

  async release(slot: NonNullable<AdmissionDecision['slot']>): Promise<void> {
    await this.slots.release({ key: slot.key, id: slot.id, expiresAt: 0, store: 'memory' });
  }
}
