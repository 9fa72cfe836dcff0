import { Counter, Histogram } from 'prom-client';
import { MetricsService } from '@app/common';
import { PredictionObservation } from './prediction-observation';

type Labels = 'model' | 'tenant' | 'version' | 'outcome';

/**
 * Per-model Prometheus series. Buckets, not summaries, so replicas add up. Label values come from
 * bounded sets: catalog model names (tenant ""), and tenants' models up to a cap, beyond which
 * every new model is counted as model="other".
 */
export class ModelMetrics {
  private readonly latency: Histogram<Labels>;
  private readonly instances: Counter<Labels>;
  private readonly seen = new Set<string>();
  readonly catalogModelIds = new Set<string>();

  constructor(
    metrics: MetricsService,
    private readonly maxSeries: number,
  ) {
    this.latency = metrics.histogram('model_inference_duration_seconds', 'Inference latency per model version', [
      'model',
      'tenant',
      'version',
      'outcome',
    ]);
    this.instances = metrics.counter('model_inference_instances_total', 'Rows answered per model version', [
      'model',
      'tenant',
      'version',
      'outcome',
    ]);
  }

  observe(o: PredictionObservation): void {
    const labels = this.labels(o);
    this.latency.observe(labels, o.latencyMs / 1000);
    if (o.instances) this.instances.inc(labels, o.instances);
  }

  private labels(o: PredictionObservation): Record<Labels, string> {
    const tenant = this.catalogModelIds.has(o.modelId) ? '' : o.tenantId;
    const outcome = o.ok ? 'ok' : 'error';
    const key = `${o.modelId}\u0000${tenant}\u0000${o.version}`;
    if (!this.seen.has(key)) {
      if (this.seen.size >= this.maxSeries) return { model: 'other', tenant: '', version: '', outcome };
      this.seen.add(key);
    }
    return { model: o.model, tenant, version: String(o.version), outcome };
  }
}
