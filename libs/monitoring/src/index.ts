/**
 * @app/monitoring: per-model call statistics and input drift (above models and inference).
 * - `ModelMonitor.record(observation)`: the one call the prediction path makes per call that
 *   reached a model version, success or failure; in memory only, written per minute off the path.
 * - `BaselineStore.fromColumns(...)`: records a version's input baseline (e.g. its training data).
 * - `DRIFT_ALERT_SINK`: where ALERTs go beyond log and audit (DriftAlertMailer: the tenant's owners and admins).
 * - GraphQL `modelMonitoring(model, version, from, to)`.
 */
export { MonitoringModule } from './monitoring.module';
export { ModelMonitor } from './model-monitor.service';
export { MONITORING_CONFIG } from './monitoring.config';
export type { MonitoringConfig } from './monitoring.config';
export type { PredictionObservation } from './prediction-observation';
export { BaselineStore } from './drift/baseline.store';
export { DRIFT_ALERT_SINK, DriftAlerts } from './drift/drift-alerts.service';
export type { DriftAlert, DriftAlertSink } from './drift/drift-alerts.service';
export { psiOf, baselineOf, driftStatus } from './drift/psi';
