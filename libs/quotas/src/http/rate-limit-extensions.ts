import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { RateLimitedRequest } from './rate-limit.interceptor';

interface MercuriusLike {
  addHook(
    name: 'onResolution',
    fn: (
      execution: { extensions?: Record<string, unknown> },
      context: { reply?: { request?: unknown } },
    ) => Promise<void>,
  ): void;
}

/**
 * Puts the request's rate decision into the GraphQL response's top-level `extensions.rateLimit`
 * ({ limit, remaining, resetAt (ISO), retryAfter? }), the GraphQL twin of the REST headers.
 */
@Injectable()
export class RateLimitExtensions implements OnApplicationBootstrap {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onApplicationBootstrap(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as
      (FastifyInstance & { graphql?: MercuriusLike }) | undefined;
    if (!fastify?.graphql) {
      new Logger('RateLimit').warn('GraphQL not found: rate limits will show in headers only');
      return;
    }
    fastify.graphql.addHook('onResolution', async (execution, context) => {
      const d = (context.reply?.request as RateLimitedRequest | undefined)?.rateLimit;
      if (!d) return;
      const rateLimit = {
        limit: d.limit,
        remaining: Math.max(0, d.remaining),
        resetAt: new Date(d.resetAt).toISOString(),
        ...(d.allowed ? {} : { retryAfter: Math.max(1, Math.ceil(d.retryAfterMs / 1000)) }),
      };
      execution.extensions = { ...execution.extensions, rateLimit };
    });
  }
}
