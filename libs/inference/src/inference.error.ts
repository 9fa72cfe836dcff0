import { AppError, ErrorCode } from '@app/common';

/** Why an inference failed; carried as `reason` (extensions.reason) next to the public code. */
export enum InferenceErrorCode {
  INVALID_INPUT = 'INVALID_INPUT',
  TOO_MANY_INSTANCES = 'TOO_MANY_INSTANCES',
  TOO_MANY_ELEMENTS = 'TOO_MANY_ELEMENTS',
  NOT_IMAGE = 'NOT_IMAGE',
  TIMEOUT = 'TIMEOUT',
  OVERLOADED = 'OVERLOADED',
  MODEL_LOAD_FAILED = 'MODEL_LOAD_FAILED',
  MODEL_FAILED = 'MODEL_FAILED',
  BACKEND_UNAVAILABLE = 'BACKEND_UNAVAILABLE',
}

// Client mistakes are BAD_USER_INPUT; overload is a retryable RATE_LIMITED; the rest are ours.
const CONTRACT_CODES: Record<InferenceErrorCode, ErrorCode> = {
  [InferenceErrorCode.INVALID_INPUT]: ErrorCode.BAD_USER_INPUT,
  [InferenceErrorCode.TOO_MANY_INSTANCES]: ErrorCode.BAD_USER_INPUT,
  [InferenceErrorCode.TOO_MANY_ELEMENTS]: ErrorCode.BAD_USER_INPUT,
  [InferenceErrorCode.NOT_IMAGE]: ErrorCode.BAD_USER_INPUT,
  [InferenceErrorCode.TIMEOUT]: ErrorCode.INTERNAL,
  [InferenceErrorCode.OVERLOADED]: ErrorCode.RATE_LIMITED,
  [InferenceErrorCode.MODEL_LOAD_FAILED]: ErrorCode.INTERNAL,
  [InferenceErrorCode.MODEL_FAILED]: ErrorCode.INTERNAL,
  [InferenceErrorCode.BACKEND_UNAVAILABLE]: ErrorCode.INTERNAL,
};

/**
 * Every failure the inference runtime reports. `inferenceCode` is the precise reason,
 * `contractCode` (= AppError.code) the public code the API layer puts in extensions.code.
 */
export class InferenceError extends AppError {
  readonly inferenceCode: InferenceErrorCode;

  constructor(code: InferenceErrorCode, message: string, details?: Record<string, unknown>, cause?: unknown) {
    super(CONTRACT_CODES[code], message, {
      reason: code,
      details,
      cause,
      retryAfter: code === InferenceErrorCode.OVERLOADED ? 1 : undefined,
    });
    this.inferenceCode = code;
  }

  get contractCode(): ErrorCode {
    return this.code;
  }
}

export const invalidInput = (message: string, details?: Record<string, unknown>): InferenceError =>
  new InferenceError(InferenceErrorCode.INVALID_INPUT, message, details);
