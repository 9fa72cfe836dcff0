import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';

// `npm start` on a fresh machine: no DATABASE_URL, no REDIS_URL. The built server must create
// its embedded database, migrate it, serve, and keep its data across a restart.
const ROOT = path.resolve(__dirname, '../..');
const MAIN = path.join(ROOT, 'dist/apps/api/src/main.js');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function start(dataDir: string, port: number): Promise<{ proc: ChildProcess; output: () => string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'development',
  };
  for (const k of ['DATABASE_URL', 'REDIS_URL', 'STRIPE_SECRET_KEY', 'TEST_DATABASE_URL']) delete env[k];
  const proc = spawn(process.execPath, [MAIN], { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 150 s:\n${out}`)), 150_000);
    proc.on('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
    const poll = setInterval(() => {
      if (out.includes('is running at')) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve({ proc, output: () => out });
      }
    }, 100);
  });
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  proc.removeAllListeners('exit');
  await new Promise<void>((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
}

const gql = async (port: number, query: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return { body: (await res.json()) as any, cookies: res.headers.getSetCookie().map((c) => c.split(';')[0]!) };
};

describe('embedded mode: npm start with nothing installed', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mas-embedded-'));
  beforeAll(() => {
    if (!existsSync(MAIN)) execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
  }, 300_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('creates and migrates its database, serves, and keeps data across a restart', async () => {
    const port = await freePort();
    let server = await start(dataDir, port);
    try {
      expect(server.output()).toContain(`http://localhost:${port}`);
      expect(server.output()).toMatch(/embedded PGlite/);
      const ready = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as any;
      expect(ready.checks.database).toMatchObject({ ok: true, mode: 'embedded' });
      const signUp = await gql(
        port,
        `mutation { signUp(input: { email: "first@example.com", password: "Embedded-Start-42", tenantName: "Laptop" }) { tenant { id } } }`,
      );
      expect(signUp.body.errors).toBeUndefined();
      // No SMTP_URL: the verification e-mail is an .eml file under DATA_DIR/mail, and its link works.
      const mailDir = path.join(dataDir, 'mail');
      let eml: string | undefined;
      for (let i = 0; i < 100 && !eml; i++, await new Promise((r) => setTimeout(r, 100))) {
        eml = existsSync(mailDir) ? readdirSync(mailDir).find((f) => f.endsWith('.eml')) : undefined;
      }
      const mail = await simpleParser(readFileSync(path.join(mailDir, eml!)));
      expect(mail.to).toMatchObject({ text: 'first@example.com' });
      const token = /\/verify-email\?token=([\w-]+)/.exec(mail.text ?? '')![1];
      const verified = await gql(port, `mutation { verifyEmail(token: "${token}") { email } }`);
      expect(verified.body.data.verifyEmail).toEqual({ email: 'first@example.com' });
      // The same e-mail again on PGlite: CONFLICT from the unique index, not INTERNAL.
      const again = await gql(
        port,
        `mutation { signUp(input: { email: "first@example.com", password: "Embedded-Start-42", tenantName: "Twice" }) { tenant { id } } }`,
      );
      expect(again.body.errors[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'EMAIL_TAKEN' });
      const csrf = signUp.cookies.find((c) => c.startsWith('csrf_token='))!.split('=')[1]!;
      const key = await gql(
        port,
        `mutation { createApiKey(input: { name: "k", scopes: ["models:read"] }) { secret } }`,
        { cookie: signUp.cookies.join('; '), 'x-csrf-token': csrf },
      );
      const secret = key.body.data.createApiKey.secret as string;
      await stop(server.proc);

      server = await start(dataDir, port);
      const tenant = await gql(port, `{ tenant { id name } }`, { authorization: `Bearer ${secret}` });
      expect(tenant.body.data.tenant).toEqual({ id: signUp.body.data.signUp.tenant.id, name: 'Laptop' });
    } finally {
      await stop(server.proc);
    }
  }, 400_000);
});
