import { Module } from '@nestjs/common';
import { PredictionModule } from '@app/inference/prediction';
import { BaselineStore } from './drift/baseline.store';
import { DriftAlerts } from './drift/drift-alerts.service';
import { InputDriftRecorder } from './drift/input-drift.recorder';
import { ModelMonitor } from './model-monitor.service';
import { MONITORING_CONFIG, monitoringConfigFromEnv } from './monitoring.config';
import { MonitoringQuery } from './monitoring-query.service';
import { MonitoringResolver } from './monitoring.resolver';
import { PredictionMonitorHook } from './prediction-monitor.hook';

/** Per-model monitoring: call statistics, latency histograms, input drift; the modelMonitoring query. */
@Module({
  imports: [PredictionModule],
  providers: [
    { provide: MONITORING_CONFIG, useFactory: () => monitoringConfigFromEnv() },
    ModelMonitor,
    InputDriftRecorder,
    BaselineStore,
    DriftAlerts,
    MonitoringQuery,
    MonitoringResolver,
    PredictionMonitorHook,
  ],
  exports: [ModelMonitor, BaselineStore],
})
export class MonitoringModule {}
