import { Args, Query, Resolver } from '@nestjs/graphql';
import { AppError } from '@app/common';
import { TenantPrisma } from '@app/db';
import { ModelError, ModelRegistry } from '@app/models';
import { CurrentTenant, RequirePermission } from '@app/auth';
import { ModelMonitoring } from './dto/model-monitoring.types';
import { ModelMonitor } from './model-monitor.service';
import { MonitoringQuery } from './monitoring-query.service';

const MAX_RANGE_MS = 31 * 24 * 3_600_000;

@Resolver()
export class MonitoringResolver {
  constructor(
    private readonly monitor: ModelMonitor,
    private readonly query: MonitoringQuery,
    private readonly registry: ModelRegistry,
    private readonly tenants: TenantPrisma,
  ) {}

  @RequirePermission('models:read')
  @Query(() => ModelMonitoring, {
    description: 'Your calls to a model (or one version) between from and to: counts, latency, drift',
  })
  async modelMonitoring(
    @CurrentTenant() tenantId: string,
    @Args('model') model: string,
    @Args('from') from: Date,
    @Args('to') to: Date,
    @Args('version', {
      type: () => String,
      nullable: true,
      description: 'A version number or an alias; all versions when omitted',
    })
    version?: string | null,
  ): Promise<ModelMonitoring> {
    if (!(to.getTime() > from.getTime())) throw AppError.badInput('to must be after from', { field: 'to' });
    if (to.getTime() - from.getTime() > MAX_RANGE_MS)
      throw AppError.badInput('the range is at most 31 days', { field: 'from' });
    const found = await this.registry.findModel(tenantId, model);
    const db = this.tenants.forTenant(tenantId);
    const all = await db.modelVersion.findMany({ where: { modelId: found.id }, select: { id: true, version: true } });
    let versions = all;
    if (version) {
      const alias = /^\d{1,9}$/.test(version)
        ? null
        : await db.modelAlias.findFirst({ where: { modelId: found.id, name: version } });
      versions = all.filter((v) => (alias ? v.id === alias.versionId : v.version === Number(version)));
      if (!versions.length) throw ModelError.versionNotFound(model, version);
    }
    // This process's latest minute is still in memory: written first, so the answer includes it.
    await this.monitor.flush();
    const ids = version ? versions.map((v) => v.id) : null;
    const [stats, drift] = await Promise.all([
      this.query.stats(tenantId, found.id, ids, from, to),
      this.query.drift(tenantId, versions, from, to),
    ]);
    return { ...stats, drift };
  }
}
