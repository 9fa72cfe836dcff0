import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '@app/common';
import { loadAuditConfig } from '@app/audit';
import { modelsConfigFromEnv } from '@app/models';
import { loadQueueConfig } from '@app/queue';
import { ECS_ENTRYPOINT_PRODUCES, LAMBDA_BOOTSTRAP_PRODUCES } from '../lib/runtime-env';
import { ComputeUnit, computeUnitsOf, contractProblems, effectiveEnvironment } from './config-contract';
import { synthPlatform } from './platform.fixture';

const { platform } = synthPlatform();
const units = computeUnitsOf(platform.stacks);

describe('configuration contract: what infra sets is what the libraries read', () => {
  it('finds the api function and the worker and migration containers', () => {
    expect(units.filter((u) => u.kind === 'lambda')).toHaveLength(1);
    // realtime + async workers, and the migration task.
    expect(units.filter((u) => u.kind === 'ecs').length).toBeGreaterThanOrEqual(3);
  });

  it.each(units.map((u) => [u.name, u] as const))('%s keeps the contract', (_name, unit: ComputeUnit) => {
    expect(contractProblems(unit)).toEqual([]);
    // The loaders' own cross-field rules (e.g. ARTIFACT_STORE=s3 needs a bucket) accept it too.
    const env = effectiveEnvironment(unit);
    const app = loadConfig(env);
    expect(app.isProduction).toBe(true);
    expect(modelsConfigFromEnv(env)).toMatchObject({ store: 's3', uploadSigningSecret: expect.any(String) });
    expect(loadAuditConfig(app, env).AUDIT_EXPORT_S3_BUCKET).toEqual(expect.any(String));
    expect(loadQueueConfig(env).driver).toBe('sqs');
  });

  it('workers say which service they are: the real-time one takes no jobs', () => {
    const modes = units
      .filter((u) => u.kind === 'ecs' && 'WORKER_MODE' in u.environment)
      .map((u) => loadQueueConfig(effectiveEnvironment(u)).WORKER_MODE);
    expect(modes.sort()).toEqual(['async', 'realtime']);
  });

  it('the workers export the audit log on a daily schedule (so retention can purge), the api does not need to', () => {
    const workers = units.filter((u) => u.kind === 'ecs' && 'WORKER_MODE' in u.environment);
    expect(workers.length).toBeGreaterThan(0);
    for (const w of workers) {
      const env = effectiveEnvironment(w);
      expect(loadAuditConfig(loadConfig(env), env).AUDIT_EXPORT_INTERVAL_MS).toBe(86_400_000);
    }
  });

  it('catches a misspelt, an unread and a missing variable', () => {
    const api = units.find((u) => u.kind === 'lambda')!;
    const {
      AUDIT_EXPORT_S3_BUCKET: _bucket,
      UPLOAD_SIGNING_SECRET_ARN: _upload,
      DEVICE_COOKIE_SECRET_ARN: _device,
      ...rest
    } = api.environment;
    const broken: ComputeUnit = {
      ...api,
      environment: { ...rest, AUDIT_EXPORT_BUCKET: 'audit', JOB_TIMEOUT_SECONDS: '900', QUEUE_DRIVER: 'sqs-fifo' },
    };
    expect(contractProblems(broken)).toEqual(
      expect.arrayContaining([
        'AUDIT_EXPORT_BUCKET is set but no library reads it',
        'JOB_TIMEOUT_SECONDS is set but no library reads it',
        'AUDIT_EXPORT_S3_BUCKET (audit) is required in production but not set',
        'UPLOAD_SIGNING_SECRET (models) is required in production but not set',
        'AUTH_DEVICE_COOKIE_SECRET (accounts) is required in production but not set',
        expect.stringMatching(/^QUEUE_DRIVER \(queue\): /),
      ]),
    );
  });

  it("the images' start-up scripts produce what the contract assumes", () => {
    const bootstrap = readFileSync(path.join(__dirname, '../runtime/lambda-secrets-bootstrap.js'), 'utf8');
    for (const [arn, outputs] of Object.entries(LAMBDA_BOOTSTRAP_PRODUCES)) {
      expect(bootstrap).toContain(`env.${arn}`);
      for (const o of outputs) expect(bootstrap).toMatch(new RegExp(`env\\.${o} = `));
    }
    const entrypoint = readFileSync(path.join(__dirname, '../runtime/container-entrypoint.sh'), 'utf8');
    for (const [output, inputs] of Object.entries(ECS_ENTRYPOINT_PRODUCES)) {
      expect(entrypoint).toContain(`export ${output}`);
      for (const i of inputs) expect(entrypoint).toContain(`\${${i}}`);
    }
  });
});
