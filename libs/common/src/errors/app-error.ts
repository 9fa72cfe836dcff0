import { ErrorCode } from './error-code';

export interface AppErrorOptions {
  /** A stable, domain-specific reason, e.g. API_KEY_REVOKED (extensions.reason). */
  reason?: string;
  /** Seconds until a retry can succeed (RATE_LIMITED, QUOTA_EXCEEDED). */
  retryAfter?: number;
  /** Safe, client-facing details (field names, limits); never secrets or internals. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The base of every error a client may see. Domain libraries subclass it with their own
 * reason enum; one place (apps/api's error formatter) turns it into GraphQL extensions or an
 * HTTP status. Anything that is not an AppError reaches clients as INTERNAL, without details.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly reason?: string;
  readonly retryAfter?: number;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.reason = options.reason;
    this.retryAfter = options.retryAfter;
    this.details = options.details;
  }

  static notFound(what: string, reason = 'NOT_FOUND'): AppError {
    return new AppError(ErrorCode.NOT_FOUND, `${what} not found`, { reason });
  }

  static badInput(message: string, details?: Record<string, unknown>, reason = 'INVALID_INPUT'): AppError {
    return new AppError(ErrorCode.BAD_USER_INPUT, message, { details, reason });
  }

  static forbidden(message: string, reason = 'FORBIDDEN'): AppError {
    return new AppError(ErrorCode.FORBIDDEN, message, { reason });
  }

  static unauthenticated(message = 'authentication required', reason = 'UNAUTHENTICATED'): AppError {
    return new AppError(ErrorCode.UNAUTHENTICATED, message, { reason });
  }

  static conflict(message: string, reason = 'CONFLICT'): AppError {
    return new AppError(ErrorCode.CONFLICT, message, { reason });
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
