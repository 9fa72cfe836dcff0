import { Logger } from '@nestjs/common';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { JobQueue, QueueHandler } from '../job-queue.port';

export interface SqsQueueOptions {
  queueUrl: string;
  region?: string;
  /** A non-AWS endpoint (LocalStack, ElasticMQ, the test fake). */
  endpoint?: string;
  visibilityTimeoutS: number;
  /** Long-poll wait per receive (20 s on AWS; shorter in tests so that stop is quick). */
  waitTimeS?: number;
  client?: SQSClient;
}

/**
 * Amazon SQS (AWS mode). A message stays invisible while it is handled (its visibility is
 * extended as it runs) and is deleted once handled; if the worker dies it reappears after the
 * visibility timeout, and after the queue's maxReceiveCount it goes to the dead-letter queue.
 */
export class SqsQueue implements JobQueue {
  readonly driver = 'sqs' as const;
  private readonly log = new Logger('SqsQueue');
  private readonly client: SQSClient;
  private loops: Promise<void>[] = [];
  private abort = new AbortController();
  private stopping = false;

  constructor(private readonly options: SqsQueueOptions) {
    this.client =
      options.client ??
      new SQSClient({ region: options.region ?? process.env.AWS_REGION ?? 'us-east-1', endpoint: options.endpoint });
  }

  async enqueue(jobId: string): Promise<void> {
    await this.client.send(
      new SendMessageCommand({ QueueUrl: this.options.queueUrl, MessageBody: JSON.stringify({ jobId }) }),
    );
  }

  async consume(handler: QueueHandler, concurrency: number): Promise<void> {
    // Fresh for each consume: a stop (aborted signal, stopping flag) must not outlive itself.
    this.stopping = false;
    this.abort = new AbortController();
    for (let i = 0; i < concurrency; i++) this.loops.push(this.loop(handler));
  }

  async stopConsuming(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    await Promise.allSettled(this.loops);
    this.loops = [];
  }

  async ping(): Promise<Record<string, unknown>> {
    const out = await this.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.options.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      driver: this.driver,
      depth: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  }

  async close(): Promise<void> {
    await this.stopConsuming();
    this.client.destroy();
  }

  private async loop(handler: QueueHandler): Promise<void> {
    let idleErrors = 0;
    while (!this.stopping) {
      let messages: Message[];
      try {
        const out = await this.client.send(
          new ReceiveMessageCommand({
            QueueUrl: this.options.queueUrl,
            MaxNumberOfMessages: 1,
            WaitTimeSeconds: this.options.waitTimeS ?? 20,
            VisibilityTimeout: this.options.visibilityTimeoutS,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
          { abortSignal: this.abort.signal },
        );
        messages = out.Messages ?? [];
        idleErrors = 0;
      } catch (e) {
        if (this.stopping) return;
        idleErrors++;
        this.log.warn(`receive failed: ${(e as Error).message}`);
        await sleep(Math.min(500 * 2 ** idleErrors, 20_000), this.abort.signal);
        continue;
      }
      // handle() never throws: one bad message or a failed delete must not end this loop.
      for (const m of messages) await this.handle(handler, m);
    }
  }

  private async handle(handler: QueueHandler, m: Message): Promise<void> {
    const url = this.options.queueUrl;
    const deliveries = Number(m.Attributes?.ApproximateReceiveCount ?? 1);
    let jobId: string;
    try {
      jobId = String(JSON.parse(m.Body ?? '{}').jobId ?? '');
      if (!jobId) throw new Error('no jobId');
    } catch {
      this.log.error(`dropping malformed message ${m.MessageId}`);
      await this.delete(m, 'malformed message');
      return;
    }
    // Keep the message hidden while the job runs, so no other worker receives it meanwhile.
    const beat = setInterval(
      () => {
        this.client
          .send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: url,
              ReceiptHandle: m.ReceiptHandle,
              VisibilityTimeout: this.options.visibilityTimeoutS,
            }),
          )
          .catch((e: Error) => this.log.warn(`extend visibility of ${jobId}: ${e.message}`));
      },
      Math.max(200, (this.options.visibilityTimeoutS * 1_000) / 2),
    ); // well inside the timeout
    try {
      await handler({ jobId, deliveries });
    } catch (e) {
      clearInterval(beat);
      const backoffS = Math.min(2 ** deliveries, 900);
      this.log.warn(
        `job ${jobId} failed (delivery ${deliveries}), visible again in ${backoffS} s: ${(e as Error).message}`,
      );
      await this.client
        .send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: url,
            ReceiptHandle: m.ReceiptHandle,
            VisibilityTimeout: backoffS,
          }),
        )
        .catch(() => undefined);
      return;
    }
    clearInterval(beat);
    await this.delete(m, `job ${jobId}`);
  }

  /** A failed delete is logged, not thrown: the message comes back and the job's claim makes that a no-op. */
  private async delete(m: Message, what: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteMessageCommand({ QueueUrl: this.options.queueUrl, ReceiptHandle: m.ReceiptHandle }),
      );
    } catch (e) {
      this.log.warn(`delete of ${what} failed (it will be delivered again): ${(e as Error).message}`);
    }
  }
}

/** A pause that a stop cuts short (a loop backing off after errors must not hold up shutdown). */
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
