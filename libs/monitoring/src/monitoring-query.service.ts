import { Injectable } from '@nestjs/common';
import { TenantPrisma } from '@app/db';
import { BaselineStore } from './drift/baseline.store';
import { DriftStatus, driftStatus, psiOf } from './drift/psi';
import { addBuckets, BUCKETS, quantileOf } from './latency-histogram';

export interface FeatureDrift {
  version: number | null;
  feature: string;
  psi: number;
  status: DriftStatus;
  observed: number;
}
export interface MinutePoint {
  at: Date;
  calls: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
}
export interface CallStats {
  calls: number;
  errors: number;
  instances: number;
  meanBatchSize: number | null;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  series: MinutePoint[];
}

/** Reads the per-minute rows back: sums across writers (replicas), percentiles from bucket sums, PSI per column. */
@Injectable()
export class MonitoringQuery {
  constructor(
    private readonly tenants: TenantPrisma,
    private readonly baselines: BaselineStore,
  ) {}

  async stats(
    tenantId: string,
    modelId: string,
    versionIds: string[] | null,
    from: Date,
    to: Date,
  ): Promise<CallStats> {
    const rows = await this.tenants.forTenant(tenantId).modelMetricMinute.findMany({
      where: { modelId, minute: { gte: from, lt: to }, ...(versionIds ? { versionId: { in: versionIds } } : {}) },
      orderBy: { minute: 'asc' },
    });
    const all = new Array(BUCKETS).fill(0);
    const byMinute = new Map<number, { calls: number; errors: number; buckets: number[] }>();
    let calls = 0,
      errors = 0,
      instances = 0,
      batchSum = 0;
    for (const r of rows) {
      calls += r.calls;
      errors += r.errors;
      instances += r.instances;
      batchSum += r.batchSizeSum;
      addBuckets(all, r.latencyBuckets);
      const m = byMinute.get(r.minute.getTime()) ?? { calls: 0, errors: 0, buckets: new Array(BUCKETS).fill(0) };
      m.calls += r.calls;
      m.errors += r.errors;
      addBuckets(m.buckets, r.latencyBuckets);
      byMinute.set(r.minute.getTime(), m);
    }
    return {
      calls,
      errors,
      instances,
      meanBatchSize: calls ? batchSum / calls : null,
      latencyMs: { p50: quantileOf(all, 0.5), p95: quantileOf(all, 0.95), p99: quantileOf(all, 0.99) },
      series: [...byMinute].map(([at, m]) => ({
        at: new Date(at),
        calls: m.calls,
        errors: m.errors,
        p50Ms: quantileOf(m.buckets, 0.5),
        p95Ms: quantileOf(m.buckets, 0.95),
      })),
    };
  }

  /** PSI of each baseline column over the window, for the tenant's own calls to these versions. */
  async drift(
    tenantId: string,
    versions: { id: string; version: number | null }[],
    from: Date,
    to: Date,
  ): Promise<FeatureDrift[]> {
    const out: FeatureDrift[] = [];
    for (const v of versions) {
      const baseline = await this.baselines.get(v.id);
      if (!baseline) continue;
      const rows = await this.tenants
        .forTenant(tenantId)
        .modelInputMinute.findMany({ where: { versionId: v.id, minute: { gte: from, lt: to } } });
      for (const f of baseline) {
        const counts = new Array(f.expected.length).fill(0);
        for (const r of rows) if (r.feature === f.feature) r.counts.forEach((n, i) => (counts[i] += n));
        const observed = counts.reduce((a, b) => a + b, 0);
        if (!observed) continue;
        const psi = Math.round(psiOf(f.expected, counts) * 10_000) / 10_000;
        out.push({ version: v.version, feature: f.feature, psi, status: driftStatus(psi), observed });
      }
    }
    return out;
  }
}
