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
  /** The tenant a refused key belongs to (or whose prefix it used): for its audit log, never sent. */
  concernsTenantId?: string;
  concernsKeyId?: string;

  static invalid(
    reason: ApiKeyErrorReason.INVALID | ApiKeyErrorReason.REVOKED | ApiKeyErrorReason.EXPIRED,
    concerns?: { tenantId: string; keyId?: string },
  ): ApiKeyError {
    const text = {
      [ApiKeyErrorReason.INVALID]: 'invalid API key',
      [ApiKeyErrorReason.REVOKED]: 'this API key has been revoked',
      [ApiKeyErrorReason.EXPIRED]: 'this API key has expired',
    }[reason];
    const e = new ApiKeyError(ErrorCode.UNAUTHENTICATED, text, { reason });
    e.concernsTenantId = concerns?.tenantId;
    e.concernsKeyId = concerns?.keyId;
    return e;
  }
}
