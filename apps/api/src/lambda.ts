import 'reflect-metadata';
import awsLambdaFastify, { type PromiseHandler } from '@fastify/aws-lambda';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { AuditExportScheduler, AuditPurgeScheduler } from '@app/duties';
import { createApp } from './app.factory';

type Proxy = PromiseHandler;

const TEXT_TYPES = /^(text\/|application\/(json|graphql-response\+json|javascript|xml|problem\+json)|image\/svg\+xml)/;

/**
 * API Gateway passes a Lambda response body as a string: anything that is not text (a portal
 * image or font, a compressed answer) must go back base64-encoded or the bytes are mangled.
 */
export function isBinaryResponse(res: LightMyRequestResponse): boolean {
  const encoding = res.headers['content-encoding'];
  if (encoding && encoding !== 'identity') return true;
  const type = String(res.headers['content-type'] ?? '')
    .split(';', 1)[0]!
    .trim();
  return type !== '' && !TEXT_TYPES.test(type);
}

/** Wraps the built app: the same Fastify instance main.ts listens with, driven by Lambda events. */
export function lambdaProxyFor(fastify: FastifyInstance): Proxy {
  return awsLambdaFastify(fastify, {
    // The app is already `ready` (createApp waits for it), and Fastify refuses new decorators
    // after start: nothing reads request.awsLambda, so the adapter must not add it.
    decorateRequest: false,
    enforceBase64: isBinaryResponse,
    // `?a=x,y` stays the string the Fastify server would see, not an array only Lambda makes.
    parseCommaSeparatedQueryParams: false,
  });
}

interface Built {
  app: NestFastifyApplication;
  proxy: Proxy;
}
let built: Promise<Built> | undefined;

function build(): Promise<Built> {
  const started = createApp().then((app) => ({
    app,
    proxy: lambdaProxyFor(app.getHttpAdapter().getInstance() as unknown as FastifyInstance),
  }));
  // A failed start must not be cached: the next invocation tries again.
  started.catch(() => {
    if (built === started) built = undefined;
  });
  return started;
}

/**
 * An EventBridge schedule's event (infra's AuditDutiesSchedule). Only AWS can invoke the
 * function with one: API Gateway always sends its own shape (with `requestContext`).
 */
export function isScheduledEvent(event: unknown): boolean {
  const e = event as { source?: unknown; 'detail-type'?: unknown; requestContext?: unknown } | null;
  return !!e && e.requestContext === undefined && e.source === 'aws.events' && e['detail-type'] === 'Scheduled Event';
}

/** One pass of the schedule's duties: each due tenant's audit export, then the retention purge. */
async function runScheduledDuties(app: NestFastifyApplication) {
  const exported = await app.get(AuditExportScheduler, { strict: false }).runOnce();
  const purged = await app.get(AuditPurgeScheduler, { strict: false }).runOnce();
  return { duties: 'audit-export-and-purge', exported, purged };
}

/** AWS Lambda entry (API Gateway HTTP API, and the audit duties' schedule). Built once per container. */
export const handler = async (event: unknown, context: unknown) => {
  built ??= build();
  const { app, proxy } = await built;
  if (isScheduledEvent(event)) return runScheduledDuties(app);
  return proxy(event as never, context as never);
};

/** Closes the container's app (database pool, timers): for whoever owns the process, e.g. a test. */
export async function shutdown(): Promise<void> {
  const current = built;
  built = undefined;
  await (await current?.catch(() => undefined))?.app.close();
}
