/**
 * @app/queue: the job queue transport (no domain).
 * - `QueueModule`: JOB_QUEUE (in-process | BullMQ | SQS by QUEUE_DRIVER), QUEUE_CONFIG; `queue` in /readyz.
 */
export * from './queue-config';
export * from './job-queue.port';
export * from './job-queue.factory';
export * from './queue.module';
export { JobKinds } from './job-kinds';
export type { JobKindHandler } from './job-kinds';
export { InProcessQueue } from './adapters/in-process.queue';
export { BullMqQueue, BULLMQ_PREFIX } from './adapters/bullmq.queue';
export { SqsQueue } from './adapters/sqs.queue';
