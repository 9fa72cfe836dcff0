import { Queue } from 'bullmq';
import { needsPostgres, needsRedis } from '../support/database';
import { testRedisUrl } from '../support/services';
import { TestApp, createKey, gql, signUp, startTestApp } from '../support/test-app';
import { WorkerProcess, startWorkerProcess, stopWorkers } from '../support/worker-process';

const d = needsPostgres('worker e2e') && needsRedis('worker e2e') ? describe : describe.skip;

const SUBMIT = `mutation($i: SubmitInferenceJobInput!) { submitInferenceJob(input: $i) { id } }`;
const SETOSA = [5.1, 3.5, 1.4, 0.2];
const QUEUE = `jobs-worker-e2e-${process.pid}-${Date.now()}`;
// Each wait gives up well inside the test's own timeout, so a failure shows the workers' output
// instead of Jest's bare "Exceeded timeout".
const WAIT_MS = 25_000;

d('worker processes on BullMQ: killed worker, two workers, exactly-once effects', () => {
  let t: TestApp;
  let key: string;
  const children: WorkerProcess[] = [];
  // Everything a worker needs, given explicitly: the child does not inherit the api's test env.
  const env = () => ({
    DATABASE_URL: t.db.url,
    DATABASE_POOL_SIZE: '4',
    REDIS_URL: testRedisUrl(),
    QUEUE_DRIVER: 'bullmq',
    QUEUE_NAME: QUEUE,
    JOB_LEASE_MS: '1500',
    JOB_SWEEP_INTERVAL_MS: '300',
    JOB_CHUNK_SIZE: '1',
  });
  const worker = async (extra: Record<string, string> = {}) => {
    const w = await startWorkerProcess({ ...env(), ...extra });
    children.push(w);
    return w;
  };
  const outputs = () => children.map((c, i) => `--- worker ${i} (pid ${c.pid}) ---\n${c.output()}`).join('\n');

  beforeAll(async () => {
    t = await startTestApp({ REDIS_URL: testRedisUrl(), QUEUE_DRIVER: 'bullmq', QUEUE_NAME: QUEUE, JOBS_CONSUME: '0' });
    key = (await createKey(t.http, await signUp(t.http, 'Workers'), ['inference:run'])).secret;
  }, 120_000);
  afterAll(async () => {
    await stopWorkers(children);
    const { BullMqQueue } = await import('@app/queue');
    await BullMqQueue.obliterate(testRedisUrl(), QUEUE).catch(() => undefined);
    await t?.close();
  }, 30_000);

  const job = async (id: string) =>
    (
      await t.sql.query(
        `select status, done, total, attempts, "lockedBy", jsonb_array_length(coalesce(outputs, '[]')) as n from inference_jobs where id = $1`,
        [id],
      )
    ).rows[0];
  const until = async <T>(fn: () => Promise<T>, ok: (v: T) => boolean, what: string) => {
    const deadline = Date.now() + WAIT_MS;
    let v = await fn();
    while (!ok(v)) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; last seen ${JSON.stringify(v)}\n${outputs()}`);
      await new Promise((r) => setTimeout(r, 50));
      v = await fn();
    }
    return v;
  };
  const effects = async (id: string) => ({
    usage: Number(
      (await t.sql.query(`select count(*) from usage_records where "idempotencyKey" = $1`, [id])).rows[0].count,
    ),
    completes: Number(
      (await t.sql.query(`select count(*) from audit_events where "targetId" = $1 and action = 'job.complete'`, [id]))
        .rows[0].count,
    ),
  });
  const submit = async (n: number) => {
    const res = await gql(t.http, SUBMIT, { i: { model: 'iris', instances: Array(n).fill(SETOSA) } }, { key });
    if (res.body.errors) throw new Error(`submit failed: ${JSON.stringify(res.body.errors)}`);
    return res.body.data.submitInferenceJob.id as string;
  };

  it("a SIGKILLed worker's job is resumed by another from its last chunk; effects once", async () => {
    const a = await worker({ JOB_CHUNK_PAUSE_MS: '150' });
    await a.ready();
    const id = await submit(12);
    const mid = await until(
      () => job(id),
      (j) => j.status === 'RUNNING' && j.done >= 2,
      'worker A to make progress',
    );
    a.kill('SIGKILL');
    await a.exited();
    expect(mid.lockedBy).toBeTruthy();
    expect((await job(id)).done).toBeLessThan(12);

    const b = await worker();
    const end = await until(
      () => job(id),
      (j) => j.status === 'SUCCEEDED',
      'worker B to finish the job',
    );
    expect(end).toMatchObject({ done: 12, total: 12, n: 12, lockedBy: null });
    expect(end.attempts).toBeGreaterThanOrEqual(2);
    expect(await effects(id)).toEqual({ usage: 1, completes: 1 });

    b.kill('SIGTERM');
    expect(await b.exited()).toBe(0);
  }, 70_000);

  it('two workers and duplicate deliveries of the same job: result, usage and audit written once', async () => {
    const [w1, w2] = await Promise.all([worker({ JOB_CHUNK_PAUSE_MS: '30' }), worker({ JOB_CHUNK_PAUSE_MS: '30' })]);
    await Promise.all([w1.ready(), w2.ready()]);
    const id = await submit(8);
    const { BullMqQueue, BULLMQ_PREFIX } = await import('@app/queue');
    const q = new BullMqQueue(testRedisUrl(), QUEUE);
    // To see every duplicate handled. ('active' may still hold the message that the SIGKILLed
    // worker of the test before had, until BullMQ's stalled check hands it back.)
    const { hostname, port } = new URL(testRedisUrl());
    const counts = new Queue(QUEUE, {
      connection: { host: hostname, port: Number(port || 6379) },
      prefix: BULLMQ_PREFIX,
    });
    try {
      const completed = async () => (await counts.getJobCounts('completed')).completed ?? 0;
      const before = await completed();
      // Duplicates while it runs (both workers get copies) and after it has finished.
      for (let i = 0; i < 4; i++) await q.enqueue(id);
      await until(
        () => job(id),
        (j) => j.status === 'SUCCEEDED',
        'the job to finish',
      );
      for (let i = 0; i < 4; i++) await q.enqueue(id);
      // The api's own message plus 8 duplicates.
      await until(completed, (n) => n >= before + 9, 'all deliveries to be handled');
    } finally {
      await q.close();
      await counts.close();
    }
    expect(await job(id)).toMatchObject({ status: 'SUCCEEDED', done: 8, n: 8 });
    expect(await effects(id)).toEqual({ usage: 1, completes: 1 });
  }, 60_000);
});
