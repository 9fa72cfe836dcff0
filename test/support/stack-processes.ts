import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http, { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { freePort } from './worker-process';

const ROOT = path.resolve(__dirname, '../..');
export const API_MAIN = path.join(ROOT, 'dist/apps/api/src/main.js');
export const WORKER_MAIN = path.join(ROOT, 'dist/apps/worker/src/main.js');

// As in worker-process.ts: a child gets only these from the test process, plus what it is given.
const PASS_THROUGH = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** http://127.0.0.1:<port> of the api, or of the worker's internal port. */
  url: string;
  output(): string;
  /** Resolves when GET /healthz answers 200; rejects with the output if the child exits first. */
  ready(timeoutMs?: number): Promise<void>;
  exited(): Promise<number | string>;
  /** SIGKILL if still running, and wait for it to go. */
  kill(): Promise<void>;
}

/**
 * Starts a built app (dist/, as `npm start` and the containers run it) with a clean
 * environment: `PORT` (api) or `WORKER_PORT` (worker) is picked here.
 */
export async function startBuilt(
  name: string,
  kind: 'api' | 'worker',
  env: Record<string, string> | ((url: string) => Record<string, string>),
): Promise<ServiceProcess> {
  const main = kind === 'api' ? API_MAIN : WORKER_MAIN;
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
  const port = await freePort();
  const base = Object.fromEntries(
    PASS_THROUGH.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!]),
  );
  const ports =
    kind === 'api'
      ? { PORT: String(port), HOST: '127.0.0.1' }
      : { WORKER_PORT: String(port), WORKER_HOST: '127.0.0.1' };
  const url = `http://127.0.0.1:${port}`;
  let out = '';
  const child = spawn(process.execPath, [main], {
    cwd: ROOT,
    env: { ...base, ...ports, ...(typeof env === 'function' ? env(url) : env) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const exit = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return {
    name,
    child,
    url,
    output: () => out,
    exited: () => exit,
    async ready(timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${out}`);
        const ok = await fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) return;
        await new Promise((r) => setTimeout(r, 150));
      }
      throw new Error(`${name} not ready after ${timeoutMs} ms:\n${out}`);
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exit;
    },
  };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Which upstream answered. */
  upstream: string;
}

export interface Proxy {
  url: string;
  /** Every request passed on, in order. */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * A load balancer stand-in: each request goes to the next upstream in turn (round robin), bytes
 * and headers passed through as they are (Host too, so signed S3 requests still verify), the
 * request recorded. Written on node:http rather than with a proxy package: it is a pipe and a
 * counter, and a recorder of what went through is what the test needs from it.
 */
export async function startRoundRobinProxy(upstreams: () => string[]): Promise<Proxy> {
  const requests: RecordedRequest[] = [];
  let next = 0;
  const server = http.createServer((req, res) => {
    const list = upstreams();
    const upstream = list[next++ % list.length]!;
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, upstream });
    const target = new URL(req.url ?? '/', upstream);
    const forwarded = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: target.pathname + target.search,
        headers: { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '127.0.0.1' },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forwarded.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('upstream unreachable');
    });
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
