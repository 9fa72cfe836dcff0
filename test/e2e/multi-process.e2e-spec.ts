import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { Client } from 'pg';
import { createTestDatabase, needsPostgres, needsRedis, TestDatabase } from '../support/database';
import { DENSE_SIGNATURE, layersArtifact } from '../support/layers-artifact';
import { S3Server, startS3Server } from '../support/s3-server';
import { testRedisUrl } from '../support/services';
import {
  API_MAIN,
  Proxy,
  ServiceProcess,
  WORKER_MAIN,
  startBuilt,
  startRoundRobinProxy,
} from '../support/stack-processes';
import { ACCOUNT_TEST_DEFAULTS, STRONG_PASSWORD, uniqueEmail } from '../support/test-app';

/**
 * Production minus AWS: two api processes and two worker processes started from dist/ with
 * NODE_ENV=production, each with its own empty DATA_DIR (no shared disk), on PostgreSQL, Redis
 * with BullMQ, and s3rver as the bucket (artifacts, audit exports). A round-robin load balancer
 * stand-in is in front of the apis, another in front of the workers' internal ports (WORKER_URL),
 * and a third in front of s3rver records what was sent to the bucket (s3rver keeps no Object
 * Lock headers, so the recorder is where they are checked).
 */
const d = needsPostgres('multi-process e2e') && needsRedis('multi-process e2e') ? describe : describe.skip;

const SECRET = 'multi-process-worker-secret-0123456789';
const UPLOAD_SECRET = 'multi-process-upload-signing-secret-0123456789abcdef';
const QUEUE = `jobs-multiprocess-${process.pid}-${Date.now()}`;
const WAIT_MS = 30_000;
const X = [1, 2, 3];
const BIAS = 0.5;

type Auth = { key?: string; session?: { cookie: string; csrf: string } };

