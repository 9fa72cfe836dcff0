import fastifyCookie from '@fastify/cookie';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DocumentNode, OperationDefinitionNode } from 'graphql';
import { Logger } from 'nestjs-pino';
import { MetricsService, loadConfig, requestIdOf } from '@app/common';
import { AppModule } from './app.module';
import { installHttpHooks } from './http/http-hooks';

/**
 * Builds the API application (not listening): used by main.ts, lambda.ts and the tests, so
 * that all three run the same thing.
 */
export async function createApp(options: { logger?: boolean } = {}): Promise<NestFastifyApplication> {
  const config = loadConfig();
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    genReqId: requestIdOf,
    trustProxy: config.trustProxy,
    logger: false,
  });
  const quiet = options.logger === false;
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, { bufferLogs: !quiet, abortOnError: false, ...(quiet ? { logger: false } : {}) });
  if (!quiet) app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  installHttpHooks(fastify, app.get(MetricsService));
  await app.register(fastifyCookie as never);
  app.enableShutdownHooks();
  await app.init();
  const gql = (fastify as unknown as { graphql?: { addHook: (name: string, fn: (...a: unknown[]) => Promise<void>) => void } }).graphql;
  gql?.addHook('preExecution', async (_schema: unknown, document: unknown, context: unknown) => {
    const op = (document as DocumentNode).definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
    const req = (context as { reply: { request: FastifyRequest & { gqlOperation?: { name: string; type: string } } } }).reply.request;
    req.gqlOperation = { name: op?.name?.value ?? 'anonymous', type: op?.operation ?? 'query' };
  });
  await fastify.ready();
  return app;
}
