import { sha256Hex } from '@app/common';

/**
 * SHA-256 of a value's JSON for the audit trail. Input nested past what JSON.stringify can walk
 * (a hostile body) must not make the audit itself fail: it is hashed as its type and size.
 */
export function safeSha256(value: unknown): string {
  try {
    return sha256Hex(JSON.stringify(value) ?? 'undefined');
  } catch {
    return sha256Hex(`unhashable:${typeof value}`);
  }
}
