import { randomUUID } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig, loadConfig } from '../config/app-config';

/** Paths pino replaces with [Redacted]: credentials never reach the logs. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-csrf-token"]',
  'req.headers["x-worker-secret"]',
  'req.headers["stripe-signature"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.token',
  '*.apiKey',
  '*.key',
  'password',
  'secret',
  'token',
];

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/** Honour a well-formed incoming x-request-id (a caller's trace), else make one. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : `req_${randomUUID()}`;
}

/** pino-http options: exported so that the redaction can be tested on its own. */
export function pinoHttpOptions(config: AppConfig) {
  return {
    level: config.LOG_LEVEL,
    redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
    genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? requestIdOf(req),
    customProps: () => ({}),
    autoLogging: { ignore: (req: IncomingMessage) => req.url === '/healthz' || req.url === '/metrics' },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
    },
    transport: config.LOG_PRETTY ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
  };
}

@Module({
  imports: [LoggerModule.forRootAsync({ useFactory: () => ({ pinoHttp: pinoHttpOptions(loadConfig()) }) })],
})
export class LoggingModule {}
