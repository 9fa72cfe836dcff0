import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';

/**
 * CPU time (user + system, ms) a running process has used so far, from /proc (Linux): a figure
 * that does not grow with the machine's load the way wall time does. NaN where /proc is missing.
 */
export function cpuMsOf(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at ") ": utime, stime are 14, 15.
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface Phase {
  name: string;
  ms: number;
  atMs: number;
}

export interface TimedChild {
  child: ChildProcess;
  startedAt: number;
  /** Start-up phases the process logged (its `phases` debug line), if any yet. */
  phases(): Phase[];
  /** For the Lambda script: its answer, when it arrived (ms from spawn), its CPU ms by then. */
  result(): Promise<{ statusCode: number; body: string; atMs: number; cpuMs: number }>;
  /** CPU ms the process has used so far. */
  cpuMs(): number;
  exited(): boolean;
  stop(): Promise<void>;
}

/** Spawns a process whose stdout carries JSON lines; keeps what the bench needs from them. */
export function spawnTimed(command: string, args: string[], env: NodeJS.ProcessEnv): TimedChild {
  const startedAt = performance.now();
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let phases: Phase[] = [];
  let buffered = '';
  let stderr = '';
  let exitCode: number | null | undefined;
  let answered: (r: { statusCode: number; body: string; atMs: number; cpuMs: number }) => void;
  let failed: (e: Error) => void;
  const answer = new Promise<{ statusCode: number; body: string; atMs: number; cpuMs: number }>(
    (resolve, reject) => ((answered = resolve), (failed = reject)),
  );
  answer.catch(() => undefined);
  child.stdout!.on('data', (chunk: Buffer) => {
    const atMs = performance.now() - startedAt;
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      const parsed = JSON.parse(line) as {
        phases?: Phase[];
        lambdaAnswer?: { statusCode: number; body: string; cpuMs: number };
        lambdaError?: string;
      };
      if (parsed.phases) phases = parsed.phases;
      if (parsed.lambdaAnswer) answered({ ...parsed.lambdaAnswer, atMs });
      if (parsed.lambdaError) failed(new Error(parsed.lambdaError));
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.once('exit', (code) => {
    exitCode = code;
    failed(new Error(`exited with ${code}: ${stderr.slice(-2000)}`));
  });
  return {
    child,
    startedAt,
    phases: () => phases,
    result: () => answer,
    cpuMs: () => cpuMsOf(child.pid),
    exited: () => exitCode !== undefined,
    async stop() {
      if (exitCode !== undefined) return;
      const exit = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exit;
    },
  };
}

/** Polls /healthz every 20 ms; returns ms from spawn to the first answer. */
export async function waitForHealth(url: string, proc: TimedChild, limitMs = 120_000): Promise<number> {
  for (;;) {
    if (proc.exited()) await proc.result();
    if (performance.now() - proc.startedAt > limitMs) throw new Error(`no /healthz within ${limitMs} ms`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return performance.now() - proc.startedAt;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { res, json: (await res.json().catch(() => null)) as Record<string, any> | null }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Signs up and creates an inference key on a running server; returns the key. */
export async function keyFor(url: string, email: string): Promise<string> {
  const s = await post(`${url}/graphql`, {
    query: `mutation { signUp(input: { email: "${email}", password: "Load-Test-Secret-9", tenantName: "Bench" }) { tenant { id } } }`,
  });
  if (!s.res.ok || s.json?.errors) throw new Error(`signUp: ${JSON.stringify(s.json)}`);
  const cookies = s.res.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const csrf = cookies.find((c) => c.startsWith('csrf_token='))!.split('=')[1]!;
  const k = await post(
    `${url}/graphql`,
    { query: `mutation { createApiKey(input: { name: "bench", scopes: ["inference:run"] }) { secret } }` },
    { cookie: cookies.join('; '), 'x-csrf-token': csrf },
  );
  return k.json!.data.createApiKey.secret as string;
}

/**
 * Sign-up, key, one OIP iris prediction; returns ms from spawn to its successful answer and the
 * server's CPU ms by then.
 */
export async function firstPrediction(url: string, proc: TimedChild): Promise<{ ms: number; cpuMs: number }> {
  const key = await keyFor(url, `cold-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`);
  const p = await post(
    `${url}/v2/models/iris/infer`,
    { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] },
    { authorization: `Bearer ${key}` },
  );
  if (!p.res.ok) throw new Error(`first prediction: ${JSON.stringify(p.json)}`);
  return { ms: performance.now() - proc.startedAt, cpuMs: proc.cpuMs() };
}

/**
 * A `node -e` program: requires the Lambda handler, sends it one API Gateway HTTP API (v2)
 * event with a GraphQL query, prints the answer and the start-up phases as one JSON line.
 */
export function lambdaScript(lambdaJs: string, commonJs: string): string {
  const event = {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/graphql',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', host: 'api.example.com' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'bench',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      requestId: 'cold-start',
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      http: {
        method: 'POST',
        path: '/graphql',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'cold-start-bench',
      },
    },
    body: JSON.stringify({ query: '{ plans { name } }' }),
    isBase64Encoded: false,
  };
  return `
    const t0 = performance.now();
    const { handler } = require(${JSON.stringify(lambdaJs)});
    const { startupProfile } = require(${JSON.stringify(commonJs)});
    startupProfile.record('node bootstrap', 0, performance.nodeTiming.bootstrapComplete);
    startupProfile.record('module graph (require lambda.js)', t0, performance.now() - t0);
    const context = { awsRequestId: 'cold-start', getRemainingTimeInMillis: () => 30000, callbackWaitsForEmptyEventLoop: false };
    startupProfile.time('first invocation', () => handler(${JSON.stringify(event)}, context)).then((res) => {
      const phases = startupProfile.phases().map((p) => ({ name: p.name, ms: Math.round(p.ms), atMs: Math.round(p.atMs) }));
      const cpu = process.cpuUsage();
      const cpuMs = (cpu.user + cpu.system) / 1000;
      process.stdout.write(JSON.stringify({ lambdaAnswer: { statusCode: res.statusCode, body: res.body, cpuMs }, phases }) + '\\n');
      setTimeout(() => process.exit(0), 50);
    }, (e) => {
      process.stdout.write(JSON.stringify({ lambdaError: String((e && e.stack) || e) }) + '\\n');
      process.exit(1);
    });`;
}
