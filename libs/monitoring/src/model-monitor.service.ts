import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { MetricsService } from '@app/common';
import { Prisma, PrismaService } from '@app/db';
import { InputDriftRecorder } from './drift/input-drift.recorder';
import { DriftAlerts } from './drift/drift-alerts.service';
import { BUCKETS, bucketOf } from './latency-histogram';
import { ModelMetrics } from './model-metrics';
import { MONITORING_CONFIG, MonitoringConfig } from './monitoring.config';
import { PredictionObservation } from './prediction-observation';

interface MinuteTotals {
  tenantId: string;
  modelId: string;
  versionId: string;
  minute: number;
  calls: number;
  errors: number;
  instances: number;
  batchSizeSum: number;
  latencySumMs: number;
  buckets: number[];
  dirty: boolean;
}

const MINUTE = 60_000;

/**
 * Per-version call statistics. `record` is the one entry point of the prediction path: it only
 * adds to in-memory totals (and queues the inputs for drift), nothing awaits. A timer writes each
 * minute's totals as this process's row (writer), so replicas never contend for a row and a
 * query sums them.
 */
@Injectable()
export class ModelMonitor implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('ModelMonitor');
  /** Identifies this process's rows among the replicas'. */
  readonly writer = `${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly totals = new Map<string, MinuteTotals>();
  private readonly metrics: ModelMetrics;
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;

  constructor(
    // The flush writes rows of every tenant this process served: the unscoped client, one upsert per flush.
    private readonly prisma: PrismaService,
    private readonly drift: InputDriftRecorder,
    private readonly alerts: DriftAlerts,
    metrics: MetricsService,
    @Inject(MONITORING_CONFIG) private readonly config: MonitoringConfig,
  ) {
    this.metrics = new ModelMetrics(metrics, config.maxModelSeries);
  }

  onModuleInit(): void {
    if (!this.config.enabled) return;
    this.timer = setInterval(
      () => void this.flush().catch((e) => this.log.warn(`monitoring flush failed: ${(e as Error).message}`)),
      this.config.flushMs,
    );
    this.timer.unref();
  }

  // ModelsModule bootstraps first (MonitoringModule imports it): the catalog is seeded by now.
  async onApplicationBootstrap(): Promise<void> {
    await this.refreshCatalogIds().catch((e) => this.log.warn(`catalog model ids not read: ${(e as Error).message}`));
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch((e) => this.log.warn(`final monitoring flush failed: ${(e as Error).message}`));
  }

  record(o: PredictionObservation): void {
    if (!this.config.enabled) return;
    const minute = Math.floor(Date.now() / MINUTE) * MINUTE;
    const key = `${o.tenantId}\u0000${o.versionId}\u0000${minute}`;
    let t = this.totals.get(key);
    if (!t) {
      t = {
        tenantId: o.tenantId,
        modelId: o.modelId,
        versionId: o.versionId,
        minute,
        calls: 0,
        errors: 0,
        instances: 0,
        batchSizeSum: 0,
        latencySumMs: 0,
        buckets: new Array(BUCKETS).fill(0),
        dirty: true,
      };
      this.totals.set(key, t);
    }
    t.calls++;
    if (!o.ok) t.errors++;
    t.instances += o.instances;
    t.batchSizeSum += o.batchSize;
    t.latencySumMs += o.latencyMs;
    t.buckets[bucketOf(o.latencyMs)]++;
    t.dirty = true;
    this.metrics.observe(o);
    if (o.ok && o.inputs !== undefined) this.drift.queue(o.tenantId, o.versionId, minute, o.inputs);
  }

  /** Writes what is in memory; concurrent callers share one flush. */
  flush(): Promise<void> {
    this.flushing ??= this.writeAll().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async writeAll(): Promise<void> {
    if (!this.config.enabled) return;
    const current = Math.floor(Date.now() / MINUTE) * MINUTE;
    const dirty = [...this.totals.entries()].filter(([, t]) => t.dirty);
    for (const [, t] of dirty) t.dirty = false;
    try {
      if (dirty.length) await this.upsert(dirty.map(([, t]) => ({ ...t, buckets: [...t.buckets] })));
    } catch (e) {
      for (const [, t] of dirty) t.dirty = true;
      throw e;
    }
    // A past minute no longer changes (record stamps the time it is called): it is written for good.
    for (const [key, t] of this.totals) if (t.minute < current && !t.dirty) this.totals.delete(key);
    const touched = await this.drift.flush(this.writer);
    await this.refreshCatalogIds();
    await this.alerts.check(touched);
  }

  private async upsert(rows: MinuteTotals[]): Promise<void> {
    const values = rows.map(
      (t) => Prisma.sql`(${t.tenantId}, ${t.modelId}, ${t.versionId}, ${new Date(t.minute)}, ${this.writer},
      ${t.calls}, ${t.errors}, ${t.instances}, ${t.batchSizeSum}, ${t.latencySumMs}, ${t.buckets}::int[])`,
    );
    await this.prisma.$executeRaw`
      INSERT INTO model_metric_minutes ("tenantId", "modelId", "versionId", minute, writer, calls, errors, instances, "batchSizeSum", "latencySumMs", "latencyBuckets")
      VALUES ${Prisma.join(values)}
      ON CONFLICT ("tenantId", "versionId", minute, writer) DO UPDATE SET
        calls = EXCLUDED.calls, errors = EXCLUDED.errors, instances = EXCLUDED.instances, "batchSizeSum" = EXCLUDED."batchSizeSum",
        "latencySumMs" = EXCLUDED."latencySumMs", "latencyBuckets" = EXCLUDED."latencyBuckets"`;
  }

  private async refreshCatalogIds(): Promise<void> {
    if (this.metrics.catalogModelIds.size) return;
    // Catalog models are the rows without a tenant; read once, they only change at a new release.
    const rows = await this.prisma.model.findMany({ where: { tenantId: null }, select: { id: true } });
    for (const r of rows) this.metrics.catalogModelIds.add(r.id);
  }
}
