/** Thrown by a route to answer with Stripe's error envelope: `{ error: { type, code, message, param } }`. */
export class StripeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly extra: { code?: string; param?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
  }

  toBody(): { error: Record<string, string> } {
    const error: Record<string, string> = { type: this.type, message: this.message };
    if (this.extra.code) error.code = this.extra.code;
    if (this.extra.param) error.param = this.extra.param;
    return { error };
  }
}

export const missingParam = (param: string) =>
  new StripeHttpError(400, 'invalid_request_error', `Missing required param: ${param}.`, {
    code: 'parameter_missing',
    param,
  });

export const noSuch = (what: string, id: string, param = 'id') =>
  new StripeHttpError(404, 'invalid_request_error', `No such ${what}: '${id}'`, { code: 'resource_missing', param });
