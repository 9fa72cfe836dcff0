import { Controller, Get, Header, Query } from '@nestjs/common';
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
  async csv(@CurrentTenant() tenantId: string, @Query('from') from?: string, @Query('to') to?: string): Promise<string> {
    const rows = await this.usage.hours(tenantId, new Date(from ?? ''), new Date(to ?? ''));
    const lines = rows.map((r) => [r.hour.toISOString(), r.modelId, r.model, r.apiKeyId, r.requests, r.units, r.computeMs].map(csvField).join(','));
    return [CSV_HEADER, ...lines].join('\n') + '\n';
  }
}
