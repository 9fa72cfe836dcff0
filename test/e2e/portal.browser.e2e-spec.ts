import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SCREENSHOTS, launchChromium, needsChromium } from '../support/browser';
import { needsPostgres } from '../support/database';
import { DENSE_SIGNATURE, layersArtifact } from '../support/layers-artifact';
import { STRONG_PASSWORD, TestApp, startTestApp, uniqueEmail } from '../support/test-app';

const run = needsPostgres('portal browser e2e') && needsChromium('portal browser e2e');
const d = run ? describe : describe.skip;
const ROOT = path.join(__dirname, '../..');

/**
 * A customer's first session in the portal, in a real browser against the real app: sign up,
 * create a key, run iris in the playground, see the usage and the audit trail, revoke the key
 * and watch a call with it fail. Each step saves a screenshot under test-results/portal/.
 */
d('portal in a browser: the first-session journey', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  let secret = '';
  const email = uniqueEmail('portal');

  const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const go = async (link: string, heading: string) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  };
  const withKey = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as {
      data?: Record<string, unknown>;
      errors?: { message: string; extensions: { code: string } }[];
    };
  };

  beforeAll(async () => {
    execFileSync('npm', ['run', '-s', 'build:portal'], { cwd: ROOT, stdio: 'pipe', timeout: 240_000 });
    t = await startTestApp();
    // The journey makes more portal calls in a minute than the free plan's 60 per key (the model
    // page's playground alone makes a dozen): the limits are not what this file tests.
    await t.sql.query(`update plans set "requestsPerMinutePerKey" = 10000, "requestsPerMinutePerTenant" = 10000`);
    await t.app.listen(0, '127.0.0.1');
    const address = t.app.getHttpServer().address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
    // A script error in the page fails the step that caused it, with the browser's own message.
    page.on('pageerror', (err) => console.error(`page error: ${err.message}`));
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('serves the portal with the single-page fallback, and keeps API paths out of it', async () => {
    const deep = await fetch(`${base}/keys`);
    expect(deep.status).toBe(200);
    expect(deep.headers.get('content-type')).toMatch(/text\/html/);
    expect(deep.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await deep.text()).toContain('<div id="root">');
    const api = await fetch(`${base}/v2/no-such-route`);
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toMatch(/json/);
    expect((await fetch(`${base}/assets/missing-0000.js`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('signs up and lands on the dashboard', async () => {
    await page.goto(`${base}/signup`);
    await page.getByRole('heading', { name: 'Create your account' }).waitFor();
    await shot('01-sign-up');
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(STRONG_PASSWORD);
    await page.getByLabel('Organization name').fill('Portal Co');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await expect(page.getByRole('combobox', { name: 'Organization' }).inputValue()).resolves.toBeTruthy();
    await shot('02-dashboard-new');
  }, 60_000);

  it('shows a clear error for a weak password', async () => {
    const other = await browser.newPage();
    await other.goto(`${base}/signup`);
    await other.getByLabel('E-mail').fill(uniqueEmail('weak'));
    await other.getByLabel('Password').fill('aaaaaaaaaa');
    await other.getByLabel('Organization name').fill('Weak Co');
    await other.getByRole('button', { name: 'Sign up' }).click();
    await expect(other.getByRole('alert').textContent()).resolves.toMatch(/password too weak/);
    await other.screenshot({ path: path.join(SCREENSHOTS, '01b-sign-up-error.png'), fullPage: true });
    await other.close();
  }, 60_000);

  it('creates an API key and shows its secret once', async () => {
    await go('API keys', 'API keys');
    await page.getByLabel('Key name').fill('ci key');
    await page.getByRole('button', { name: 'Create key' }).click();
    secret = (await page.getByTestId('api-key-secret').textContent()) ?? '';
    expect(secret).toMatch(/^mk_live_[1-9A-HJ-NP-Za-km-z]+$/);
    await expect(page.getByRole('row', { name: /ci key/ }).textContent()).resolves.toContain('active');
    await shot('03-api-key-created');
    // The key works from outside the portal.
    const me = await withKey('{ tenant { name } }');
    expect(me.data?.tenant).toEqual({ name: 'Portal Co' });
  }, 60_000);

  it('runs iris in the playground and reads the predicted species', async () => {
    await go('Playground', 'Playground');
    await expect(page.getByLabel('Inputs (JSON)').inputValue()).resolves.toContain('5.1');
    await page.getByRole('button', { name: 'Run prediction' }).click();
    const top = page.getByTestId('top-classes').locator('li').first();
    await expect(top.textContent()).resolves.toMatch(/^setosa/);
    await expect(page.getByTestId('prediction-units').textContent()).resolves.toMatch(
      /^\d+ units? of your monthly quota/,
    );
    await expect(page.getByRole('region', { name: 'Call it from your code' }).textContent()).resolves.toContain(
      'Authorization: Bearer',
    );
    await shot('04-playground-iris');
    // The same call with the key, as the snippet shows it.
    const res = await withKey('mutation($i: PredictInput!) { predict(input: $i) { model version } }', {
      i: { model: 'iris', inputs: { features: [[6.7, 3.0, 5.2, 2.3]] } },
    });
    expect(res.errors).toBeUndefined();
  }, 60_000);

  /** GraphQL from inside the page, with its session cookie and CSRF token (as the portal sends it). */
  const inPage = (query: string, variables: Record<string, unknown> = {}) =>
    page.evaluate(
      `(async ([query, variables]) => {
        const csrf = decodeURIComponent((document.cookie.split('; ').find((c) => c.startsWith('csrf_token=')) ?? '').slice(11));
        const res = await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ query, variables }) });
        return res.json();
      })(${JSON.stringify([query, variables])})`,
    ) as Promise<{ data?: Record<string, any>; errors?: { message: string }[] }>;

  const runBoth = async () => {
    await page.getByRole('button', { name: 'Run on both' }).click();
    await page.getByTestId('server-latency').waitFor({ timeout: 60_000 });
  };

  it("runs a version on the server and in the browser (TF.js, from its download URL) side by side: iris's answers agree", async () => {
    await page.goto(`${base}/models/iris`);
    await page.getByRole('heading', { name: 'Playground: server and browser' }).waitFor();
    // Iris asks for its four measurements, the first flower of the data set filled in.
    await expect(page.getByLabel('Petal length (cm)').inputValue()).resolves.toBe('1.4');
    await page.getByLabel('Sepal length (cm)').fill('6.7');
    await runBoth();
    await page.getByTestId('browser-latency').waitFor({ timeout: 60_000 });
    const agreement = await page.getByTestId('agreement').textContent();
    expect(agreement).toMatch(/^The answers agree \(largest difference [\d.]+e[-+]\d+\)\.$/);
    const numbers = (text: string | null) => (text ?? '').match(/-?\d+\.\d{4}/g)?.map(Number) ?? [];
    const server = numbers(await page.getByTestId('server-answer').locator('.answer').textContent());
    const browserSide = numbers(await page.getByTestId('browser-answer').locator('.answer').textContent());
    expect(server).toHaveLength(3); // three species' probabilities
    expect(browserSide).toHaveLength(3);
    for (let i = 0; i < 3; i++) expect(Math.abs(server[i]! - browserSide[i]!)).toBeLessThanOrEqual(1e-3);
    expect(server.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    await expect(page.getByTestId('server-latency').textContent()).resolves.toMatch(/^[\d.]+ ms round trip/);
    await expect(page.getByTestId('browser-latency').textContent()).resolves.toMatch(
      /^[\d.]+ ms to run on \w+ \(first load \d+ ms\)/,
    );
    await shot('04b-model-playground-iris');
  }, 120_000);

  it("a tenant's own model runs in the browser too; with downloads switched off, the browser side says so", async () => {
    const files = await layersArtifact(2);
    expect(
      (await inPage(`mutation { createModel(input: { name: "edge-pg", task: "regression" }) { name } }`)).errors,
    ).toBeUndefined();
    const pub = await inPage(
      `mutation($i: PublishModelVersionInput!) { publishModelVersion(input: $i) { version status } }`,
      {
        i: { model: 'edge-pg', format: 'layers', pricingUnit: 'request', ...DENSE_SIGNATURE, files },
      },
    );
    expect(pub.errors).toBeUndefined();
    await page.goto(`${base}/models/edge-pg?version=1`);
    await page.getByRole('heading', { name: 'Playground: server and browser' }).waitFor();
    for (const [i, x] of ['1', '2', '3'].entries()) await page.getByLabel(`x[${i}]`).fill(x);
    await runBoth();
    await page.getByTestId('agreement').waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('agreement').textContent()).resolves.toMatch(/^The answers agree/);
    // Kernel of ones, bias 2: 1 + 2 + 3 + 2 on both sides.
    await expect(page.getByTestId('server-answer').locator('.answer').textContent()).resolves.toBe('[8.0000, 8.0000]');
    await expect(page.getByTestId('browser-answer').locator('.answer').textContent()).resolves.toBe('[8.0000, 8.0000]');

    const off = await inPage(`mutation { setModelDownloads(model: "edge-pg", enabled: false) { downloadsEnabled } }`);
    expect(off.data?.setModelDownloads).toEqual({ downloadsEnabled: false });
    await page.goto(`${base}/models/edge-pg`);
    await page.getByRole('heading', { name: 'Playground: server and browser' }).waitFor();
    for (const [i, x] of ['1', '1', '1'].entries()) await page.getByLabel(`x[${i}]`).fill(x);
    await runBoth();
    await expect(page.getByTestId('browser-answer').getByRole('status').textContent()).resolves.toBe(
      'Downloads of this model are switched off by its owner, so it cannot run in your browser.',
    );
    await expect(page.getByTestId('server-answer').locator('.answer').textContent()).resolves.toBe('[5.0000, 5.0000]');
    expect(await page.getByTestId('agreement').count()).toBe(0);
    await shot('04c-model-playground-downloads-off');
  }, 120_000);

  it('shows that usage on the dashboard', async () => {
    await go('Dashboard', 'Dashboard');
    await page.locator('.legend', { hasText: /iris: \d+ units/ }).waitFor();
    await expect(page.getByRole('progressbar', { name: 'Units used' }).getAttribute('aria-valuenow')).resolves.not.toBe(
      '0',
    );
    await shot('05-dashboard-usage');
    await page.getByRole('button', { name: 'By key' }).click();
    // Two series: the playground's call (the session, no key) and the call made with the key.
    await page.locator('.legend', { hasText: /ci key \(mk_live_\w+…\): \d+ units/ }).waitFor();
    await expect(page.locator('.legend').textContent()).resolves.toContain('portal (no key)');
    await shot('05b-dashboard-usage-by-key');
  }, 60_000);

  it('finds the key creation and the inference in the audit log, with a verified chain', async () => {
    await go('Audit log', 'Audit log');
    const table = page.getByRole('table');
    await expect(table.textContent()).resolves.toContain('api_key.create');
    await expect(table.textContent()).resolves.toContain('inference.predict');
    await expect(page.getByTestId('audit-verification').textContent()).resolves.toMatch(/^Verified/);
    await shot('06-audit-log');
    const [jsonl] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download (JSON Lines)' }).click(),
    ]);
    expect(jsonl.suggestedFilename()).toMatch(/^audit-.*\.jsonl$/);
    await page.getByLabel('Action').fill('inference.predict');
    await page.getByRole('button', { name: 'Apply filter' }).click();
    // Runs in the page (a string, so that this file needs no DOM types).
    await page.waitForFunction(
      `![...document.querySelectorAll('tbody tr td:nth-child(3)')].some((td) => td.textContent !== 'inference.predict')`,
    );
    await shot('06b-audit-log-filtered');
  }, 60_000);

  it('runs a batch job with live progress and offers its outputs', async () => {
    await go('Jobs', 'Jobs');
    await page.getByRole('button', { name: 'Submit job' }).click();
    await page.getByRole('row', { name: /succeeded/ }).waitFor({ timeout: 30_000 });
    await expect(page.getByRole('progressbar').first().getAttribute('aria-valuenow')).resolves.toBe('2');
    const [outputs] = await Promise.all([
      page.waitForEvent('download'),
      page
        .getByRole('button', { name: /^Download outputs of job/ })
        .first()
        .click(),
    ]);
    expect(outputs.suggestedFilename()).toMatch(/^job-.*-outputs\.json$/);
    await shot('09-jobs');
  }, 60_000);

  it('revokes the key; a call with it then fails', async () => {
    await go('API keys', 'API keys');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Revoke ci key' }).click();
    await page.getByRole('row', { name: /ci key.*revoked/ }).waitFor();
    await shot('07-api-key-revoked');
    const res = await withKey('{ tenant { name } }');
    expect(res.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
  }, 60_000);

  it('renders the other pages (screenshots for review)', async () => {
    for (const [link, heading, file] of [
      ['Models', 'Models', '08-models'],
      ['Organization', 'Organization', '11-organization'],
    ] as const) {
      await go(link, heading);
      await page.waitForLoadState('networkidle');
      await shot(file);
    }
    await go('Billing', 'Billing');
    // With Stripe off, the period's usage comes from the local ledger.
    await page
      .getByRole('region', { name: /local ledger/ })
      .getByText(/iris: \d+ requests/)
      .waitFor();
    await shot('10-billing');
    await page.goto(`${base}/models/iris`);
    await page.getByRole('heading', { level: 1, name: 'Model iris' }).waitFor();
    await page.waitForLoadState('networkidle');
    await shot('12-model-iris');
  }, 90_000);

  it('is usable on a narrow screen: the navigation folds into a menu', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(`${base}/`);
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).waitFor();
    await shot('13-narrow-menu');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
    await shot('14-narrow-keys');
  }, 60_000);
});
