import { z } from 'zod';

const schema = z.object({
  // Off: ModelMonitor.record does nothing (the benchmark's baseline; an operator's escape hatch).
  MONITORING_ENABLED: z.enum(['true', 'false']).default('true'),
  // How often a process writes its per-minute rows; modelMonitoring also flushes before it reads.
  MONITORING_FLUSH_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  // Rows of the first calls that become an uploaded version's input baseline.
  MONITORING_BASELINE_ROWS: z.coerce.number().int().min(20).max(100_000).default(200),
  // The drift window an ALERT is raised over (and at most once per window, per column).
  DRIFT_WINDOW_MINUTES: z.coerce.number().int().min(1).max(1_440).default(60),
  // Values a column needs in the window before its ALERT is raised (PSI over a handful of calls is noise).
  DRIFT_ALERT_MIN_ROWS: z.coerce.number().int().min(1).max(1_000_000).default(100),
  // Distinct (model, tenant, version) label sets on /metrics; the rest share model="other".
  MONITORING_MAX_MODEL_SERIES: z.coerce.number().int().min(1).max(10_000).default(100),
});

export interface MonitoringConfig {
  enabled: boolean;
  flushMs: number;
  baselineRows: number;
  driftWindowMinutes: number;
  driftAlertMinRows: number;
  maxModelSeries: number;
}

export const MONITORING_CONFIG = Symbol('MONITORING_CONFIG');

export function monitoringConfigFromEnv(env: NodeJS.ProcessEnv = process.env): MonitoringConfig {
  const c = schema.parse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')));
  return {
    enabled: c.MONITORING_ENABLED === 'true',
    flushMs: c.MONITORING_FLUSH_MS,
    baselineRows: c.MONITORING_BASELINE_ROWS,
    driftWindowMinutes: c.DRIFT_WINDOW_MINUTES,
    driftAlertMinRows: c.DRIFT_ALERT_MIN_ROWS,
    maxModelSeries: c.MONITORING_MAX_MODEL_SERIES,
  };
}
