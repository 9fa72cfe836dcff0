import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AppError } from '@app/common';

/**
 * application/octet-stream bodies reach PUT /uploads/<token> (and /storage/<token>) as the unread request stream, so a
 * file of hundreds of MB is written to disk chunk by chunk instead of being buffered (the global
 * BODY_LIMIT_BYTES does not apply: the signed size, within the plan limit, does). Any other
 * route keeps refusing the type.
 */
@Injectable()
export class OctetStreamParser implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (!fastify?.addContentTypeParser || fastify.hasContentTypeParser('application/octet-stream')) return;
    fastify.addContentTypeParser('application/octet-stream', (req, payload, done) => {
      if (req.method !== 'PUT' || !(req.url.startsWith('/uploads/') || req.url.startsWith('/storage/'))) {
        return done(
          Object.assign(
            AppError.badInput('application/octet-stream is only accepted by PUT /uploads/<token> and /storage/<token>'),
            {
              statusCode: 415,
            },
          ),
          undefined,
        );
      }
      done(null, payload);
    });
  }
}
