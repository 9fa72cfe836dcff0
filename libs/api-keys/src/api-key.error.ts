import { AppError, ErrorCode } from '@app/common';

export enum ApiKeyErrorReason {
  INVALID = 'API_KEY_INVALID',
  REVOKED = 'API_KEY_REVOKED',
  EXPIRED = 'API_KEY_EXPIRED',
  SCOPE_MISSING = 'SCOPE_MISSING',
  SCOPE_NOT_GRANTABLE = 'SCOPE_NOT_GRANTABLE',
  INVALID_SCOPE = 'INVALID_SCOPE',
  INVALID_EXPIRY = 'INVALID_EXPIRY',
}

export class ApiKeyError extends AppError {
  static invalid(reason: ApiKeyErrorReason.INVALID | ApiKeyErrorReason.REVOKED | ApiKeyErrorReason.EXPIRED): ApiKeyError {
    const text = { [ApiKeyErrorReason.INVALID]: 'invalid API key', [ApiKeyErrorReason.REVOKED]: 'this API key has been revoked', [ApiKeyErrorReason.EXPIRED]: 'this API key has expired' }[reason];
    return new ApiKeyError(ErrorCode.UNAUTHENTICATED, text, { reason });
  }
}
