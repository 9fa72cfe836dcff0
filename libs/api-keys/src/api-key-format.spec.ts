import bs58 from 'bs58';
import { generateApiKey, parseApiKey } from './api-key-format';
import { ApiKeyCache } from './api-key-cache';

describe('API key format', () => {
  it('mk_live_ + base58 of 24 random bytes (192 bits), unique, hash and prefix derived', () => {
    const keys = Array.from({ length: 200 }, generateApiKey);
    expect(new Set(keys.map((k) => k.secret)).size).toBe(200);
    for (const k of keys) {
      expect(k.secret).toMatch(/^mk_live_[1-9A-HJ-NP-Za-km-z]+$/);
      expect(bs58.decode(k.secret.slice(8)).length).toBe(24);
      expect(k.prefix).toBe(k.secret.slice(0, 16));
      expect(parseApiKey(k.secret)).toEqual({ prefix: k.prefix, hash: k.hash });
    }
  });

  it.each([
    '',
    'mk_live_',
    'mk_test_' + '2'.repeat(33),
    'mk_live_' + '0'.repeat(33),
    'mk_live_' + '2'.repeat(80),
    'Bearer mk_live_x',
  ])('rejects %j without a lookup', (v) => {
    expect(parseApiKey(v)).toBeNull();
  });
});

describe('API key cache', () => {
  const key = { id: 'key_1', tenantId: 'ten_1', scopes: [], createdById: null, expiresAt: null, revokedAt: null };
  let clock = 0;
  const now = () => clock;

  it('expires entries after the TTL and evicts by key id', () => {
    const c = new ApiKeyCache(1000, 10, now);
    clock = 5_000;
    c.set('h', key);
    clock = 6_000;
    expect(c.get('h')).toBe(key);
    clock = 6_001;
    expect(c.get('h')).toBeUndefined();
    c.set('h', key);
    c.evictKeyId('key_1');
    expect(c.get('h')).toBeUndefined();
  });

  it('is bounded: the least recently used entry goes first', () => {
    const c = new ApiKeyCache(60_000, 2, now);
    c.set('a', { ...key, id: 'a' });
    c.set('b', { ...key, id: 'b' });
    c.get('a');
    c.set('c', { ...key, id: 'c' });
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')?.id).toBe('a');
  });

  it('a TTL of 0 caches nothing', () => {
    const c = new ApiKeyCache(0);
    c.set('h', key);
    expect(c.get('h')).toBeUndefined();
  });
});
