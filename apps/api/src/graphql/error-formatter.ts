import { Logger } from '@nestjs/common';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { AppError, ErrorCode } from '@app/common';
import { isInvalidValue, isUniqueViolation } from '@app/db';
import { platformReason } from '../http/framework-reasons';

const log = new Logger('GraphQL');

/** Walks the cause chain: Mercurius and Nest may wrap the error a resolver threw. */
function appErrorIn(e: unknown): AppError | undefined {
  for (let cur: unknown = e, i = 0; cur && i < 5; i++) {
    if (cur instanceof AppError) return cur;
    cur = (cur as { originalError?: unknown; cause?: unknown }).originalError ?? (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The one place errors become `extensions.code`. AppErrors keep their message, reason and
 * retryAfter; GraphQL's own parse and validation errors are BAD_USER_INPUT; anything else is
 * INTERNAL with a generic message (the details go to the log with the request id, not to the
 * client).
 */
export function formatGraphQLError(error: GraphQLError, requestId?: string): GraphQLFormattedError {
  const app = appErrorIn(error);
  const base = { message: error.message, locations: error.locations, path: error.path };
  if (app) {
    return {
      ...base,
      message: app.message,
      extensions: {
        code: app.code,
        reason: app.reason,
        ...(app.retryAfter !== undefined ? { retryAfter: app.retryAfter } : {}),
        ...(app.details ? { details: app.details } : {}),
        requestId,
      },
    };
  }
  const original = error.originalError;
  if (!original || original instanceof GraphQLError) {
    // Syntax, validation (depth, aliases, cost, unknown fields) and variable coercion errors.
    return { ...base, extensions: { code: ErrorCode.BAD_USER_INPUT, reason: 'GRAPHQL_VALIDATION_FAILED', requestId } };
  }
  const status =
    (original as { status?: number; statusCode?: number }).status ?? (original as { statusCode?: number }).statusCode;
  if (status === 400)
    return { ...base, extensions: { code: ErrorCode.BAD_USER_INPUT, reason: 'INVALID_INPUT', requestId } };
  // Database refusals that no service mapped: still the client's conflict or bad value, not a 500.
  if (isUniqueViolation(original))
    return {
      ...base,
      message: 'this already exists',
      extensions: { code: ErrorCode.CONFLICT, reason: 'ALREADY_EXISTS', requestId },
    };
  if (isInvalidValue(original))
    return {
      ...base,
      message: 'a value was not accepted',
      extensions: { code: ErrorCode.BAD_USER_INPUT, reason: 'INVALID_INPUT', requestId },
    };
  log.error(
    { err: original, requestId, path: error.path },
    `unhandled error in ${error.path?.join('.') ?? 'operation'}: ${original.message}`,
  );
  return {
    message: 'internal error',
    locations: error.locations,
    path: error.path,
    extensions: { code: ErrorCode.INTERNAL, requestId },
  };
}

interface HttpLikeError {
  statusCode?: number;
  code?: string;
  errors?: unknown[];
}

/**
 * Formats a whole Mercurius execution result. Mercurius wraps parse and validation failures in
 * one MER_ERR_GQL_VALIDATION error (the real ones in `.errors`), and passes transport failures
 * (body too large, malformed JSON) through with their HTTP status: unwrap both.
 */
export function formatExecutionErrors(execution: { data?: unknown; errors: GraphQLError[] }, requestId: string) {
  let statusCode = execution.data ? 200 : 0;
  const errors: GraphQLFormattedError[] = [];
  for (const error of execution.errors) {
    const original = (error.originalError ?? error) as Error & HttpLikeError;
    if (!appErrorIn(error) && Array.isArray(original.errors)) {
      for (const inner of original.errors as GraphQLError[]) {
        const reason =
          typeof inner.extensions?.reason === 'string' ? inner.extensions.reason : 'GRAPHQL_VALIDATION_FAILED';
        errors.push({
          message: inner.message,
          locations: inner.locations,
          extensions: { code: ErrorCode.BAD_USER_INPUT, reason, requestId },
        });
      }
      statusCode ||= 400;
    } else if (!appErrorIn(error) && original.statusCode && original.statusCode >= 400 && original.statusCode < 500) {
      const reason = platformReason(original.statusCode, original.code);
      errors.push({ message: original.message, extensions: { code: ErrorCode.BAD_USER_INPUT, reason, requestId } });
      statusCode ||= original.statusCode;
    } else {
      const formatted = formatGraphQLError(error, requestId);
      // A validation rule's error that was not wrapped: nothing ran, so it is a 400 too.
      if (!execution.data && formatted.extensions?.reason === 'GRAPHQL_VALIDATION_FAILED') statusCode ||= 400;
      errors.push(formatted);
    }
  }
  return { statusCode: statusCode || 200, response: { data: (execution.data ?? null) as null, errors } };
}
