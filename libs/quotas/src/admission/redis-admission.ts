import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { ADMISSION_LUA } from './admission.lua';
import {
  admissionKeys,
  type Admission,
  type AdmissionDecision,
  type AdmissionRequest,
  type AdmissionVerdict,
} from './admission';

type Reply = [number, number, number, number, number];
type RedisWithAdmission = Redis & { maasAdmit(...args: (string | number)[]): Promise<Reply> };

const VERDICTS: AdmissionVerdict[] = ['admitted', 'caller_limited', 'tenant_limited', 'no_slot'];

/** Admission shared by every instance: one EVALSHA per request; the slot's release is one ZREM. */
export class RedisAdmission implements Admission {
  private readonly redis: RedisWithAdmission;

  constructor(
    redis: Redis,
    private readonly prefix = 'adm:',
  ) {
    this.redis = redis as RedisWithAdmission;
    if (!this.redis.maasAdmit) redis.defineCommand('maasAdmit', { numberOfKeys: 5, lua: ADMISSION_LUA });
  }

  async admit(r: AdmissionRequest): Promise<AdmissionDecision> {
    const k = admissionKeys(this.prefix, r);
    const id = randomUUID();
    const [v, limit, remaining, resetAt, retryAfterMs] = await this.redis.maasAdmit(
      k.who,
      `${k.who}:s`,
      k.tenant,
      `${k.tenant}:s`,
      k.slots,
      r.perCaller,
      r.perTenant,
      r.windowMs,
      r.slot?.max ?? 0,
      r.slot?.ttlMs ?? 0,
      id,
    );
    const verdict = VERDICTS[v];
    return {
      verdict,
      rate: { allowed: v === 0 || v === 3, limit, remaining: Math.max(0, remaining), resetAt, retryAfterMs },
      slot: v === 0 && r.slot ? { key: k.slots, id, store: 'redis' } : undefined,
    };
  }

  async release(slot: NonNullable<AdmissionDecision['slot']>): Promise<void> {
    await this.redis.zrem(slot.key, slot.id);
  }
}
