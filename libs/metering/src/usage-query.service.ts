import { Injectable } from '@nestjs/common';
import { AppError } from '@app/common';
import { Prisma, PrismaService } from '@app/db';
import { UsageBucket, UsageGroup } from './dto/usage.types';
import { UsageRollupService } from './usage-rollup.service';

const MAX_RANGE_MS = 400 * 24 * 3_600_000;

export interface UsageHourRow {
  hour: Date;
  modelId: string;
  model: string | null;
  apiKeyId: string | null;
  requests: number;
  units: number;
  computeMs: number;
}

/**
 * Reads usage from the hourly aggregates (charts, CSV), never from Stripe: with billing off the
 * ledger is the only truth. Raw SQL on a tenant-owned table: every query is WHERE "tenantId" =
 * the caller's tenant, which comes from the request context, never from client input.
 */
@Injectable()
export class UsageQueryService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly rollup: UsageRollupService,
  ) {}

  async buckets(tenantId: string, from: Date, to: Date, groupBy: UsageGroup[] = []): Promise<UsageBucket[]> {
    checkRange(from, to);
    await this.rollup.refreshForRead(tenantId, from, to);
    const groups = new Set(groupBy);
    const day = groups.has(UsageGroup.DAY) ? Prisma.sql`date_trunc('day', h.hour)` : Prisma.sql`NULL::timestamp`;
    const model = groups.has(UsageGroup.MODEL) ? Prisma.sql`h."modelId"` : Prisma.sql`NULL::text`;
    const key = groups.has(UsageGroup.API_KEY) ? Prisma.sql`h."apiKeyId"` : Prisma.sql`NULL::text`;
    const rows = await this.prisma.$queryRaw<
      {
        day: Date | null;
        modelId: string | null;
        model: string | null;
        apiKeyId: string | null;
        requests: bigint;
        units: bigint;
        computeMs: number;
      }[]
    >`
      SELECT g.day, g."modelId", m.name AS model, NULLIF(g."apiKeyId", '') AS "apiKeyId", g.requests, g.units, g."computeMs"
      FROM (SELECT ${day} AS day, ${model} AS "modelId", ${key} AS "apiKeyId",
                   SUM(h.requests)::bigint AS requests, SUM(h.units)::bigint AS units, SUM(h."computeMs")::float8 AS "computeMs"
            FROM usage_hourly h
            WHERE h."tenantId" = ${tenantId} AND h.hour >= ${from} AND h.hour < ${to}
            GROUP BY 1, 2, 3) g
      LEFT JOIN models m ON m.id = g."modelId"
      ORDER BY g.day NULLS FIRST, g."modelId" NULLS FIRST, g."apiKeyId" NULLS FIRST`;
    return rows.map((r) => ({
      ...r,
      requests: Number(r.requests),
      units: Number(r.units),
      computeMs: Number(r.computeMs),
    }));
  }

  async hours(tenantId: string, from: Date, to: Date): Promise<UsageHourRow[]> {
    checkRange(from, to);
    await this.rollup.refreshForRead(tenantId, from, to);
    const rows = await this.prisma.$queryRaw<
      (Omit<UsageHourRow, 'requests' | 'units'> & { requests: bigint; units: bigint })[]
    >`
      SELECT h.hour, h."modelId", m.name AS model, NULLIF(h."apiKeyId", '') AS "apiKeyId", h.requests, h.units, h."computeMs"
      FROM usage_hourly h LEFT JOIN models m ON m.id = h."modelId"
      WHERE h."tenantId" = ${tenantId} AND h.hour >= ${from} AND h.hour < ${to}
      ORDER BY h.hour, h."modelId", h."apiKeyId"`;
    return rows.map((r) => ({
      ...r,
      requests: Number(r.requests),
      units: Number(r.units),
      computeMs: Number(r.computeMs),
    }));
  }
}

function checkRange(from: Date, to: Date): void {
  if (!(from instanceof Date) || !(to instanceof Date) || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) {
    throw AppError.badInput('from and to must be ISO date-times', undefined, 'INVALID_RANGE');
  }
  if (to <= from) throw AppError.badInput('to must be after from', { from, to }, 'INVALID_RANGE');
  if (to.getTime() - from.getTime() > MAX_RANGE_MS)
    throw AppError.badInput('the range may span at most 400 days', undefined, 'RANGE_TOO_LARGE');
}
