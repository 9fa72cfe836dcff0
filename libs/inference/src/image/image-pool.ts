import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ImageLimits, NotImageError } from './image-codec';
import type { DecodeReply, DecodeTask } from './image-worker';

interface Task {
  message: DecodeTask;
  resolve: (data: Float32Array) => void;
  reject: (e: unknown) => void;
}

interface PoolWorker {
  worker: Worker;
  task?: Task;
}

/**
 * Run from TypeScript source (Jest, the benches), a worker compiles the worker module with
 * @swc/core, the transpiler those already run on; built (dist/), it loads the compiled .js.
 */
const TS_BOOT = `
const { workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const { transformSync } = require('@swc/core');
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
require(workerData.entry);
`;

const ENTRY = path.join(__dirname, `image-worker${path.extname(__filename)}`);

/**
 * Decodes base64 PNG/JPEG and prepares model instances on worker threads, off the event loop
 * and in parallel with inference: base64, inflate and resize of one 224 x 224 image take longer
 * than an iris batch, and on the event loop they would run one after another between batches.
 *
 * Hand-written on node:worker_threads rather than a pool library: one message type, results
 * transferred (no copy), and its workers must also start from TypeScript source under Jest and
 * the benches, which a pool library's own worker loader cannot do without a register file.
 * Workers start on first use, are unref'd while idle (they never keep a process alive), and one
 * that dies fails only its own task and is replaced.
 */
export class ImageDecodePool {
  private readonly workers: PoolWorker[] = [];
  private readonly waiting: Task[] = [];
  private nextId = 0;
  private closed = false;

  constructor(private readonly threads: number) {}

  /** Decodes `images` into one Float32Array of [n, size, size, 3]; NotImageError for a bad one. */
  decode(images: unknown[], size: number, limits: ImageLimits): Promise<Float32Array> {
    if (this.closed) return Promise.reject(new Error('the image decode pool is closed'));
    return new Promise<Float32Array>((resolve, reject) => {
      this.waiting.push({ message: { id: this.nextId++, images, size, limits }, resolve, reject });
      this.pump();
    });
  }

  /** Threads running now (for tests). */
  get started(): number {
    return this.workers.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.waiting.splice(0)) t.reject(new Error('the image decode pool is closed'));
    await Promise.all(this.workers.splice(0).map((w) => w.worker.terminate()));
  }

  private pump(): void {
    while (this.waiting.length > 0) {
      let idle = this.workers.find((w) => w.task === undefined);
      if (!idle) {
        if (this.workers.length >= this.threads) return;
        idle = this.spawn();
      }
      const task = this.waiting.shift()!;
      idle.task = task;
      idle.worker.ref();
      idle.worker.postMessage(task.message);
    }
  }

  private spawn(): PoolWorker {
    const worker = ENTRY.endsWith('.ts')
      ? new Worker(TS_BOOT, { eval: true, workerData: { entry: ENTRY } })
      : new Worker(ENTRY);
    const pw: PoolWorker = { worker };
    worker.on('message', (reply: DecodeReply) => {
      const task = pw.task;
      if (!task || task.message.id !== reply.id) return;
      pw.task = undefined;
      worker.unref();
      if ('data' in reply) task.resolve(reply.data);
      else task.reject(reply.notImage ? new NotImageError(reply.error) : new Error(reply.error));
      this.pump();
    });
    const lost = (e: unknown) => {
      const at = this.workers.indexOf(pw);
      if (at === -1) return;
      this.workers.splice(at, 1);
      pw.task?.reject(e instanceof Error ? e : new Error(`image decode worker exited (${String(e)})`));
      pw.task = undefined;
      if (!this.closed) this.pump();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(code));
    worker.unref();
    this.workers.push(pw);
    return pw;
  }
}
