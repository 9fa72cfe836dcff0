import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import bs58 from 'bs58';

export const sha256Hex = (value: string | Buffer): string => createHash('sha256').update(value).digest('hex');

/** Constant-time comparison of two strings (hex digests, tokens). Length is not secret. */
export function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ab.length !== bb.length) return false;
  return timingSafeEqual(ab, bb);
}

/** `bytes` random bytes, base58-encoded (no 0/O/I/l: safe to read aloud and copy). */
export const randomBase58 = (bytes: number): string => bs58.encode(randomBytes(bytes));

/** URL-safe random token for cookies and one-time links. */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');
