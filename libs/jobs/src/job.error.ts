import { AppError, ErrorCode } from '@app/common';

export enum JobErrorReason {
  JOB_NOT_FOUND = 'JOB_NOT_FOUND',
  JOB_FINISHED = 'JOB_FINISHED',
  TOO_MANY_INSTANCES = 'TOO_MANY_INSTANCES',
  NO_INSTANCES = 'NO_INSTANCES',
  INVALID_INSTANCE = 'INVALID_INSTANCE',
  INVALID_WEBHOOK_URL = 'INVALID_WEBHOOK_URL',
  PRIVATE_WEBHOOK_URL = 'PRIVATE_WEBHOOK_URL',
}

/** Errors of the async job API; `reason` says which rule was broken. */
export class JobError extends AppError {
  static jobNotFound(): JobError {
    return new JobError(ErrorCode.NOT_FOUND, 'inference job not found', { reason: JobErrorReason.JOB_NOT_FOUND });
  }

  static finished(status: string): JobError {
    return new JobError(ErrorCode.CONFLICT, `the job has already finished (${status}): there is nothing to cancel`, {
      reason: JobErrorReason.JOB_FINISHED,
      details: { status },
    });
  }

  static invalid(reason: JobErrorReason, message: string, details?: Record<string, unknown>): JobError {
    return new JobError(ErrorCode.BAD_USER_INPUT, message, { reason, details });
  }
}
