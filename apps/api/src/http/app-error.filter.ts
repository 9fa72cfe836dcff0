import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, HTTP_STATUS, isAppError } from '@app/common';
import { isInvalidValue, isUniqueViolation } from '@app/db';
import { restError } from './http-hooks';
import { platformReason } from './framework-reasons';

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.BAD_USER_INPUT,
  401: ErrorCode.UNAUTHENTICATED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  409: ErrorCode.CONFLICT,
  413: ErrorCode.BAD_USER_INPUT,
  429: ErrorCode.RATE_LIMITED,
};

/**
 * REST routes (the inference protocols, webhooks, health): an AppError becomes its HTTP status
 * and the same code/reason as GraphQL. GraphQL errors pass through to the GraphQL formatter.
 */
@Catch()
export class AppErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('Http');

  catch(error: unknown, host: ArgumentsHost) {
    if (host.getType<string>() === 'graphql') return error;
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const req = host.switchToHttp().getRequest<FastifyRequest>();
    // A route may have set another content type (text/csv, text/plain) before it failed.
    reply.type('application/json; charset=utf-8');
    if (isAppError(error)) {
      if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
      return reply
        .status(HTTP_STATUS[error.code])
        .send(restError(error.code, error.message, error.reason, String(req.id), error.retryAfter));
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const code = CODE_BY_STATUS[status] ?? (status >= 500 ? ErrorCode.INTERNAL : ErrorCode.BAD_USER_INPUT);
      return reply
        .status(status)
        .send(
          restError(
            code,
            status >= 500 ? 'internal error' : error.message,
            status >= 500 ? undefined : platformReason(status, undefined),
            String(req.id),
          ),
        );
    }
    if (isUniqueViolation(error))
      return reply
        .status(409)
        .send(restError(ErrorCode.CONFLICT, 'this already exists', 'ALREADY_EXISTS', String(req.id)));
    if (isInvalidValue(error))
      return reply
        .status(400)
        .send(restError(ErrorCode.BAD_USER_INPUT, 'a value was not accepted', 'INVALID_INPUT', String(req.id)));
    this.log.error({ err: error, requestId: req.id }, 'unhandled error');
    return reply.status(500).send(restError(ErrorCode.INTERNAL, 'internal error', undefined, String(req.id)));
  }
}
