import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

// Only what any process needs from the parent. Not the whole process.env: startTestApp writes
// the api's test configuration there (JOBS_CONSUME=0, LOG_LEVEL=silent, ...), and a worker that
// inherited it would silently not consume.
const PASS_THROUGH = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'DATA_DIR'];

export type WorkerProcess = ChildProcess & {
  /** Everything the child wrote (stdout and stderr), for failure messages. */
  output: () => string;
  /** The internal port's base URL (http://127.0.0.1:<port>). */
  url: string;
  /** Resolves when /healthz answers; rejects (with the child's output) if it exits first or takes too long. */
  ready: (timeoutMs?: number) => Promise<void>;
  /** Resolves with the exit code (or the signal) once the child has exited. */
  exited: () => Promise<number | string>;
};

/** A free TCP port on loopback (the worker is told its port, so the test knows where to call). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts apps/worker/src/main.ts in a child process (TypeScript compiled on load by swc through
 * test/bench/register.js, so no build is needed), with a clean environment plus `env`.
 */
export async function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const port = await freePort();
  const base = Object.fromEntries(
    PASS_THROUGH.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!]),
  );
  let out = '';
  const child = spawn(
    process.execPath,
    ['-r', path.join(ROOT, 'test/bench/register.js'), path.join(ROOT, 'apps/worker/src/main.ts')],
    {
      cwd: ROOT,
      env: {
        ...base,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        WORKER_HOST: '127.0.0.1',
        WORKER_PORT: String(port),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  ) as WorkerProcess;
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const exit = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  child.output = () => out;
  child.url = `http://127.0.0.1:${port}`;
  child.exited = () => exit;
  child.ready = async (timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`worker exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${out}`);
      const ok = await fetch(`${child.url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`worker not ready after ${timeoutMs} ms:\n${out}`);
  };
  return child;
}

/** Kills what is still running and waits for it to go (so no child outlives its test file). */
export async function stopWorkers(children: WorkerProcess[]): Promise<void> {
  await Promise.all(
    children.map(async (c) => {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await c.exited();
    }),
  );
}
