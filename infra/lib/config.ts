import { App } from 'aws-cdk-lib';

/**
 * Deployment settings. Every value can be overridden with `cdk ... -c maas:<name>=<value>`
 * so that one app serves staging and production without code changes.
 */
export interface PlatformConfig {
  /** Stack name prefix. */
  readonly prefix: string;
  readonly account?: string;
  readonly region: string;
  /** Tag of the api and worker images in the registry stack's ECR repositories. */
  readonly imageTag: string;
  readonly gpuInstanceType: string;
  readonly maxGpuInstances: number;
  readonly asyncWorkerMaxTasks: number;
  /** Real-time inference tasks kept warm; 0 lets the GPU fleet sleep when idle (cold start on first call). */
  readonly realtimeMinTasks: number;
  readonly realtimeMaxTasks: number;
  /** Longest async job the worker may run; the queue's visibility timeout is derived from it. */
  readonly longestJobSeconds: number;
  /** Object Lock (compliance mode) retention of audit exports. */
  readonly auditRetentionDays: number;
  /** How often the workers export each tenant's new audit events (so retention can purge them); 0: never. */
  readonly auditExportIntervalMinutes: number;
  readonly dbMaxAcu: number;
  /** Seconds of inactivity before Aurora pauses at 0 ACU. */
  readonly dbAutoPauseSeconds: number;
  readonly apiRateLimitPerSecond: number;
  readonly apiBurstLimit: number;
  /** WAF rate rule: requests per client IP per 5-minute window. */
  readonly wafRequestsPer5MinPerIp: number;
  readonly logRetentionDays: number;
  /**
   * Origins (comma-separated) whose pages may PUT to presigned artifact-bucket URLs: the portal's
   * domain. `*` (the default) allows any; the presigned signature, not CORS, is what guards the bucket.
   */
  readonly uploadCorsOrigins: string;
  readonly alarmEmail?: string;
  /** ACM certificate for the internal load balancer; with it the api reaches the worker over HTTPS. */
  readonly workerCertificateArn?: string;
}

export const DEFAULTS: PlatformConfig = {
  prefix: 'Maas',
  region: 'eu-west-1',
  imageTag: 'latest',
  gpuInstanceType: 'g5.xlarge',
  maxGpuInstances: 4,
  asyncWorkerMaxTasks: 4,
  realtimeMinTasks: 1,
  realtimeMaxTasks: 2,
  longestJobSeconds: 900,
  auditRetentionDays: 365,
  auditExportIntervalMinutes: 1440,
  dbMaxAcu: 8,
  dbAutoPauseSeconds: 600,
  apiRateLimitPerSecond: 200,
  apiBurstLimit: 400,
  wafRequestsPer5MinPerIp: 2000,
  logRetentionDays: 30,
  uploadCorsOrigins: '*',
};

const NUMERIC: ReadonlyArray<keyof PlatformConfig> = [
  'maxGpuInstances',
  'asyncWorkerMaxTasks',
  'realtimeMinTasks',
  'realtimeMaxTasks',
  'longestJobSeconds',
  'auditRetentionDays',
  'auditExportIntervalMinutes',
  'dbMaxAcu',
  'dbAutoPauseSeconds',
  'apiRateLimitPerSecond',
  'apiBurstLimit',
  'wafRequestsPer5MinPerIp',
  'logRetentionDays',
];

/** Reads `maas:*` context over the defaults; numbers given on the command line arrive as strings. */
export function loadConfig(app: App, overrides: Partial<PlatformConfig> = {}): PlatformConfig {
  const merged: Record<string, unknown> = {
    ...DEFAULTS,
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION ?? DEFAULTS.region,
  };
  for (const key of Object.keys(DEFAULTS).concat(['account', 'alarmEmail', 'workerCertificateArn'])) {
    const value: unknown = app.node.tryGetContext(`maas:${key}`);
    if (value !== undefined && value !== '') merged[key] = value;
  }
  for (const key of NUMERIC) {
    const n = Number(merged[key]);
    if (!Number.isFinite(n) || n < 0) throw new Error(`maas:${key} must be a non-negative number`);
    merged[key] = n;
  }
  const config = { ...merged, ...overrides } as PlatformConfig;
  if (config.realtimeMaxTasks < 1 || config.realtimeMinTasks > config.realtimeMaxTasks) {
    throw new Error('maas:realtimeMinTasks must not exceed maas:realtimeMaxTasks (>= 1)');
  }
  return config;
}
