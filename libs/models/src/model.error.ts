import { AppError, ErrorCode } from '@app/common';

/** Why a registry operation failed; carried as `reason` next to the public code. */
export enum ModelErrorReason {
  MODEL_NOT_FOUND = 'MODEL_NOT_FOUND',
  VERSION_NOT_FOUND = 'VERSION_NOT_FOUND',
  VERSION_NOT_READY = 'VERSION_NOT_READY',
  MODEL_EXISTS = 'MODEL_EXISTS',
  MODEL_NAME_RESERVED = 'MODEL_NAME_RESERVED',
  INVALID_NAME = 'INVALID_NAME',
  INVALID_SIGNATURE = 'INVALID_SIGNATURE',
  INVALID_ARTIFACT = 'INVALID_ARTIFACT',
  UPLOAD_TOO_LARGE = 'UPLOAD_TOO_LARGE',
  UPLOAD_EXPIRED = 'UPLOAD_EXPIRED',
  UPLOAD_TOKEN_INVALID = 'UPLOAD_TOKEN_INVALID',
  UPLOAD_SIZE_MISMATCH = 'UPLOAD_SIZE_MISMATCH',
  UPLOAD_ALREADY_RECEIVED = 'UPLOAD_ALREADY_RECEIVED',
  UPLOAD_NOT_RECEIVED = 'UPLOAD_NOT_RECEIVED',
  UPLOAD_CHECKSUM_MISMATCH = 'UPLOAD_CHECKSUM_MISMATCH',
  DRY_RUN_FAILED = 'DRY_RUN_FAILED',
  READ_ONLY = 'READ_ONLY',
  VERSION_IN_USE = 'VERSION_IN_USE',
  DOWNLOADS_DISABLED = 'DOWNLOADS_DISABLED',
  DOWNLOAD_TOKEN_INVALID = 'DOWNLOAD_TOKEN_INVALID',
  ARTIFACT_URI_REFUSED = 'ARTIFACT_URI_REFUSED',
}

export class ModelError extends AppError {
  static modelNotFound(name: string): ModelError {
    return new ModelError(ErrorCode.NOT_FOUND, `model "${name}" not found`, {
      reason: ModelErrorReason.MODEL_NOT_FOUND,
    });
  }

  static versionNotFound(name: string, version: string): ModelError {
    return new ModelError(ErrorCode.NOT_FOUND, `model "${name}" has no version or alias "${version}"`, {
      reason: ModelErrorReason.VERSION_NOT_FOUND,
    });
  }

  static invalid(reason: ModelErrorReason, message: string, details?: Record<string, unknown>): ModelError {
    return new ModelError(ErrorCode.BAD_USER_INPUT, message, { reason, details });
  }
}
