import { Controller, Get, Header, Query } from '@nestjs/common';
import { AppError } from '@app/common';
import { CurrentTenant, RequirePermission } from '@app/auth';
import { UsageQueryService } from './usage-query.service';

const CSV_HEADER = 'hour,model_id,model,api_key_id,requests,units,compute_ms';

/** Quotes a field when it needs it (RFC 4180) and defuses spreadsheet formulas. */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  let s = String(value);
  if (/^[=+\-@]/.test(s) && typeof value === 'string') s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** GET /usage.csv?from=<ISO>&to=<ISO>: the hourly ledger aggregates, authenticated like the API. */
@Controller()
export class UsageCsvController {
  constructor(private readonly usage: UsageQueryService) {}

  @RequirePermission('usage:read')
  @Get('usage.csv')
  @Header('content-type', 'text/csv; charset=utf-8')
  @Header('content-disposition', 'attachment; filename="usage.csv"')
  async csv(@CurrentTenant() tenantId: string, @Query() params?: Record<string, unknown>): Promise<string> {
    const query = params ?? {};
    const unknown = Object.keys(query).filter((k) => k !== 'from' && k !== 'to');
    if (unknown.length)
      throw AppError.badInput(
        `unknown query parameter: ${unknown.join(', ')} (this route takes from and to)`,
        { unknown },
        'UNKNOWN_PARAMETER',
      );
    const rows = await this.usage.hours(tenantId, dateParam(query, 'from'), dateParam(query, 'to'));
    const lines = rows.map((r) =>
      [r.hour.toISOString(), r.modelId, r.model, r.apiKeyId, r.requests, r.units, r.computeMs].map(csvField).join(','),
    );
    return [CSV_HEADER, ...lines].join('\n') + '\n';
  }
}

/** A required ISO 8601 date-time query parameter, or a 400 naming it. */
function dateParam(query: Record<string, unknown>, name: string): Date {
  const raw = query[name];
  const at =
    typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw)
      ? new Date(raw)
      : null;
  if (!at || Number.isNaN(at.getTime())) {
    throw AppError.badInput(
      `${name} must be an ISO 8601 date-time, e.g. 2026-01-31T00:00:00Z`,
      { field: name },
      'INVALID_DATE',
    );
  }
  return at;
}
