import { Logger } from '@nestjs/common';
import {
  ChangeMessageVisibilityCommand, DeleteMessageCommand, GetQueueAttributesCommand, Message, ReceiveMessageCommand, SendMessageCommand, SQSClient,
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
  private readonly loops: Promise<void>[] = [];
  private readonly abort = new AbortController();
  private stopping = false;

  constructor(private readonly options: SqsQueueOptions) {
    this.client = options.client ?? new SQSClient({ region: options.region ?? process.env.AWS_REGION ?? 'us-east-1', endpoint: options.endpoint });
  }

  async enqueue(jobId: string): Promise<void> {
    await this.client.send(new SendMessageCommand({ QueueUrl: this.options.queueUrl, MessageBody: JSON.stringify({ jobId }) }));
  }

  async consume(handler: QueueHandler, concurrency: number): Promise<void> {
    for (let i = 0; i < concurrency; i++) this.loops.push(this.loop(handler));
  }

  async stopConsuming(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    await Promise.allSettled(this.loops);
  }

  async ping(): Promise<Record<string, unknown>> {
    const out = await this.client.send(new GetQueueAttributesCommand({
      QueueUrl: this.options.queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }));
    return { driver: this.driver, depth: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0), inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) };
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
        const out = await this.client.send(new ReceiveMessageCommand({
          QueueUrl: this.options.queueUrl,
          MaxNumberOfMessages: 1,
          WaitTimeSeconds: this.options.waitTimeS ?? 20,
          VisibilityTimeout: this.options.visibilityTimeoutS,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }), { abortSignal: this.abort.signal });
        messages = out.Messages ?? [];
        idleErrors = 0;
      } catch (e) {
        if (this.stopping) return;
        idleErrors++;
        this.log.warn(`receive failed: ${(e as Error).message}`);
        await sleep(Math.min(500 * 2 ** idleErrors, 20_000));
        continue;
      }
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
      await this.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
      return;
    }
    // Keep the message hidden while the job runs, so no other worker receives it meanwhile.
    const beat = setInterval(() => {
      this.client
        .send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: this.options.visibilityTimeoutS }))
        .catch((e: Error) => this.log.warn(`extend visibility of ${jobId}: ${e.message}`));
    }, Math.max(1_000, (this.options.visibilityTimeoutS * 1_000) / 2));
    try {
      await handler({ jobId, deliveries });
      clearInterval(beat);
      await this.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    } catch (e) {
      clearInterval(beat);
      const backoffS = Math.min(2 ** deliveries, 900);
      this.log.warn(`job ${jobId} failed (delivery ${deliveries}), visible again in ${backoffS} s: ${(e as Error).message}`);
      await this.client
        .send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: backoffS }))
        .catch(() => undefined);
    }
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
