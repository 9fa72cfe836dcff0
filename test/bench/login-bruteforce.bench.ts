/**
 * Brute force against log-in (issue 11). One command:
 *   node --require ./test/bench/register.js test/bench/login-bruteforce.bench.ts
 * The real app over HTTP, with the default throttle, against the same app with the throttle
 * set out of reach (the baseline, measured in the same run). For BENCH_SECONDS (default 60) each,
 * one after the other:
 *  - per account: 8 parallel attackers guess one account's password, each request from a new
 *    address (X-Forwarded-For with TRUST_PROXY=1, i.e. a botnet: only the per-account limit holds);
 *  - per address: one address sprays a guess at a different account each time.
 * "Checked" guesses are those whose password was verified (INVALID_CREDENTIALS); refused ones
 * (RATE_LIMITED) never reach argon2. Also: median time of a failed log-in, existing account vs
 * unknown e-mail (account enumeration by timing); whether the owner still logs in during the
 * attack, from a browser holding the device cookie of an earlier log-in and from one without;
 * and, with SIGNUP_SESSION=after-verification (a real SMTP server from test/support/smtp-inbox),
 * the median time of a sign-up with a new address vs a taken one. Needs PostgreSQL.
 */
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startSmtpInbox } from '../support/smtp-inbox';
import { createBenchDatabase, median, table } from './support/bench-kit';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const BASELINE_SECONDS = Math.min(SECONDS, 10);
const PASSWORD = 'Bench-Horse-Battery-9';

async function start(
  env: Record<string, string>,
): Promise<{ app: NestFastifyApplication; url: string; drop: () => Promise<void> }> {
  const db = await createBenchDatabase();
  Object.assign(process.env, {
    DATABASE_URL: db.url,
    LOG_LEVEL: 'silent',
    NODE_ENV: 'production',
    REDIS_URL: '',
    TRUST_PROXY: '1',
    DATABASE_POOL_SIZE: '10',
    ...env,
  });
  const { createApp } = await import('../../apps/api/src/app.factory');
  const app = await createApp({ logger: false });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  return { app, url, drop: db.drop };
}

async function logIn(
  url: string,
  email: string,
  password: string,
  ip: string,
  cookie?: string,
): Promise<{ outcome: string; ms: number; device?: string }> {
  const t0 = performance.now();
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip, ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({
      query: 'mutation($i: LogInInput!) { logIn(input: $i) { user { id } } }',
      variables: { i: { email, password } },
    }),
  });
  const body = (await res.json()) as { errors?: { extensions: { reason: string } }[] };
  const device = res.headers
    .getSetCookie()
    .find((c) => c.startsWith('mas_device_'))
    ?.split(';')[0];
  return { outcome: body.errors?.[0]?.extensions.reason ?? 'OK', ms: performance.now() - t0, device };
}

async function signUp(url: string, email: string, ip: string): Promise<{ ms: number; ok: boolean }> {
  const t0 = performance.now();
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({
      query: 'mutation($i: SignUpInput!) { signUp(input: $i) { signedIn user { id } tenant { id } } }',
      variables: { i: { email, password: PASSWORD, tenantName: 'Timing Co' } },
    }),
  });
  const body = (await res.json()) as { errors?: unknown[] };
  return { ms: performance.now() - t0, ok: !body.errors };
}

let ipCounter = 1;
const freshIp = () => `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter++ & 255}`;

/** Runs `workers` loops for `seconds`; returns how many guesses were checked and how many refused. */
async function attack(seconds: number, workers: number, guess: (i: number) => Promise<{ outcome: string }>) {
  const end = Date.now() + seconds * 1000;
  let checked = 0;
  let refused = 0;
  let i = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (Date.now() < end) {
        const { outcome } = await guess(i++);
        if (outcome === 'INVALID_CREDENTIALS') checked++;
        else if (outcome === 'TOO_MANY_ATTEMPTS') {
          refused++;
          await new Promise((r) => setTimeout(r, 20)); // a patient attacker: retry soon, not in a hot loop
        }
      }
    }),
  );
  return { checked, refused, perMinute: (checked / seconds) * 60 };
}

async function scenario(url: string, seconds: number) {
  const victim = `victim.${Date.now()}@example.com`;
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': freshIp() },
    body: JSON.stringify({
      query: `mutation { signUp(input: { email: "${victim}", password: "${PASSWORD}", tenantName: "Victim" }) { user { id } } }`,
    }),
  });
  if (!res.ok) throw new Error(`signUp: ${await res.text()}`);
  const sprayIp = freshIp();
  // The owner logged in from their own browser before: it holds a device cookie.
  const ownerIp = freshIp();
  const device = (await logIn(url, victim, PASSWORD, ownerIp)).device;
  if (!device) throw new Error('log-in left no device cookie');
  // One after the other: run together, each would measure the other's CPU use.
  const account = await attack(seconds, 8, () => logIn(url, victim, `Guess-${Math.random()}`, freshIp()));
  // Right after the attack, while the account is locked for unknown devices.
  const owner = {
    withDevice: (await logIn(url, victim, PASSWORD, ownerIp, device)).outcome,
    withoutDevice: (await logIn(url, victim, PASSWORD, freshIp())).outcome,
  };
  const address = await attack(seconds, 2, (i) =>
    logIn(url, `sprayed.${i}.${Date.now()}@example.com`, 'Summer2026!', sprayIp),
  );
  return { account, address, victim, owner };
}

