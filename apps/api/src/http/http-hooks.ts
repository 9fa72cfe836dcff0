import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, HTTP_STATUS, MetricsService, isAppError } from '@app/common';
import { platformReason } from './framework-reasons';

interface Timed {
  startedAt?: bigint;
  gqlOperation?: { fields: string[]; type: string };
}

/**
 * Fastify-level concerns that sit under Nest: the x-request-id response header, Prometheus
 * request metrics by route and by GraphQL operation, and JSON errors for failures that
 * happen before any handler (body too large, malformed JSON, unsupported media type).
 */
export function installHttpHooks(app: FastifyInstance, metrics: MetricsService): void {
  app.addHook('onRequest', async (req: FastifyRequest & Timed, reply) => {
    req.startedAt = process.hrtime.bigint();
    reply.header('x-request-id', req.id);
  });
  app.addHook('onResponse', async (req: FastifyRequest & Timed, reply) => {
    const seconds = Number(process.hrtime.bigint() - (req.startedAt ?? process.hrtime.bigint())) / 1e9;
    const labels = {
      method: req.method,
      route: req.routeOptions?.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, seconds);
    if (req.gqlOperation) {
      const { fields, type } = req.gqlOperation;
      for (const operation of fields) {
        metrics.graphqlOperations.inc({ operation, type, outcome: reply.statusCode < 400 ? 'ok' : 'error' });
        metrics.graphqlDuration.observe({ operation, type }, seconds);
      }
    }
  });
  app.setErrorHandler((err: FastifyError, req, reply: FastifyReply) => {
    reply.type('application/json; charset=utf-8');
    if (isAppError(err)) {
      return reply
        .status(HTTP_STATUS[err.code])
        .send(restError(err.code, err.message, err.reason, req.id, err.retryAfter));
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error({ err }, 'unhandled error');
    const message = status === 500 ? 'internal error' : err.message;
    const reason = status === 500 ? undefined : platformReason(status, err.code);
    return reply
      .status(status)
      .send(restError(status === 500 ? ErrorCode.INTERNAL : ErrorCode.BAD_USER_INPUT, message, reason, req.id));
  });
}

/** One error shape for REST and for GraphQL-over-HTTP failures that never reached GraphQL. */
export function restError(
  code: ErrorCode,
  message: string,
  reason: string | undefined,
  requestId: string,
  retryAfter?: number,
) {
  return {
    error: message,
    errors: [{ message, extensions: { code, reason, requestId, ...(retryAfter !== undefined ? { retryAfter } : {}) } }],
  };
}
