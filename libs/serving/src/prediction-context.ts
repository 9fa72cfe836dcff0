import { actorOf, type RequestContext } from '@app/auth';
import { parseIdempotencyKey } from '@app/ledger';
import type { PredictionContext } from './prediction.types';

/**
 * Who is predicting, from the authenticated request (never from client input). `scope` tells
 * apart the predictions of one GraphQL operation (its field alias), each its own prediction with
 * its own idempotency key.
 */
export function predictionContextOf(
  tenantId: string,
  ctx: RequestContext,
  headers: Record<string, unknown> = {},
  scope?: string,
): PredictionContext {
  const p = ctx.principal;
  const key = parseIdempotencyKey(headers['idempotency-key']);
  return {
    tenantId,
    apiKeyId: p.kind === 'api_key' ? p.apiKeyId : null,
    userId: p.kind === 'user' ? p.userId : p.kind === 'api_key' ? p.createdById : null,
    requestId: ctx.requestId,
    actor: actorOf(p),
    principal: p,
    idempotencyKey: key && scope ? `${key}#${scope}` : key,
  };
}
