import { auditEventHash } from './audit-hash';
import { hashTemplate } from './audit.service';
import { createHash } from 'node:crypto';

describe('hash template (the hash PostgreSQL finishes)', () => {
  it.each([
    [{}],
    [
      {
        note: 'quotes " and \\ backslashes, unicode é ☃, control \u0002',
        n: 1.5,
        nested: { b: [1, null, 'x'], a: true },
      },
    ],
  ])('reassembles to exactly the canonical text auditEventHash hashes (%#)', (metadata) => {
    const event = {
      id: 'aud_1',
      tenantId: 'ten_1',
      occurredAt: new Date('2026-11-28T12:00:00.123Z'),
      actorType: 'user',
      actorId: 'usr_1',
      action: 'x.y',
      targetType: null,
      targetId: 't',
      requestId: 'req_1',
      metadata,
    };
    const [a, b, c] = hashTemplate(event);
    const prevHash = 'f'.repeat(64);
    const sqlSide = createHash('sha256')
      .update(a + prevHash + b + '42' + c)
      .digest('hex');
    expect(sqlSide).toBe(auditEventHash({ ...event, seq: 42n, prevHash }));
  });
});

describe('hash template with adversarial metadata', () => {
  it('metadata that mimics the chain fields cannot shift the split', () => {
    const event = {
      id: 'aud_2',
      tenantId: 'ten_1',
      occurredAt: new Date(0),
      actorType: 'system',
      actorId: null,
      action: 'a',
      targetType: null,
      targetId: null,
      requestId: null,
      metadata: { prevHash: 'PREV', seq: 'SEQ', x: '"prevHash":"PREV"' },
    };
    const [a, b, c] = hashTemplate(event);
    const prevHash = '0'.repeat(64);
    expect(
      createHash('sha256')
        .update(a + prevHash + b + '7' + c)
        .digest('hex'),
    ).toBe(auditEventHash({ ...event, seq: 7, prevHash }));
  });
});
