import { AppError, ErrorCode } from '@app/common';

export enum AuditErrorReason {
  INVALID_CURSOR = 'INVALID_CURSOR',
  INVALID_PAGE_SIZE = 'INVALID_PAGE_SIZE',
  INVALID_TIME_RANGE = 'INVALID_TIME_RANGE',
  INVALID_RETENTION = 'INVALID_RETENTION',
  NOTHING_TO_EXPORT = 'NOTHING_TO_EXPORT',
  CHAIN_BROKEN = 'AUDIT_CHAIN_BROKEN',
  SIGNING_KEY_MISSING = 'AUDIT_SIGNING_KEY_MISSING',
  EXPORT_NOT_FOUND = 'AUDIT_EXPORT_NOT_FOUND',
  DOWNLOAD_LINK_INVALID = 'AUDIT_DOWNLOAD_LINK_INVALID',
  DOWNLOAD_LINK_EXPIRED = 'AUDIT_DOWNLOAD_LINK_EXPIRED',
}

export class AuditError extends AppError {
  static invalid(reason: AuditErrorReason, message: string, field?: string): AuditError {
    return new AuditError(ErrorCode.BAD_USER_INPUT, message, { reason, details: field ? { field } : undefined });
  }

  /** Refuse to sign or purge over a chain that does not verify: that would launder tampering. */
  static chainBroken(firstBadSeq: bigint | null): AuditError {
    return new AuditError(ErrorCode.CONFLICT, 'the audit chain does not verify; run verifyAuditChain', {
      reason: AuditErrorReason.CHAIN_BROKEN,
      details: { firstBadSeq: firstBadSeq?.toString() ?? null },
    });
  }
}
