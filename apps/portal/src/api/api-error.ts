/** A GraphQL or HTTP failure as the portal shows it: the server's message, with its stable code. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly reason?: string,
    readonly retryAfter?: number,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** A sentence a person can act on. */
  describe(): string {
    const wait = this.retryAfter !== undefined ? ` Try again in ${this.retryAfter} s.` : '';
    return `${this.message}${wait}`;
  }
}

export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError(message || 'something went wrong', 'INTERNAL');
}
