import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { PrismaService } from '@app/db';
import { AuditService } from '@app/audit';
import { MONITORING_CONFIG, MonitoringConfig } from '../monitoring.config';
import { FeatureDrift, MonitoringQuery } from '../monitoring-query.service';
import type { Touched } from './input-drift.recorder';

export interface DriftAlert {
  tenantId: string;
  modelId: string;
  model: string;
  version: number;
  feature: string;
  psi: number;
  windowStart: Date;
  windowEnd: Date;
}

/**
 * Where ALERTs go besides the log and the tenant's audit trail: MonitoringModule provides
 * DriftAlertMailer (the tenant's owners and admins by e-mail).
 */
export interface DriftAlertSink {
  alert(a: DriftAlert): Promise<void>;
}
export const DRIFT_ALERT_SINK = Symbol('DRIFT_ALERT_SINK');

/** After each flush: the drift of the versions that got inputs, over the current window; ALERTs raised once per window and column. */
@Injectable()
export class DriftAlerts {
  private readonly log = new Logger('DriftAlert');
  private readonly raised = new Set<string>();

  constructor(
    // Reads the version's model for the alert text; writes the system's audit event for that tenant.
    private readonly prisma: PrismaService,
    private readonly query: MonitoringQuery,
    private readonly audit: AuditService,
    @Inject(MONITORING_CONFIG) private readonly config: MonitoringConfig,
    @Optional() @Inject(DRIFT_ALERT_SINK) private readonly sink?: DriftAlertSink,
  ) {}

  async check(touched: Touched[]): Promise<void> {
    const windowMs = this.config.driftWindowMinutes * 60_000;
    const windowStart = new Date(Math.floor(Date.now() / windowMs) * windowMs);
    const windowEnd = new Date(windowStart.getTime() + windowMs);
    for (const t of touched) {
      const drift = await this.query.drift(t.tenantId, [{ id: t.versionId, version: null }], windowStart, windowEnd);
      const alerts = drift.filter((x) => x.status === 'ALERT' && x.observed >= this.config.driftAlertMinRows);
      for (const d of alerts) await this.raise(t, d, windowStart, windowEnd);
    }
    if (this.raised.size > 10_000) this.raised.clear();
  }

  private async raise(t: Touched, d: FeatureDrift, windowStart: Date, windowEnd: Date): Promise<void> {
    const key = `${t.tenantId}\u0000${t.versionId}\u0000${d.feature}\u0000${windowStart.getTime()}`;
    if (this.raised.has(key)) return;
    this.raised.add(key);
    // Once per window across replicas and restarts too: the audit trail says whether it was raised.
    // Unscoped on purpose: this system check runs for whichever tenant's version drifted.
    const already = await this.prisma.auditEvent.findFirst({
      where: {
        tenantId: t.tenantId,
        action: 'model.drift_alert',
        targetId: t.versionId,
        AND: [
          { metadata: { path: ['feature'], equals: d.feature } },
          { metadata: { path: ['windowStart'], equals: windowStart.toISOString() } },
        ],
      },
      select: { id: true },
    });
    if (already) return;
    const v = await this.prisma.modelVersion.findUnique({
      where: { id: t.versionId },
      select: { version: true, model: { select: { id: true, name: true } } },
    });
    if (!v) return;
    const alert: DriftAlert = {
      tenantId: t.tenantId,
      modelId: v.model.id,
      model: v.model.name,
      version: v.version,
      feature: d.feature,
      psi: d.psi,
      windowStart,
      windowEnd,
    };
    this.log.warn(
      `input drift ALERT: tenant ${t.tenantId} model ${alert.model} v${alert.version} column ${d.feature} PSI ${d.psi} (window from ${windowStart.toISOString()})`,
    );
    await this.audit.append(this.prisma, t.tenantId, {
      actor: { type: 'system', id: null },
      action: 'model.drift_alert',
      target: { type: 'model_version', id: t.versionId },
      metadata: {
        model: alert.model,
        version: alert.version,
        feature: d.feature,
        psi: d.psi,
        windowStart: windowStart.toISOString(),
      },
    });
    await this.sink?.alert(alert).catch((e) => this.log.warn(`drift alert not delivered: ${(e as Error).message}`));
  }
}
