import { randomBytes } from 'node:crypto';
import bs58 from 'bs58';

export type IdPrefix =
  | 'ten'
  | 'usr'
  | 'mem'
  | 'inv'
  | 'key'
  | 'mdl'
  | 'mv'
  | 'als'
  | 'job'
  | 'usg'
  | 'aud'
  | 'exp'
  | 'obx'
  | 'req'
  | 'prd'
  | 'atk'
  | 'ds'
  | 'trn'
  | 'evl';

/**
 * Prefixed, roughly time-ordered ids (`key_3xQ...`): 6 bytes of milliseconds then 10 random
 * bytes, base58. The prefix says what an id is when it shows up in a log or a support ticket.
 */
export function newId(prefix: IdPrefix): string {
  const buf = Buffer.alloc(16);
  buf.writeUIntBE(Date.now(), 0, 6);
  randomBytes(10).copy(buf, 6);
  return `${prefix}_${bs58.encode(buf)}`;
}
