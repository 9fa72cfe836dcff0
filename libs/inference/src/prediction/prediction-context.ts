import { actorOf, RequestContext } from '@app/tenancy';
import { PredictionContext } from './prediction.types';

/** Who is predicting, from the authenticated request (never from client input). */
export function predictionContextOf(tenantId: string, ctx: RequestContext): PredictionContext {
  const p = ctx.principal;
  return {
    tenantId,
    apiKeyId: p.kind === 'api_key' ? p.apiKeyId : null,
    userId: p.kind === 'user' ? p.userId : p.kind === 'api_key' ? p.createdById : null,
    requestId: ctx.requestId,
    actor: actorOf(p),
  };
}
