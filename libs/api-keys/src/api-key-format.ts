import bs58 from 'bs58';
import { randomBase58, sha256Hex } from '@app/common';

export const KEY_PREFIX = 'mk_live_';
/** 24 random bytes = 192 bits of entropy, about 32 base58 characters. */
const RANDOM_BYTES = 24;
const DISPLAY_CHARS = 8;

export interface GeneratedKey {
  secret: string; // shown once, never stored
  hash: string; // SHA-256 hex, stored
  prefix: string; // "mk_live_" + 8 characters: shown in lists, used to find the row
}

export function generateApiKey(): GeneratedKey {
  const secret = KEY_PREFIX + randomBase58(RANDOM_BYTES);
  return { secret, hash: sha256Hex(secret), prefix: secret.slice(0, KEY_PREFIX.length + DISPLAY_CHARS) };
}

/** Cheap syntactic check before any lookup: rejects junk without touching the database. */
export function parseApiKey(value: string): { prefix: string; hash: string } | null {
  if (!value.startsWith(KEY_PREFIX) || value.length < KEY_PREFIX.length + 30 || value.length > KEY_PREFIX.length + 40)
    return null;
  try {
    if (bs58.decode(value.slice(KEY_PREFIX.length)).length !== RANDOM_BYTES) return null;
  } catch {
    return null;
  }
  return { prefix: value.slice(0, KEY_PREFIX.length + DISPLAY_CHARS), hash: sha256Hex(value) };
}
