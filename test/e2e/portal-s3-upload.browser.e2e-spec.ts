import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Browser, Page } from 'playwright-core';
import { SCREENSHOTS, launchChromium, needsChromium } from '../support/browser';
import { needsPostgres } from '../support/database';
import { irisCsv } from '../support/public-datasets';
import { S3Server, startS3Server } from '../support/s3-server';
import { STRONG_PASSWORD, TestApp, startTestApp, uniqueEmail } from '../support/test-app';

const run = needsPostgres('portal S3 upload browser e2e') && needsChromium('portal S3 upload browser e2e');
const d = run ? describe : describe.skip;
const ROOT = path.join(__dirname, '../..');
const CORS = `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader></CORSRule></CORSConfiguration>`;

/**
 * S3 mode in a real browser: the portal PUTs the dataset file straight to the bucket (an
 * S3-compatible server, s3rver, on another origin: CORS and the page's CSP must allow it), then
 * asks the api to complete the upload; the api never receives the file's bytes from the browser.
 */
d('portal in a browser: a dataset uploaded straight to the bucket (S3 mode, s3rver)', () => {
  let s3: S3Server;
  let t: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    execFileSync('npm', ['run', '-s', 'build:portal'], { cwd: ROOT, stdio: 'pipe', timeout: 240_000 });
    s3 = await startS3Server(['platform'], { corsXml: CORS });
    t = await startTestApp({
      QUEUE_DRIVER: 'inprocess',
      ARTIFACT_STORE: 's3',
      ARTIFACT_BUCKET: 'platform',
      ARTIFACT_S3_ENDPOINT: s3.endpoint,
      ARTIFACT_S3_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    });
    await t.app.listen(0, '127.0.0.1');
    const address = t.app.getHttpServer().address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (err) => console.error(`page error: ${err.message}`));
    await page.goto(`${base}/signup`);
    await page.getByLabel('E-mail').fill(uniqueEmail('bucket'));
    await page.getByLabel('Password').fill(STRONG_PASSWORD);
    await page.getByLabel('Organization name').fill('Bucketeers');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await s3?.stop();
  });

  it('PUTs the file to the presigned bucket URL, completes it, and shows the typed dataset', async () => {
    const puts: string[] = [];
    page.on('request', (r) => r.method() === 'PUT' && puts.push(new URL(r.url()).origin));
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Training', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Training' }).waitFor();
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'portal-s3-')), 'iris.csv');
    writeFileSync(file, irisCsv().train);
    await page.getByLabel(/CSV with a header row/).setInputFiles(file);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByRole('row', { name: /iris\.csv.*120.*species \(string\)/ }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, '25-datasets-s3.png'), fullPage: true });
    expect(puts).toEqual([s3.endpoint]);
    const keys = async (prefix: string) =>
      ((await s3.client.send(new ListObjectsV2Command({ Bucket: 'platform', Prefix: prefix }))).Contents ?? []).map(
        (o) => o.Key!,
      );
    expect(await keys('models/datasets/')).toEqual([
      expect.stringMatching(/^models\/datasets\/ten_[^/]+\/ds_[^/]+\/data\.csv$/),
    ]);
    expect(await keys('uploads/')).toEqual([]);
  }, 90_000);
});
