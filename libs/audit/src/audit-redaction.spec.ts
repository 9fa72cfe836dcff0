import { auditPayload, redactSecrets } from './audit-redaction';

describe('audit metadata redaction', () => {
  it('drops secret-named fields and API key secrets, keeps display prefixes and ordinary fields', () => {
    const secret = 'mk_live_' + '3xQa7bZk'.repeat(5);
    expect(
      redactSecrets({
        password: 'p',
        nested: { token: 't', tokens: 12 },
        note: `leaked ${secret}`,
        prefix: 'mk_live_3xQa7bZk',
        list: [{ secret: 's' }],
      }),
    ).toEqual({
      password: '[redacted]',
      nested: { token: '[redacted]', tokens: 12 },
      note: 'leaked [redacted]',
      prefix: 'mk_live_3xQa7bZk',
      list: [{ secret: '[redacted]' }],
    });
  });

  it('keeps only a hash of inference payloads unless the tenant opted in', () => {
    const off = auditPayload(false, { x: [1, 2] });
    expect(off).toEqual({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), bytes: 11 });
    expect(auditPayload(true, { x: [1, 2] })).toEqual({ ...off, data: { x: [1, 2] } });
  });
});
