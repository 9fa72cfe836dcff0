/** One delivery of a job id. Messages carry only the id: the job itself lives in the database. */
export interface QueueMessage {
  jobId: string;
  /** How many times this message has been handed out (1 on the first delivery), when known. */
  deliveries: number;
}

/**
 * Resolves: the message is done (acknowledged). Throws: it is handed out again later
 * (at least once). Effects must therefore be idempotent: the job runner makes them so.
 */
export type QueueHandler = (message: QueueMessage) => Promise<void>;

/**
 * The job queue port. Adapters: in-process (embedded), BullMQ on Redis, SQS.
 * Delivery is at least once; ordering is not promised.
 */
export interface JobQueue {
  readonly driver: 'inprocess' | 'bullmq' | 'sqs';
  enqueue(jobId: string): Promise<void>;
  /** Starts handing messages to `handler`, at most `concurrency` at a time. */
  consume(handler: QueueHandler, concurrency: number): Promise<void>;
  /** Stops taking messages and waits for the ones being handled (graceful shutdown). */
  stopConsuming(): Promise<void>;
  /** For /readyz: throws when the queue cannot be reached; returns a depth when cheap. */
  ping(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export const JOB_QUEUE = Symbol('JOB_QUEUE');
