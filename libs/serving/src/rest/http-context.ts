import type { FastifyReply, FastifyRequest } from 'fastify';
import { toRateLimitHeaders, type RateLimitDecision } from '@app/quotas';
import type { RequestContext } from '@app/auth';
import { predictionContextOf } from '../prediction-context';
import type { PredictionContext, PredictionResult } from '../prediction.types';

type Req = FastifyRequest & { rateLimit?: RateLimitDecision };

/** A prediction's context from an HTTP request: its Idempotency-Key, and rate decisions reported on the reply. */
export function httpPredictionContext(
  tenantId: string,
  ctx: RequestContext,
  req: Req,
  reply: FastifyReply | undefined,
  scope?: string,
): PredictionContext {
  return {
    ...predictionContextOf(tenantId, ctx, req.headers, scope),
    onRate: (decision) => {
      req.rateLimit = decision;
      if (reply && !reply.sent) reply.headers(toRateLimitHeaders(decision));
    },
  };
}

/** The Idempotency-Key replay marker (CONTRACT.md). */
export function markReplay(reply: FastifyReply | undefined, result: PredictionResult): void {
  if (result.replayed && reply && !reply.sent) reply.header('idempotent-replayed', 'true');
}
