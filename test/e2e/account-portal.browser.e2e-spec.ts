import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SCREENSHOTS, launchChromium, needsChromium } from '../support/browser';
import { needsPostgres } from '../support/database';
import { startSmtpInbox, tokenIn } from '../support/smtp-inbox';
import { STRONG_PASSWORD, TestApp, startTestApp, uniqueEmail } from '../support/test-app';

const run = needsPostgres('portal account pages e2e') && needsChromium('portal account pages e2e');
const d = run ? describe : describe.skip;
const ROOT = path.join(__dirname, '../..');

/**
 * The portal's account pages in a real browser with SIGNUP_SESSION=after-verification and a real
 * SMTP server: sign-up says "check your e-mail" (for a taken address too), the e-mailed link logs
 * in, and the password can be reset from the log-in page.
 */
d('portal account pages (after-verification)', () => {
  let t: TestApp;
  let inbox: Awaited<ReturnType<typeof startSmtpInbox>>;
  let base: string;
  let browser: Browser;

  const mail = (email: string, subject: RegExp) =>
    inbox.waitFor((m) => m.to.includes(email) && subject.test(m.subject));
  const fresh = async (): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => console.error(`page error: ${err.message}`));
    return page;
  };
  const signUpIn = async (page: Page, email: string) => {
    await page.goto(`${base}/signup`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(STRONG_PASSWORD);
    await page.getByLabel('Organization name').fill('Browser Co');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { level: 1, name: 'Check your e-mail' }).waitFor();
    return page.getByRole('status').textContent();
  };

  beforeAll(async () => {
    execFileSync('npm', ['run', '-s', 'build:portal'], { cwd: ROOT, stdio: 'pipe', timeout: 240_000 });
    inbox = await startSmtpInbox();
    t = await startTestApp({ SMTP_URL: inbox.url, SIGNUP_SESSION: 'after-verification' });
    await t.app.listen(0, '127.0.0.1');
    const address = t.app.getHttpServer().address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await inbox?.close();
  });

  it('sign-up says "check your e-mail", for a taken address alike; the link logs in to the dashboard', async () => {
    const email = uniqueEmail('browser');
    const page = await fresh();
    expect(await signUpIn(page, email)).toContain(email);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'account-01-check-your-email.png'), fullPage: true });
    expect((await page.context().cookies()).map((c) => c.name)).not.toContain('mas_session');

    // Someone else tries the same address: the same page, and the owner hears of it.
    const other = await fresh();
    expect(await signUpIn(other, email)).toContain(email);
    await mail(email, /sign-up attempt/i);

    const token = tokenIn(await mail(email, /confirm your e-mail/i), '/verify-email');
    await page.goto(`${base}/verify-email?token=${token}`);
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'account-02-verified-dashboard.png'), fullPage: true });
    expect((await page.context().cookies()).map((c) => c.name)).toEqual(
      expect.arrayContaining(['mas_session', 'csrf_token']),
    );
    // The link works once: opened again (another browser), it says so.
    await other.goto(`${base}/verify-email?token=${token}`);
    await expect(other.getByRole('alert').textContent()).resolves.toMatch(/invalid, used or expired/);
  }, 90_000);

  it('log-in before verification shows the one message for both cases; "forgot your password" resets it', async () => {
    const email = uniqueEmail('forgot');
    const page = await fresh();
    await signUpIn(page, email);
    await page.goto(`${base}/login`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(STRONG_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/or the address is not verified yet/);

    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { level: 1, name: 'Reset your password' }).waitFor();
    await page.getByLabel('E-mail').fill(email);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.getByRole('heading', { level: 1, name: 'Check your e-mail' }).waitFor();
    const token = tokenIn(await mail(email, /reset your password/i), '/reset-password');
    await page.goto(`${base}/reset-password?token=${token}`);
    await page.getByLabel('New password').fill('Another-Horse-77-Staple');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByRole('heading', { level: 1, name: 'Password changed' }).waitFor();
    // The reset link proved the address: the new password logs in.
    await page.getByRole('link', { name: 'Log in' }).click();
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill('Another-Horse-77-Staple');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  }, 90_000);
});
