import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, switchMap, type Observable } from 'rxjs';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { RequestContext } from '@app/auth';
import { toRateLimitHeaders, type RateLimitDecision } from '../rate-limit';
import { RequestRateLimiter, type RateLimitedError } from './request-rate-limiter.service';

export type RateLimitedRequest = FastifyRequest & {
  ctx?: RequestContext;
  rateLimit?: RateLimitDecision;
  rateLimitCheck?: Promise<RateLimitDecision | null>;
};

const PER_PREDICTION = 'quotas:admit-per-prediction';

/**
 * On a handler whose every prediction is admitted on its own (AdmissionService, with a
 * concurrency slot): the interceptor leaves those requests to it, so that each aliased `predict`
 * of a GraphQL operation counts once and a prediction is not counted twice.
 */
export const AdmitPerPrediction = () => SetMetadata(PER_PREDICTION, true);

/**
 * Global interceptor (after the auth guard, so the principal is known). A GraphQL request runs
 * interceptors once per top-level field: the decision is taken once per HTTP request and
 * shared. Headers go on the HTTP response for REST and GraphQL alike; GraphQL responses also
 * get `extensions.rateLimit` (RateLimitExtensions).
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  constructor(
    private readonly limiter: RequestRateLimiter,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const { req, reply } = httpOf(context);
    if (!req?.ctx) return next.handle();
    if (this.reflector.get<boolean>(PER_PREDICTION, context.getHandler())) return next.handle();
    req.rateLimitCheck ??= this.decide(req, reply);
    return from(req.rateLimitCheck).pipe(switchMap(() => next.handle()));
  }

  private async decide(req: RateLimitedRequest, reply: FastifyReply | undefined): Promise<RateLimitDecision | null> {
    try {
      const decision = await this.limiter.check(req.ctx!.principal);
      if (decision) this.report(req, reply, decision);
      return decision;
    } catch (error) {
      const decision = (error as Partial<RateLimitedError>).decision;
      if (decision) this.report(req, reply, decision);
      throw error;
    }
  }

  private report(req: RateLimitedRequest, reply: FastifyReply | undefined, decision: RateLimitDecision): void {
    req.rateLimit = decision;
    if (reply && !reply.sent) reply.headers(toRateLimitHeaders(decision));
  }
}

function httpOf(context: ExecutionContext): { req?: RateLimitedRequest; reply?: FastifyReply } {
  if (context.getType<string>() === 'graphql') {
    const gql = GqlExecutionContext.create(context).getContext<{ req?: RateLimitedRequest; reply?: FastifyReply }>();
    return { req: gql.req, reply: gql.reply };
  }
  const http = context.switchToHttp();
  return { req: http.getRequest<RateLimitedRequest>(), reply: http.getResponse<FastifyReply>() };
}
