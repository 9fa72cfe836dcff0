import { Inject, Injectable, Logger } from '@nestjs/common';
import { Prisma, PrismaService } from '@app/db';
import { MONITORING_CONFIG, MonitoringConfig } from '../monitoring.config';
import { BaselineStore } from './baseline.store';
import { inputColumns } from './input-columns';
import { binOf, FeatureBaseline } from './psi';

interface Pending {
  tenantId: string;
  versionId: string;
  minute: number;
  inputs: unknown;
}
interface Counts {
  tenantId: string;
  versionId: string;
  minute: number;
  feature: string;
  counts: number[];
  dirty: boolean;
}
export interface Touched {
  tenantId: string;
  versionId: string;
}

const MAX_PENDING = 10_000;
const NO_BASELINE_RECHECK_MS = 60_000;

/**
 * Turns queued call inputs into per-minute bin counts against each version's baseline, off the
 * hot path (on the monitor's flush). A version without a baseline collects its first rows until
 * it has enough to make one.
 */
@Injectable()
export class InputDriftRecorder {
  private readonly log = new Logger('InputDrift');
  private pending: Pending[] = [];
  private dropped = 0;
  private readonly counts = new Map<string, Counts>();
  private readonly baselines = new Map<string, { features: FeatureBaseline[] | null; until: number }>();
  private readonly firstCalls = new Map<string, { tenantId: string; columns: Map<string, number[]> }>();

  constructor(
    // Flushes write rows of every tenant served by this process: the unscoped client.
    private readonly prisma: PrismaService,
    private readonly store: BaselineStore,
    @Inject(MONITORING_CONFIG) private readonly config: MonitoringConfig,
  ) {}

  queue(tenantId: string, versionId: string, minute: number, inputs: unknown): void {
    if (this.pending.length >= MAX_PENDING) {
      this.dropped++;
      return;
    }
    this.pending.push({ tenantId, versionId, minute, inputs });
  }

  /** Bins what was queued, writes the touched minutes; returns the versions that got new counts. */
  async flush(writer: string): Promise<Touched[]> {
    const batch = this.pending;
    this.pending = [];
    if (this.dropped) this.log.warn(`${this.dropped} calls' inputs not looked at for drift: the queue was full`);
    this.dropped = 0;
    const touched = new Map<string, Touched>();
    for (const p of batch) {
      const columns = inputColumns(p.inputs);
      if (!columns.size) continue;
      const baseline = await this.baselineOf(p.versionId);
      if (!baseline) {
        await this.collect(p.tenantId, p.versionId, columns);
        continue;
      }
      for (const f of baseline) {
        const values = columns.get(f.feature);
        if (!values) continue;
        const key = `${p.tenantId}\u0000${p.versionId}\u0000${p.minute}\u0000${f.feature}`;
        let c = this.counts.get(key);
        if (!c)
          this.counts.set(
            key,
            (c = {
              tenantId: p.tenantId,
              versionId: p.versionId,
              minute: p.minute,
              feature: f.feature,
              counts: new Array(f.expected.length).fill(0),
              dirty: true,
            }),
          );
        for (const v of values) c.counts[binOf(f.edges, v)]++;
        c.dirty = true;
        touched.set(`${p.tenantId}\u0000${p.versionId}`, { tenantId: p.tenantId, versionId: p.versionId });
      }
    }
    await this.write(writer);
    return [...touched.values()];
  }

  private async write(writer: string): Promise<void> {
    const dirty = [...this.counts.values()].filter((c) => c.dirty);
    if (dirty.length) {
      const values = dirty.map(
        (c) =>
          Prisma.sql`(${c.tenantId}, ${c.versionId}, ${new Date(c.minute)}, ${writer}, ${c.feature}, ${[...c.counts]}::int[])`,
      );
      await this.prisma.$executeRaw`
        INSERT INTO model_input_minutes ("tenantId", "versionId", minute, writer, feature, counts) VALUES ${Prisma.join(values)}
        ON CONFLICT ("tenantId", "versionId", minute, writer, feature) DO UPDATE SET counts = EXCLUDED.counts`;
      for (const c of dirty) c.dirty = false;
    }
    const current = Math.floor(Date.now() / 60_000) * 60_000;
    for (const [key, c] of this.counts) if (c.minute < current && !c.dirty) this.counts.delete(key);
  }

  private async baselineOf(versionId: string): Promise<FeatureBaseline[] | null> {
    const hit = this.baselines.get(versionId);
    if (hit && (hit.features || hit.until > Date.now())) return hit.features;
    const features = await this.store.get(versionId);
    this.baselines.set(versionId, { features, until: Date.now() + NO_BASELINE_RECHECK_MS });
    return features;
  }

  private async collect(tenantId: string, versionId: string, columns: Map<string, number[]>): Promise<void> {
    let acc = this.firstCalls.get(versionId);
    if (!acc) {
      // Only a tenant's own version learns from its calls: a catalog version's baseline is shared
      // by every tenant, so it comes from data shipped with it, never from one tenant's inputs.
      const row = await this.prisma.modelVersion.findUnique({ where: { id: versionId }, select: { tenantId: true } });
      if (row?.tenantId !== tenantId) {
        this.baselines.set(versionId, { features: null, until: Date.now() + NO_BASELINE_RECHECK_MS });
        return;
      }
      this.firstCalls.set(versionId, (acc = { tenantId, columns: new Map() }));
    }
    for (const [feature, values] of columns)
      (acc.columns.get(feature) ?? acc.columns.set(feature, []).get(feature)!).push(...values);
    const rows = Math.max(...[...acc.columns.values()].map((v) => v.length));
    if (rows < this.config.baselineRows) return;
    this.firstCalls.delete(versionId);
    const features = await this.store.fromColumns(versionId, tenantId, 'first-calls', acc.columns);
    this.baselines.set(versionId, { features, until: Infinity });
  }
}
