import { GENESIS_HASH, auditEventHash } from '../audit-hash';
import { ChainEvent, ChainVerifier } from './chain-verifier';

function chain(n: number): ChainEvent[] {
  const out: ChainEvent[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const e = {
      id: `aud_${i}`,
      tenantId: 'ten_1',
      seq: BigInt(i),
      occurredAt: new Date(1_700_000_000_000 + i),
      actorType: 'user',
      actorId: 'usr_1',
      action: 'x.y',
      targetType: null,
      targetId: null,
      requestId: null,
      metadata: { i },
      prevHash: prev,
    };
    prev = auditEventHash(e);
    out.push({ ...e, hash: prev });
  }
  return out;
}

const run = (events: ChainEvent[], checkpoints?: Map<bigint, string>) => {
  const v = new ChainVerifier({ seq: 0n, hash: GENESIS_HASH }, checkpoints);
  for (const e of events) if (!v.push(e)) break;
  return v;
};

describe('ChainVerifier', () => {
  it('accepts an intact chain', () => {
    expect(run(chain(50))).toMatchObject({ ok: true, checked: 50 });
  });

  it('reports the first bad seq: a gap, a changed field, a swap', () => {
    const c = chain(10);
    expect(run([...c.slice(0, 4), ...c.slice(5)]).firstBadSeq).toBe(5n);
    expect(run(c.map((e) => (e.seq === 7n ? { ...e, metadata: { i: 8 } } : e))).firstBadSeq).toBe(7n);
    const swapped = [...c];
    [swapped[2], swapped[5]] = [
      { ...c[5]!, seq: 3n },
      { ...c[2]!, seq: 6n },
    ];
    expect(run(swapped).firstBadSeq).toBe(3n);
  });

  it('holds each checkpoint seq to its known hash', () => {
    const c = chain(5);
    expect(run(c, new Map([[3n, 'f'.repeat(64)]])).firstBadSeq).toBe(3n);
    expect(run(c, new Map([[3n, c[2]!.hash]])).ok).toBe(true);
  });
});
