import 'reflect-metadata';
import awsLambdaFastify from '@fastify/aws-lambda';
import type { FastifyInstance } from 'fastify';
import { createApp } from './app.factory';

type Proxy = ReturnType<typeof awsLambdaFastify>;
let proxy: Promise<Proxy> | undefined;

/** AWS Lambda entry (API Gateway HTTP API). The app is built once per container and reused. */
export const handler = async (event: unknown, context: unknown) => {
  proxy ??= createApp().then((app) => awsLambdaFastify(app.getHttpAdapter().getInstance() as unknown as FastifyInstance));
  return (await proxy)(event as never, context as never, undefined as never);
};
