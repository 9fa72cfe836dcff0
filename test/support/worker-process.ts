import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** Starts apps/worker/src/main.ts in a child process (TypeScript compiled on load by swc). */
export function startWorkerProcess(env: Record<string, string>): ChildProcess & { output: () => string } {
  let out = '';
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'test/bench/register.js'), path.join(ROOT, 'apps/worker/src/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', WORKER_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as ChildProcess & { output: () => string };
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  child.output = () => out;
  return child;
}
