import { Module } from '@nestjs/common';
import { MailModule } from '@app/mail';
import { ModelsModule } from '@app/models';
import { DriftAlertMailer } from './drift/drift-alert-mailer';
import { BaselineStore } from './drift/baseline.store';
import { DRIFT_ALERT_SINK, DriftAlerts } from './drift/drift-alerts.service';
import { InputDriftRecorder } from './drift/input-drift.recorder';
import { ModelMonitor } from './model-monitor.service';
import { MONITORING_CONFIG, monitoringConfigFromEnv } from './monitoring.config';
import { MonitoringQuery } from './monitoring-query.service';
import { MonitoringResolver } from './monitoring.resolver';

/** Per-model monitoring: call statistics, latency histograms, input drift; the modelMonitoring query. */
@Module({
  imports: [ModelsModule, MailModule],
  providers: [
    { provide: MONITORING_CONFIG, useFactory: () => monitoringConfigFromEnv() },
    ModelMonitor,
    InputDriftRecorder,
    BaselineStore,
    DriftAlerts,
    { provide: DRIFT_ALERT_SINK, useClass: DriftAlertMailer },
    MonitoringQuery,
    MonitoringResolver,
  ],
  exports: [ModelMonitor, BaselineStore],
})
export class MonitoringModule {}