d('multi-process: two apis, two workers, no shared disk, S3 and BullMQ', () => {
  let db: TestDatabase;
  let pg: Client;
  let s3: S3Server;
  let bucket: Proxy;
  let lb: Proxy;
  let workerLb: Proxy;
  const apis: ServiceProcess[] = [];
  const workers: ServiceProcess[] = [];
  const dataDirs: string[] = [];
  let owner: { cookie: string; csrf: string; tenantId: string };
  let key: string;

  const outputs = () =>
    [...apis, ...workers].map((p) => `--- ${p.name} (pid ${p.child.pid}) ---\n${p.output().slice(-4000)}`).join('\n');

  const workerEnv: Record<string, Record<string, string>> = {};
  beforeAll(async () => {
    // As embedded-start does: a checkout that was never built is built once (the apps run from dist/).
    if (!existsSync(API_MAIN) || !existsSync(WORKER_MAIN))
      execFileSync('npm', ['run', '-s', 'build'], { cwd: path.resolve(__dirname, '../..'), stdio: 'inherit' });
    db = await createTestDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    s3 = await startS3Server(['artifacts', 'audit']);
    bucket = await startRoundRobinProxy(() => [s3.endpoint]);
    workerLb = await startRoundRobinProxy(() => workers.map((w) => w.url));
    const signingKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const common = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '4',
      REDIS_URL: testRedisUrl(),
      QUEUE_DRIVER: 'bullmq',
      QUEUE_NAME: QUEUE,
      ARTIFACT_STORE: 's3',
      ARTIFACT_BUCKET: 'artifacts',
      ARTIFACT_S3_ENDPOINT: bucket.url,
      ARTIFACT_S3_REGION: 'us-east-1',
      AUDIT_SIGNING_KEY: signingKey,
      AUDIT_EXPORT_S3_BUCKET: 'audit',
      AUDIT_EXPORT_S3_ENDPOINT: bucket.url,
      AUDIT_EXPORT_S3_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
      UPLOAD_SIGNING_SECRET: UPLOAD_SECRET,
      WORKER_SHARED_SECRET: SECRET,
      // Plain http behind the stand-in: cookies without Secure.
      COOKIE_SECURE: '0',
    };
    const dataDir = async (name: string) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), `mas-mp-${name}-`));
      dataDirs.push(dir);
      return dir;
    };
    for (const name of ['worker-1', 'worker-2']) {
      workerEnv[name] = {
        ...common,
        DATA_DIR: await dataDir(name),
        JOB_LEASE_MS: '1500',
        JOB_SWEEP_INTERVAL_MS: '300',
        JOB_CHUNK_SIZE: '1',
        JOB_CHUNK_PAUSE_MS: '150',
      };
      workers.push(await startBuilt(name, 'worker', workerEnv[name]));
    }
    for (const name of ['api-1', 'api-2']) {
      const dir = await dataDir(name);
      // PUBLIC_URL: the api's own address (links it hands out, such as audit export downloads).
      const api = await startBuilt(name, 'api', (url) => ({
        ...common,
        PUBLIC_URL: url,
        ...ACCOUNT_TEST_DEFAULTS,
        DATA_DIR: dir,
        JOBS_CONSUME: '0',
        WORKER_URL: workerLb.url,
        API_KEY_CACHE_TTL_MS: '60000',
      }));
      apis.push(api);
    }
    lb = await startRoundRobinProxy(() => apis.map((a) => a.url));
    try {
      // Each process builds the catalog in its own empty DATA_DIR: about a minute on a busy 2-core machine.
      await Promise.all([...apis, ...workers].map((p) => p.ready(150_000)));
    } catch (e) {
      throw new Error(`${(e as Error).message.slice(0, 2000)}\n${outputs()}`, { cause: e });
    }
  }, 400_000);

  afterAll(async () => {
    await Promise.all([...apis, ...workers].map((p) => p.kill()));
    for (const p of [lb, workerLb, bucket]) await p?.close();
    const { BullMqQueue } = await import('@app/queue');
    await BullMqQueue.obliterate(testRedisUrl(), QUEUE).catch(() => undefined);
    await s3?.stop();
    await pg?.end();
    await db?.drop();
    for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
  }, 30_000);

  const call = async (base: string, query: string, variables: Record<string, unknown> = {}, auth: Auth = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (auth.key) headers.authorization = `Bearer ${auth.key}`;
    if (auth.session) Object.assign(headers, { cookie: auth.session.cookie, 'x-csrf-token': auth.session.csrf });
    const res = await fetch(`${base}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    return { res, body: (await res.json()) as any };
  };
  const ok = async (base: string, query: string, variables: Record<string, unknown> = {}, auth: Auth = {}) => {
    const { body } = await call(base, query, variables, auth);
    if (body.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(body.errors)}\n${outputs()}`);
    return body.data;
  };
  const count = async (sql: string, args: unknown[]) => Number((await pg.query(sql, args)).rows[0].count);
  const until = async <T>(fn: () => Promise<T>, done: (v: T) => boolean, what: string) => {
    const deadline = Date.now() + WAIT_MS;
    let v = await fn();
    while (!done(v)) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; last seen ${JSON.stringify(v)}\n${outputs()}`);
      await new Promise((r) => setTimeout(r, 100));
      v = await fn();
    }
    return v;
  };
  /** worker_realtime_predictions_total{outcome="ok"} of each worker, from its /metrics. */
  const servedByWorkers = () =>
    Promise.all(
      workers.map(async (w) => {
        const text = await (await fetch(`${w.url}/metrics`)).text();
        const m = /^worker_realtime_predictions_total\{outcome="ok"\} (\d+)/m.exec(text);
        return m ? Number(m[1]) : 0;
      }),
    );

  it('sign up and create a key through the load balancer, then see both apis serve it', async () => {
    const email = uniqueEmail('mp');
    const res = await fetch(`${lb.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `mutation($input: SignUpInput!) { signUp(input: $input) { tenant { id } } }`,
        variables: { input: { email, password: STRONG_PASSWORD, tenantName: 'MultiProcess' } },
      }),
    });
    const body = (await res.json()) as any;
    expect(body.errors).toBeUndefined();
    const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
    const csrf = cookies.find((c) => c.startsWith('csrf_token='))!.slice('csrf_token='.length);
    owner = { cookie: cookies.join('; '), csrf, tenantId: body.data.signUp.tenant.id };
    const created = await ok(
      lb.url,
      `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`,
      { input: { name: 'mp', scopes: ['inference:run', 'models:read', 'models:write'] } },
      { session: owner },
    );
    key = created.createApiKey.secret;
    // Each api answers for the key (the session and the key are in the database, not a process).
    for (const api of apis)
      expect((await ok(api.url, `{ tenant { id } }`, {}, { key })).tenant.id).toBe(owner.tenantId);
    // The load balancer really alternated.
    expect(new Set(lb.requests.map((r) => r.upstream))).toEqual(new Set(apis.map((a) => a.url)));
  });

  it('uploads a model through createModelUpload, publishes it, and predicts on the workers: effects once per request', async () => {
    await ok(
      lb.url,
      `mutation($i: CreateModelInput!) { createModel(input: $i) { name } }`,
      { i: { name: 'dense', task: 'tabular-regression' } },
      { key },
    );
    const [json, shard] = await layersArtifact(BIAS);
    const shardBytes = Buffer.from(shard!.contentBase64, 'base64');
    // In S3 mode the upload URL is a presigned PUT straight to the bucket: no api disk holds the
    // staged file, so the client sends no credentials and any api may publish it.
    const created = await ok(
      lb.url,
      `mutation($i: CreateModelUploadInput!) { createModelUpload(input: $i) { uploadUrl token headers { name value } } }`,
      { i: { model: 'dense', fileName: shard!.path, sizeBytes: shardBytes.length } },
      { key },
    );
    const upload = created.createModelUpload as {
      uploadUrl: string;
      token: string;
      headers: { name: string; value: string }[];
    };
    expect(apis.some((a) => new URL(a.url).host === new URL(upload.uploadUrl).host)).toBe(false);
    expect(new URL(upload.uploadUrl).searchParams.get('X-Amz-Signature')).toBeTruthy();
    const put = await fetch(upload.uploadUrl, {
      method: 'PUT',
      headers: Object.fromEntries(upload.headers.map((h) => [h.name, h.value])),
      body: shardBytes,
    });
    expect(put.status).toBeLessThan(300);
    const pub = await ok(
      lb.url,
      `mutation($i: PublishModelVersionInput!) { publishModelVersion(input: $i) { version status } }`,
      {
        i: {
          model: 'dense',
          format: 'layers',
          ...DENSE_SIGNATURE,
          files: [json],
          uploadTokens: [upload.token],
        },
      },
      { key },
    );
    expect(pub.publishModelVersion).toEqual({ version: 1, status: 'READY' });
    const row = (await pg.query(`select id, "artifactUri" from model_versions where "tenantId" = $1`, [owner.tenantId]))
      .rows[0] as { id: string; artifactUri: string };
    expect(row.artifactUri).toMatch(/^s3:\/\/artifacts\//);

    const before = await servedByWorkers();
    const n = 4;
    for (let i = 0; i < n; i++) {
      const p = await ok(
        lb.url,
        `mutation($i: PredictInput!) { predict(input: $i) { outputs usage { units } } }`,
        { i: { model: 'dense', inputs: { x: [X] } } },
        { key },
      );
      expect(p.predict.outputs.y[0][0]).toBeCloseTo(6 + BIAS, 4);
      expect(p.predict.usage).toEqual({ units: 1 });
    }
    const after = await servedByWorkers();
    // Every prediction ran on a worker (the worker LB alternates, so on both), none in an api.
    expect(after.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0)).toBe(n);
    expect(after.every((v, i) => v > before[i]!)).toBe(true);
    expect(
      await count(
        `select count(*) from usage_records where "tenantId" = $1 and "modelVersionId" = $2 and "jobId" is null`,
        [owner.tenantId, row.id],
      ),
    ).toBe(n);
    expect(
      await count(`select count(*) from audit_events where "tenantId" = $1 and action = 'inference.predict'`, [
        owner.tenantId,
      ]),
    ).toBe(n);
    // Each worker fetched the artifact into its own DATA_DIR; no api or worker shares one.
    expect(new Set(dataDirs).size).toBe(4);
    for (const w of [0, 1]) expect(await readdir(path.join(dataDirs[w]!, 'artifact-cache'))).not.toHaveLength(0);
  }, 60_000);

  const submit = async (instances: number) =>
    (
      await ok(
        lb.url,
        `mutation($i: SubmitInferenceJobInput!) { submitInferenceJob(input: $i) { id } }`,
        { i: { model: 'dense', instances: Array(instances).fill(X) } },
        { key },
      )
    ).submitInferenceJob.id as string;
  const jobRow = async (id: string) =>
    (
      await pg.query(
        `select status, done, total, attempts, "lockedBy", jsonb_array_length(coalesce(outputs, '[]')) as n from inference_jobs where id = $1`,
        [id],
      )
    ).rows[0];
  const effects = async (id: string) => ({
    usage: await count(`select count(*) from usage_records where "idempotencyKey" = $1`, [id]),
    completes: await count(`select count(*) from audit_events where "targetId" = $1 and action = 'job.complete'`, [id]),
  });

  it('an async job runs on a worker to completion; the result is read back through either api', async () => {
    const id = await submit(4);
    await until(
      async () =>
        (await ok(lb.url, `query($id: ID!) { inferenceJob(id: $id) { status } }`, { id }, { key })).inferenceJob,
      (j) => j.status === 'SUCCEEDED',
      'the job to finish',
    );
    for (const api of apis) {
      const j = (await ok(api.url, `query($id: ID!) { inferenceJob(id: $id) { status outputs } }`, { id }, { key }))
        .inferenceJob;
      expect(j.status).toBe('SUCCEEDED');
      expect(j.outputs).toHaveLength(4);
    }
    expect(await effects(id)).toEqual({ usage: 1, completes: 1 });
  }, 45_000);

  it('a key revoked on one api is refused on the other', async () => {
    const [a, b] = apis as [ServiceProcess, ServiceProcess];
    const k = (
      await ok(
        a.url,
        `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }`,
        { input: { name: 'to revoke', scopes: ['inference:run'] } },
        { session: owner },
      )
    ).createApiKey;
    // b has the key cached (API_KEY_CACHE_TTL_MS is a minute): only the broadcast can refuse it soon.
    expect((await ok(b.url, `{ tenant { id } }`, {}, { key: k.secret })).tenant.id).toBe(owner.tenantId);
    await ok(a.url, `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: k.apiKey.id }, { session: owner });
    const refused = await until(
      async () => (await call(b.url, `{ tenant { id } }`, {}, { key: k.secret })).body,
      (body) => body.errors?.[0]?.extensions?.reason === 'API_KEY_REVOKED',
      'the other api to refuse the revoked key',
    );
    expect(refused.data?.tenant ?? null).toBeNull();
  }, 45_000);

  it('exports the audit log to the bucket under Object Lock', async () => {
    const since = bucket.requests.length;
    const { exportAuditLog: e } = await ok(
      lb.url,
      `mutation { exportAuditLog { uri digestUri sha256 count } }`,
      {},
      { session: owner },
    );
    expect(e.count).toBeGreaterThan(0);
    const m = /^s3:\/\/audit\/(.+)$/.exec(e.uri);
    expect(m).not.toBeNull();
    const objectKey = m![1]!;
    const object = await s3.client.send(new GetObjectCommand({ Bucket: 'audit', Key: objectKey }));
    const bytes = Buffer.from(await object.Body!.transformToByteArray());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(e.sha256);
    await s3.client.send(new HeadObjectCommand({ Bucket: 'audit', Key: /^s3:\/\/audit\/(.+)$/.exec(e.digestUri)![1] }));
    // s3rver does not implement Object Lock; the headers the api sent are what a real bucket enforces.
    const puts = bucket.requests
      .slice(since)
      .filter((r) => r.method === 'PUT' && decodeURIComponent(r.url.split('?')[0]!).endsWith(`/audit/${objectKey}`));
    expect(puts).toHaveLength(1);
    expect(puts[0]!.headers['x-amz-object-lock-mode']).toBe('COMPLIANCE');
    const retainUntil = new Date(String(puts[0]!.headers['x-amz-object-lock-retain-until-date']));
    expect(retainUntil.getTime()).toBeGreaterThan(Date.now() + 365 * 86_400_000);
    expect(puts[0]!.headers['x-amz-checksum-sha256']).toBe(Buffer.from(e.sha256, 'hex').toString('base64'));
  }, 30_000);

  it('a worker SIGKILLed in the middle of a job and restarted: the other finishes it, effects once; the restarted one takes the next', async () => {
    const id = await submit(12);
    const mid = await until(
      () => jobRow(id),
      (j) => j?.status === 'RUNNING' && j.done >= 2,
      'a worker to make progress',
    );
    const pid = Number(String(mid.lockedBy).split(':')[1]);
    const holder = workers.find((w) => w.child.pid === pid);
    expect(holder).toBeDefined();
    await holder!.kill();
    expect((await jobRow(id)).done).toBeLessThan(12);
    // Restarted on its own DATA_DIR while the job is still being finished elsewhere.
    const restarting = startBuilt(holder!.name, 'worker', workerEnv[holder!.name]!);
    const end = await until(
      () => jobRow(id),
      (j) => j.status === 'SUCCEEDED',
      'the other worker to finish the job',
    );
    expect(end).toMatchObject({ done: 12, total: 12, n: 12, lockedBy: null });
    expect(end.attempts).toBeGreaterThanOrEqual(2);
    expect(await effects(id)).toEqual({ usage: 1, completes: 1 });
    const restarted = await restarting;
    await restarted.ready(150_000);
    workers[workers.indexOf(holder!)] = restarted;
    expect(await effects(id)).toEqual({ usage: 1, completes: 1 });
    // With the other worker gone, the next job can only run on the restarted one.
    const survivor = workers.find((w) => w !== restarted)!;
    await survivor.kill();
    const next = await submit(3);
    const done = await until(
      () => jobRow(next),
      (j) => j.status === 'SUCCEEDED',
      'the restarted worker to run the next job',
    );
    expect(done).toMatchObject({ done: 3, total: 3, n: 3 });
    expect(await effects(next)).toEqual({ usage: 1, completes: 1 });
  }, 240_000);
});
