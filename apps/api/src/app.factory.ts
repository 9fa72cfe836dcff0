import fastifyCookie from '@fastify/cookie';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { Logger } from 'nestjs-pino';
import { MetricsService, loadConfig, requestIdOf, startupProfile } from '@app/common';
import { AppModule } from './app.module';
import { installHttpHooks } from './http/http-hooks';
import { GqlOperationLabels, operationLabels } from './graphql/operation-labels';
import { installInputHygiene } from './http/input-hygiene';

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
  const app = await startupProfile.time('nest: create (module scan, providers incl. database)', () =>
    NestFactory.create<NestFastifyApplication>(AppModule, adapter, {
      bufferLogs: !quiet,
      abortOnError: false,
      ...(quiet ? { logger: false } : {}),
    }),
  );
  if (!quiet) app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  installHttpHooks(fastify, app.get(MetricsService));
  installInputHygiene(fastify);
  await app.register(fastifyCookie as never);
  app.enableShutdownHooks();
  await startupProfile.time('nest: init (module init hooks, GraphQL schema, bootstrap hooks)', () => app.init());
  const gql = (
    fastify as unknown as { graphql?: { addHook: (name: string, fn: (...a: unknown[]) => Promise<void>) => void } }
  ).graphql;
  gql?.addHook('preExecution', async (schema: unknown, document: unknown, context: unknown) => {
    const req = (context as { reply: { request: FastifyRequest & { gqlOperation?: GqlOperationLabels } } }).reply
      .request;
    req.gqlOperation = operationLabels(schema as GraphQLSchema, document as DocumentNode);
  });
  await startupProfile.time('fastify ready', () => fastify.ready());
  return app;
}
