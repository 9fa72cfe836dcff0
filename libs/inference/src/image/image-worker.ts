// A decode worker thread (see ImageDecodePool): base64 in, the model's instances out, transferred.
import { parentPort } from 'node:worker_threads';
import { decodeInstances, ImageLimits, NotImageError } from './image-codec';

export interface DecodeTask {
  id: number;
  images: unknown[];
  size: number;
  limits: ImageLimits;
}

export type DecodeReply = { id: number; data: Float32Array } | { id: number; error: string; notImage: boolean };

parentPort?.on('message', (task: DecodeTask) => {
  let reply: DecodeReply;
  try {
    const data = decodeInstances(task.images, task.size, task.limits);
    parentPort!.postMessage({ id: task.id, data } satisfies DecodeReply, [data.buffer as ArrayBuffer]);
    return;
  } catch (e) {
    reply = { id: task.id, error: e instanceof Error ? e.message : String(e), notImage: e instanceof NotImageError };
  }
  parentPort!.postMessage(reply);
});
