import { TtlCache } from './ttl-cache';

describe('TtlCache (lru-cache behind one helper)', () => {
  let clock = 0;
  const now = () => clock;
  // lru-cache reads a start time of 0 as "no TTL": the fake clock starts later, like performance.now().
  beforeEach(() => (clock = 1_000));

  it('serves an entry until its TTL from the set, however often it is read', () => {
    const c = new TtlCache<string, number>({ ttlMs: 100, now });
    c.set('a', 1);
    for (clock = 1_000; clock <= 1_100; clock += 25) expect(c.get('a')).toBe(1);
    clock = 1_101;
    expect(c.get('a')).toBeUndefined();
  });

  it('is bounded: the least recently used entry is dropped first', () => {
    const c = new TtlCache<string, number>({ ttlMs: 60_000, max: 2, now });
    c.set('a', 1);
    c.set('b', 2);
    c.get('a');
    c.set('c', 3);
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual([1, undefined, 3]);
    expect(c.size).toBe(2);
  });

  it('deleteWhere drops exactly the entries picked; clear drops all', () => {
    const c = new TtlCache<string, { tenant: string }>({ ttlMs: 60_000, now });
    c.set('t1:a', { tenant: 't1' });
    c.set('t1:b', { tenant: 't1' });
    c.set('t2:a', { tenant: 't2' });
    c.deleteWhere((_v, key) => key.startsWith('t1:'));
    expect([c.get('t1:a'), c.get('t1:b'), c.get('t2:a')]).toEqual([undefined, undefined, { tenant: 't2' }]);
    c.clear();
    expect(c.size).toBe(0);
  });

  it('a TTL of 0 keeps nothing', () => {
    const c = new TtlCache<string, number>({ ttlMs: 0 });
    c.set('a', 1);
    expect(c.get('a')).toBeUndefined();
    expect(c.size).toBe(0);
  });
});
