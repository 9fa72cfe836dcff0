import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../config/app-config';
import { REDACT_PATHS, pinoHttpOptions, requestIdOf } from './logging.module';

describe('logging', () => {
  it('redacts credentials in request headers and secret-looking fields', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(chunk.toString()), done()) });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: '[Redacted]' } }, sink);
    log.info(
      {
        req: {
          headers: {
            authorization: 'Bearer mk_live_SECRET',
            cookie: 'mas_session=SECRET',
            'x-api-key': 'mk_live_SECRET',
            'x-csrf-token': 'SECRET',
          },
        },
      },
      'request',
    );
    log.info({ input: { password: 'hunter2-SECRET', token: 'SECRET' }, secret: 'SECRET' }, 'fields');
    const out = lines.join('');
    expect(out).not.toContain('SECRET');
    expect(out.match(/\[Redacted\]/g)!.length).toBeGreaterThanOrEqual(7);
  });

  it('keeps a well-formed caller request id and makes one otherwise', () => {
    expect(requestIdOf({ headers: { 'x-request-id': 'abc-12345678' } } as never)).toBe('abc-12345678');
    expect(requestIdOf({ headers: { 'x-request-id': 'bad id with spaces' } } as never)).toMatch(/^req_[0-9a-f-]{36}$/);
    expect(requestIdOf({ headers: {} } as never)).toMatch(/^req_/);
  });

  it('configures pino-http with the redaction and the level from configuration', () => {
    const opts = pinoHttpOptions(loadConfig({ LOG_LEVEL: 'warn' } as never));
    expect(opts.level).toBe('warn');
    expect(opts.redact.paths).toContain('req.headers.authorization');
  });
});
