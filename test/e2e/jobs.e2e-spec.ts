import http from 'node:http';
import { AddressInfo } from 'node:net';
import { needsPostgres } from '../support/database';
import { TestApp, createKey, gql, signUp, startTestApp } from '../support/test-app';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { verifyWebhookSignature } from '@app/jobs';

const d = needsPostgres('jobs e2e') ? describe : describe.skip;

const JOB_FIELDS = `id status progress { done total } outputs error model version webhookSecret createdAt finishedAt`;
const SUBMIT = `mutation($i: SubmitInferenceJobInput!) { submitInferenceJob(input: $i) { ${JOB_FIELDS} } }`;
const GET = `query($id: ID!) { inferenceJob(id: $id) { ${JOB_FIELDS} } }`;
const CANCEL = `mutation($id: ID!) { cancelInferenceJob(id: $id) { id status } }`;
const SETOSA = [5.1, 3.5, 1.4, 0.2];
const VIRGINICA = [6.7, 3.0, 5.2, 2.3];

d('async inference jobs (embedded: in-process queue, the api consumes)', () => {
  let t: TestApp;
  let key: string;
  let otherKey: string;
  let tenantId: string;
  let receiver: http.Server;
  const hooks: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  let failFirst = 0;

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (failFirst > 0) {
          failFirst--;
          res.writeHead(503).end();
          return;
        }
        hooks.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    t = await startTestApp({
      QUEUE_DRIVER: 'inprocess',
      JOB_CHUNK_SIZE: '4',
      JOB_MAX_INSTANCES: '50',
      ALLOW_PRIVATE_WEBHOOKS: '1',
      WEBHOOK_BACKOFF_MS: '50',
      JOB_SWEEP_INTERVAL_MS: '500',
    });
    const s = await signUp(t.http, 'Jobs');
    tenantId = s.tenantId;
    key = (await createKey(t.http, s, ['inference:run'])).secret;
    otherKey = (await createKey(t.http, await signUp(t.http, 'Other'), ['inference:run'])).secret;
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    receiver?.close();
  });

  const waitFor = async (id: string, done: (j: { status: string }) => boolean, k = key) => {
    for (let i = 0; i < 300; i++) {
      const j = (await gql(t.http, GET, { id }, { key: k })).body.data.inferenceJob;
      if (done(j)) return j;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`job ${id} did not get there`);
  };
  const finished = (j: { status: string }) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(j.status);

  it('runs a job of many instances in chunks: outputs in order, usage once, audit submit + complete', async () => {
    const instances = Array.from({ length: 10 }, (_, i) => (i % 2 ? { features: VIRGINICA } : SETOSA));
    const res = await gql(t.http, SUBMIT, { i: { model: 'iris', instances } }, { key });
    expect(res.body.errors).toBeUndefined();
    const job = res.body.data.submitInferenceJob;
    expect(job).toMatchObject({ model: 'iris', version: 1, progress: { total: 10 }, webhookSecret: null });
    expect(job.id).toMatch(/^job_/);
    const end = await waitFor(job.id, finished);
    expect(end.status).toBe('SUCCEEDED');
    expect(end.progress).toEqual({ done: 10, total: 10 });
    expect(end.outputs).toHaveLength(10);
    expect(end.outputs[0].labelled[0].label).toBe('setosa');
    expect(end.outputs[1].labelled[0].label).toBe('virginica');
    expect(end.finishedAt).toBeTruthy();
    const usage = (
      await t.sql.query(`select units, instances, "jobId" from usage_records where "idempotencyKey" = $1`, [job.id])
    ).rows;
    expect(usage).toEqual([{ units: '10', instances: 10, jobId: job.id }]);
    const audits = (
      await t.sql.query(`select action, metadata from audit_events where "targetId" = $1 order by seq`, [job.id])
    ).rows;
    expect(audits.map((a) => a.action)).toEqual(['job.submit', 'job.complete']);
    expect(audits[1].metadata).toMatchObject({ status: 'SUCCEEDED', units: 10, done: 10 });
    expect(audits[1].metadata.outputSha256).toMatch(/^[0-9a-f]{64}$/);
    const list = await gql(
      t.http,
      `{ inferenceJobs(first: 5) { totalCount edges { node { id status } } } }`,
      {},
      { key },
    );
    expect(list.body.data.inferenceJobs.edges[0].node).toEqual({ id: job.id, status: 'SUCCEEDED' });
  });

  it('signs the webhook (secret shown once at submit) and retries it after a failure', async () => {
    failFirst = 1;
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const res = await gql(t.http, SUBMIT, { i: { model: 'iris', instances: [SETOSA], webhookUrl: url } }, { key });
    const { id, webhookSecret } = res.body.data.submitInferenceJob;
    expect(webhookSecret).toMatch(/^whsec_/);
    await waitFor(id, finished);
    for (let i = 0; i < 100 && !hooks.length; i++) await new Promise((r) => setTimeout(r, 50));
    expect(hooks).toHaveLength(1);
    const [hook] = hooks;
    // Standard Webhooks, verified with the reference library as a customer would.
    expect(webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(new Webhook(webhookSecret).verify(hook.body, hook.headers as Record<string, string>)).toMatchObject({
      job: { id },
    });
    expect(() =>
      new Webhook(`whsec_${Buffer.alloc(24, 7).toString('base64')}`).verify(
        hook.body,
        hook.headers as Record<string, string>,
      ),
    ).toThrow(WebhookVerificationError);
    expect(() =>
      new Webhook(webhookSecret).verify(
        hook.body.replace('SUCCEEDED', 'FAILED'),
        hook.headers as Record<string, string>,
      ),
    ).toThrow(WebhookVerificationError);
    expect(hook.headers['webhook-id']).toBe(`msg_${id}`);
    // The deprecated header, still sent for one release.
    expect(verifyWebhookSignature(webhookSecret, hook.body, String(hook.headers['x-mas-signature']))).toBe(true);
    expect(verifyWebhookSignature('whsec_wrong', hook.body, String(hook.headers['x-mas-signature']))).toBe(false);
    expect(JSON.parse(hook.body)).toMatchObject({
      type: 'inference_job.succeeded',
      job: { id, status: 'SUCCEEDED', progress: { done: 1, total: 1 } },
    });
    expect(hook.headers['x-mas-delivery']).toBe(`${id}.2`);
    expect((await gql(t.http, GET, { id }, { key })).body.data.inferenceJob.webhookSecret).toBeNull();
  });

  it('refuses bad input at submit: unknown model, too many instances, wrong shape, bad webhook URL', async () => {
    const code = async (i: Record<string, unknown>) =>
      (await gql(t.http, SUBMIT, { i }, { key })).body.errors?.[0]?.extensions;
    expect(await code({ model: 'no-such-model', instances: [SETOSA] })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await code({ model: 'iris', instances: Array(51).fill(SETOSA) })).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'TOO_MANY_INSTANCES',
    });
    expect(await code({ model: 'iris', instances: [] })).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'NO_INSTANCES',
    });
    const shape = await code({ model: 'iris', instances: [SETOSA, [1, 2, 3]] });
    expect(shape).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_INSTANCE' });
    expect(shape.details).toMatchObject({ index: 1 });
    expect(await code({ model: 'iris', instances: [SETOSA], webhookUrl: 'ftp://example.com/x' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'INVALID_WEBHOOK_URL',
    });
    expect(
      Number(
        (
          await t.sql.query(`select count(*) from inference_jobs where "tenantId" = $1 and total in (0, 2, 51)`, [
            tenantId,
          ])
        ).rows[0].count,
      ),
    ).toBe(0);
  });

  it("another tenant's job is NOT_FOUND for read and cancel; cancelling a finished job is CONFLICT", async () => {
    const { id } = (await gql(t.http, SUBMIT, { i: { model: 'iris', instances: [SETOSA] } }, { key })).body.data
      .submitInferenceJob;
    expect((await gql(t.http, GET, { id }, { key: otherKey })).body.errors[0].extensions.code).toBe('NOT_FOUND');
    expect((await gql(t.http, CANCEL, { id }, { key: otherKey })).body.errors[0].extensions.code).toBe('NOT_FOUND');
    await waitFor(id, finished);
    expect((await gql(t.http, CANCEL, { id }, { key })).body.errors[0].extensions).toMatchObject({
      code: 'CONFLICT',
      reason: 'JOB_FINISHED',
    });
  });

  it('cancels a queued job at once: nothing billed, quota hold released, audited', async () => {
    // A job row that no consumer has taken yet (inserted like submit does, without a message).
    const { id: done } = (await gql(t.http, SUBMIT, { i: { model: 'iris', instances: [SETOSA] } }, { key })).body.data
      .submitInferenceJob;
    await waitFor(done, finished);
    const id = `job_cancel${Date.now()}`;
    await t.sql.query(
      `insert into inference_jobs (id, "tenantId", "modelVersionId", total, instances, "lockedUntil") select $1, "tenantId", "modelVersionId", 1, instances, now() + interval '1 hour' from inference_jobs where id = $2`,
      [id, done],
    );
    const res = await gql(t.http, CANCEL, { id }, { key });
    expect(res.body.data.cancelInferenceJob).toEqual({ id, status: 'CANCELLED' });
    expect(
      Number((await t.sql.query(`select count(*) from usage_records where "jobId" = $1`, [id])).rows[0].count),
    ).toBe(0);
    expect((await t.sql.query(`select action from audit_events where "targetId" = $1`, [id])).rows).toEqual([
      { action: 'job.cancel' },
    ]);
  });
});
