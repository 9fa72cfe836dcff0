import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One Prometheus registry per process. Libraries register their own metrics on `registry`
 * (get-or-create by name, so two modules asking for the same metric share it).
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly graphqlOperations: Counter<'operation' | 'type' | 'outcome'>;
  readonly graphqlDuration: Histogram<'operation' | 'type'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.httpRequests = this.counter('http_requests_total', 'HTTP requests by route and status', [
      'method',
      'route',
      'status',
    ]);
    this.httpDuration = this.histogram('http_request_duration_seconds', 'HTTP request latency', [
      'method',
      'route',
      'status',
    ]);
    this.graphqlOperations = this.counter('graphql_operations_total', 'GraphQL operations by name and outcome', [
      'operation',
      'type',
      'outcome',
    ]);
    this.graphqlDuration = this.histogram('graphql_operation_duration_seconds', 'GraphQL operation latency', [
      'operation',
      'type',
    ]);
  }

  counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
    return (
      (this.registry.getSingleMetric(name) as Counter<L>) ??
      new Counter({ name, help, labelNames, registers: [this.registry] })
    );
  }

  gauge<L extends string>(name: string, help: string, labelNames: L[]): Gauge<L> {
    return (
      (this.registry.getSingleMetric(name) as Gauge<L>) ??
      new Gauge({ name, help, labelNames, registers: [this.registry] })
    );
  }

  histogram<L extends string>(name: string, help: string, labelNames: L[], buckets?: number[]): Histogram<L> {
    return (
      (this.registry.getSingleMetric(name) as Histogram<L>) ??
      new Histogram({
        name,
        help,
        labelNames,
        buckets: buckets ?? [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [this.registry],
      })
    );
  }
}
