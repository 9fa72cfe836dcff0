import 'reflect-metadata';
import awsLambdaFastify, { type PromiseHandler } from '@fastify/aws-lambda';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
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

/** AWS Lambda entry (API Gateway HTTP API). The app is built once per container and reused. */
export const handler = async (event: unknown, context: unknown) => {
  built ??= build();
  return (await built).proxy(event as never, context as never);
};

/** Closes the container's app (database pool, timers): for whoever owns the process, e.g. a test. */
export async function shutdown(): Promise<void> {
  const current = built;
  built = undefined;
  await (await current?.catch(() => undefined))?.app.close();
}
