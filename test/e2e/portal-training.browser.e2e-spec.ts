import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SCREENSHOTS, launchChromium, needsChromium } from '../support/browser';
import { needsPostgres } from '../support/database';
import { irisCsv } from '../support/public-datasets';
import { STRONG_PASSWORD, TestApp, startTestApp, uniqueEmail } from '../support/test-app';

const run = needsPostgres('portal training browser e2e') && needsChromium('portal training browser e2e');
const d = run ? describe : describe.skip;
const ROOT = path.join(__dirname, '../..');

/**
 * The model lifecycle in the portal, in a real browser against the real app: upload Iris as a
 * CSV file (signed URL, progress bar), see its typed columns, train, watch the loss curve, then
 * evaluate the version and quantise it, comparing the versions side by side.
 */
d('portal in a browser: datasets, training and versions', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    execFileSync('npm', ['run', '-s', 'build:portal'], { cwd: ROOT, stdio: 'pipe', timeout: 240_000 });
    t = await startTestApp({ QUEUE_DRIVER: 'inprocess' });
    await t.app.listen(0, '127.0.0.1');
    const address = t.app.getHttpServer().address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (err) => console.error(`page error: ${err.message}`));
    await page.goto(`${base}/signup`);
    await page.getByLabel('E-mail').fill(uniqueEmail('trainer'));
    await page.getByLabel('Password').fill(STRONG_PASSWORD);
    await page.getByLabel('Organization name').fill('Trainers');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('uploads a CSV file and shows its typed columns', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Training', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Training' }).waitFor();
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'portal-')), 'iris.csv');
    writeFileSync(file, irisCsv().train);
    await page.getByLabel(/CSV with a header row/).setInputFiles(file);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByRole('row', { name: /iris\.csv.*120.*species \(string\)/ }).waitFor();
    await shot('20-datasets');
  }, 60_000);

  it('trains a model and draws its loss curve', async () => {
    await page.getByLabel('Model', { exact: true }).fill('portal-iris');
    await page.getByLabel('Epochs').fill('40');
    await page.getByRole('button', { name: 'Start training' }).click();
    await page
      .getByRole('article', { name: 'training of portal-iris' })
      .getByText(/succeeded/)
      .waitFor({ timeout: 90_000 });
    await page.getByRole('img', { name: /loss .* at epoch \d+ of 40/ }).waitFor();
    await page.getByText(/Published version 1/).waitFor();
    await shot('21-training');
  }, 120_000);

  it('evaluates the version and quantises it, side by side', async () => {
    await page.getByRole('button', { name: 'Compare versions' }).click();
    await page.getByRole('heading', { name: 'Versions of portal-iris' }).waitFor();
    await page.getByRole('button', { name: 'Evaluate' }).first().click();
    await page.getByRole('row', { name: /^1 float32 .* accuracy 0\.\d{3}/ }).waitFor();
    await page.getByRole('button', { name: 'Quantise (uint8)' }).first().click();
    await page.getByRole('row', { name: /^2 \(from 1\) uint8/ }).waitFor();
    await shot('22-versions');
  }, 90_000);
});
