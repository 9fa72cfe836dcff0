import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Route config flag: `@RouteConfig({ rawBody: true })` keeps the exact request bytes in req.rawBody. */
export interface RawBodyRouteConfig {
  rawBody?: boolean;
}

export type RawBodyRequest = FastifyRequest & { rawBody?: Buffer };

/**
 * Stripe signs the exact bytes it sent: a re-serialised JSON body would not verify. For the
 * routes that opt in (and only those) a preParsing hook reads the payload once, keeps the buffer
 * and hands the normal JSON parser a copy, so nothing else changes for the rest of the API.
 */
@Injectable()
export class RawBodyHook implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (!fastify) return;
    fastify.addHook('preParsing', async (req: RawBodyRequest, _reply, payload) => {
      if (!(req.routeOptions?.config as RawBodyRouteConfig | undefined)?.rawBody) return payload;
      const chunks: Buffer[] = [];
      for await (const chunk of payload) chunks.push(Buffer.from(chunk));
      req.rawBody = Buffer.concat(chunks);
      return Readable.from([req.rawBody]);
    });
  }
}
