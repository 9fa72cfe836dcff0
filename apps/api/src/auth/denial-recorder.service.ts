import { Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { LimiterFactory, MetricsService } from '@app/common';
import { PrismaService } from '@app/db';
import { AuditService } from '@app/audit';

/** The reasons a request can be refused at the door: the label values of auth_denials_total. */
export const DENIAL_REASONS = [
  'API_KEY_INVALID',
  'API_KEY_REVOKED',
  'API_KEY_EXPIRED',
  'CSRF_TOKEN_INVALID',
  'SCOPE_MISSING',
  'SESSION_REQUIRED',
  'UNAUTHENTICATED',
] as const;
export type DenialReason = (typeof DENIAL_REASONS)[number];

export interface Denial {
  reason: DenialReason;
  /** The tenant the refused credential belongs to; null when none is known (counted only). */
  tenantId: string | null;
  actor: { type: 'user' | 'api_key' | 'system'; id: string | null };
}

const AUDITED_PER_TENANT_PER_MINUTE = 30;

/**
 * Counts every authorization denial in /metrics and writes it to the audit log of the tenant it
 * concerns, with source address and user agent. At most 30 audited denials per tenant a minute:
 * a flood of bad keys must not fill (nor slow down) a tenant's audit chain; the rest are counted.
 */
@Injectable()
export class DenialRecorder {
  private readonly log = new Logger('AuthDenials');
  private readonly perTenant: RateLimiterAbstract;

  constructor(
    private readonly metrics: MetricsService,
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    limiters: LimiterFactory,
  ) {
    this.perTenant = limiters.create({
      name: 'audited-denials',
      points: AUDITED_PER_TENANT_PER_MINUTE,
      durationSeconds: 60,
    });
  }

  /** Once per request (GraphQL asks the guard once per field); never delays the answer. */
  record(req: FastifyRequest & { denialRecorded?: boolean }, denial: Denial): void {
    if (req.denialRecorded) return;
    req.denialRecorded = true;
    this.metrics
      .counter('auth_denials_total', 'Requests refused by authentication or authorization', ['reason'])
      .inc({ reason: denial.reason });
    if (!denial.tenantId) return;
    void this.write(req, denial, denial.tenantId).catch((e) =>
      this.log.error(`denial audit failed: ${(e as Error).message}`),
    );
  }

  private async write(
    req: FastifyRequest & { gqlOperation?: { fields: string[] } },
    denial: Denial,
    tenantId: string,
  ): Promise<void> {
    const allowed = await this.perTenant.consume(tenantId).then(
      () => true,
      () => false,
    );
    if (!allowed) {
      this.metrics
        .counter('auth_denials_unaudited_total', 'Denials over the per-tenant audit rate, counted only', [])
        .inc();
      return;
    }
    const ua = req.headers['user-agent'];
    const operation = req.gqlOperation
      ? `graphql:${req.gqlOperation.fields.join(',')}`
      : `${req.method} ${req.routeOptions?.url ?? 'unmatched'}`;
    await this.prisma.$transaction((tx) =>
      this.audit.append(tx, tenantId, {
        actor: denial.actor,
        action: 'auth.denied',
        target: { type: 'operation', id: operation.slice(0, 200) },
        requestId: String(req.id),
        metadata: { reason: denial.reason, ip: req.ip, userAgent: typeof ua === 'string' ? ua.slice(0, 200) : null },
      }),
    );
  }
}
