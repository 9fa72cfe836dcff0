import { AuditError, AuditErrorReason } from '../audit.error';
import type { TimeRange } from '../audit-event.repository';

/** from <= to, both real dates. */
export function checkTimeRange(range: TimeRange): void {
  for (const [field, d] of [
    ['from', range.from],
    ['to', range.to],
  ] as const) {
    if (d && Number.isNaN(d.getTime()))
      throw AuditError.invalid(AuditErrorReason.INVALID_TIME_RANGE, `${field} is not a valid time`, field);
  }
  if (range.from && range.to && range.from > range.to)
    throw AuditError.invalid(AuditErrorReason.INVALID_TIME_RANGE, 'from must not be after to', 'from');
}