/** Sign-up answer time, new address vs taken one, interleaved (after-verification mode). */
async function signUpTiming(url: string) {
  const fresh: number[] = [];
  const taken: number[] = [];
  const existing = `owner.${Date.now()}@example.com`;
  if (!(await signUp(url, existing, freshIp())).ok) throw new Error('signUp failed');
  for (let i = 0; i < 40; i++) {
    const a = await signUp(url, `new.${i}.${Date.now()}@example.com`, freshIp());
    const b = await signUp(url, existing, freshIp());
    if (!a.ok || !b.ok) throw new Error('signUp answered an error');
    fresh.push(a.ms);
    taken.push(b.ms);
  }
  return { fresh: median(fresh), taken: median(taken) };
}

async function timing(url: string, victim: string) {
  const known: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < 60; i++) {
    known.push((await logIn(url, victim, `Wrong-${i}-Password`, freshIp())).ms);
    unknown.push((await logIn(url, `nobody.${i}.${Date.now()}@example.com`, `Wrong-${i}-Password`, freshIp())).ms);
  }
  return { known: median(known), unknown: median(unknown) };
}

async function main() {
  const loose = {
    AUTH_FREE_FAILURES: '1000000',
    AUTH_LOCK_AFTER_FAILURES: '1000000',
    AUTH_IP_FAILURES_PER_HOUR: '1000000',
    AUTH_SIGNUPS_PER_IP_PER_HOUR: '1000000',
  };
  const base = await start(loose);
  const baseline = await scenario(base.url, BASELINE_SECONDS);
  const times = await timing(base.url, baseline.victim);
  await base.app.close();
  await base.drop();

  const inbox = await startSmtpInbox();
  const verifying = await start({ ...loose, SIGNUP_SESSION: 'after-verification', SMTP_URL: inbox.url });
  const signUps = await signUpTiming(verifying.url);
  await verifying.app.close();
  await verifying.drop();
  await inbox.close();

  const guarded = await start({
    ...Object.fromEntries(Object.keys(loose).map((k) => [k, ''])),
    SIGNUP_SESSION: '',
    SMTP_URL: '',
  });
  const real = await scenario(guarded.url, SECONDS);
  await guarded.app.close();
  await guarded.drop();

  table(
    `Log-in guesses whose password was checked (throttle: ${SECONDS} s; baseline without throttle: ${BASELINE_SECONDS} s)`,
    ['attack', 'baseline checked / min', `throttled: checked in ${SECONDS} s`, 'refused', 'checked / min', 'ratio'],
    [
      [
        'one account, 8 parallel, new address each',
        baseline.account.perMinute,
        real.account.checked,
        real.account.refused,
        real.account.perMinute,
        `${(real.account.perMinute / baseline.account.perMinute).toPrecision(2)}x`,
      ],
      [
        'one address, a new account each (spraying)',
        baseline.address.perMinute,
        real.address.checked,
        real.address.refused,
        real.address.perMinute,
        `${(real.address.perMinute / baseline.address.perMinute).toPrecision(2)}x`,
      ],
    ],
  );
  table(
    'Failed log-in, median time (no throttle, 60 each, interleaved)',
    ['case', 'ms', 'ratio'],
    [
      ['existing account, wrong password', times.known, '1.00x'],
      ['unknown e-mail', times.unknown, `${(times.unknown / times.known).toFixed(2)}x`],
    ],
  );
  table(
    `The owner during the per-account attack (account locked for unknown devices)`,
    ['owner logs in with the right password', 'logged in'],
    [
      [
        'owner with device cookie during attack',
        real.owner.withDevice === 'OK' ? 'yes' : `no (${real.owner.withDevice})`,
      ],
      [
        'owner on a new browser (no device cookie)',
        real.owner.withoutDevice === 'OK' ? 'yes' : `no (${real.owner.withoutDevice})`,
      ],
    ],
  );
  table(
    'Sign-up, median time, SIGNUP_SESSION=after-verification (40 each, interleaved; same answer shape, no session)',
    ['case', 'ms', 'ratio'],
    [
      ['new address', signUps.fresh, '1.00x'],
      ['taken address', signUps.taken, `${(signUps.taken / signUps.fresh).toFixed(2)}x`],
    ],
  );
  console.log(
    '\nSteady state with the defaults: per account 10 checked guesses, then a 15-minute lock (about 0.6 a minute over an hour); per address 100 failed guesses an hour.',
  );
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
