import { createHash, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';

interface FakeMessage {
  id: string;
  body: string;
  visibleAt: number;
  receiveCount: number;
  /** Only the latest receipt handle is valid, as on SQS. */
  receipt?: string;
}

export interface SqsFakeCall {
  action: string;
  body: Record<string, unknown>;
}

class SqsFault extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly queryCode: string,
    message: string,
  ) {
    super(message);
  }
}

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

/**
 * Amazon SQS at the wire, for tests: the JSON protocol the AWS SDK v3 client speaks
 * (POST /, `x-amz-target: AmazonSQS.<Action>`, JSON in and out). In memory; SendMessage,
 * ReceiveMessage (long polling, visibility timeout, ApproximateReceiveCount), DeleteMessage,
 * ChangeMessageVisibility and GetQueueAttributes. Signatures are not checked.
 * `failNext(action)` makes the next call of that action answer 500 (a fault to recover from).
 */
export class SqsFake {
  port = 0;
  private server?: Server;
  private readonly queues = new Map<string, FakeMessage[]>();
  private readonly failures = new Map<string, number>();
  private readonly log: SqsFakeCall[] = [];

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Creates (or empties) a queue; returns its URL. */
  createQueue(name: string): string {
    const url = `${this.endpoint}/000000000000/${name}`;
    this.queues.set(url, []);
    return url;
  }

  failNext(action: string, times = 1): void {
    this.failures.set(action, (this.failures.get(action) ?? 0) + times);
  }

  calls(action?: string): SqsFakeCall[] {
    return this.log.filter((c) => !action || c.action === action);
  }

  /** Messages still in the queue (visible or in flight). */
  messages(url: string): { body: string; receiveCount: number; visible: boolean }[] {
    return this.queue(url).map((m) => ({
      body: m.body,
      receiveCount: m.receiveCount,
      visible: m.visibleAt <= Date.now(),
    }));
  }

  private queue(url: unknown): FakeMessage[] {
    const q = this.queues.get(String(url));
    if (!q)
      throw new SqsFault(
        400,
        'com.amazonaws.sqs#QueueDoesNotExist',
        'AWS.SimpleQueueService.NonExistentQueue',
        'The specified queue does not exist.',
      );
    return q;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const action = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : '';
    try {
      const body: Record<string, unknown> = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      this.log.push({ action, body });
      const failing = this.failures.get(action) ?? 0;
      if (failing > 0) {
        this.failures.set(action, failing - 1);
        throw new SqsFault(500, 'com.amazonaws.sqs#InternalError', 'InternalError', 'injected fault');
      }
      const out = await this.dispatch(action, body, req);
      this.reply(res, 200, out);
    } catch (e) {
      const f =
        e instanceof SqsFault
          ? e
          : new SqsFault(400, 'com.amazonaws.sqs#InvalidParameterValue', 'InvalidParameterValue', (e as Error).message);
      this.reply(
        res,
        f.status,
        { __type: f.type, message: f.message },
        { 'x-amzn-query-error': `${f.queryCode};${f.status >= 500 ? 'Receiver' : 'Sender'}` },
      );
    }
  }

  private reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.destroyed) return;
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': randomUUID(),
      ...headers,
    });
    res.end(JSON.stringify(body));
  }

  private async dispatch(action: string, b: Record<string, unknown>, req: IncomingMessage): Promise<unknown> {
    switch (action) {
      case 'SendMessage': {
        const q = this.queue(b.QueueUrl);
        if (typeof b.MessageBody !== 'string' || !b.MessageBody) throw new Error('MessageBody is required');
        const m: FakeMessage = {
          id: randomUUID(),
          body: b.MessageBody,
          visibleAt: Date.now() + Number(b.DelaySeconds ?? 0) * 1000,
          receiveCount: 0,
        };
        q.push(m);
        return { MessageId: m.id, MD5OfMessageBody: md5(m.body) };
      }
      case 'ReceiveMessage':
        return this.receive(b, req);
      case 'DeleteMessage': {
        const q = this.queue(b.QueueUrl);
        // A stale receipt handle "succeeds" without deleting, as on SQS.
        const i = q.findIndex((m) => m.receipt && m.receipt === b.ReceiptHandle);
        if (i >= 0) q.splice(i, 1);
        return {};
      }
      case 'ChangeMessageVisibility': {
        const m = this.queue(b.QueueUrl).find((x) => x.receipt && x.receipt === b.ReceiptHandle);
        if (!m || m.visibleAt <= Date.now())
          throw new SqsFault(
            400,
            'com.amazonaws.sqs#MessageNotInflight',
            'AWS.SimpleQueueService.MessageNotInflight',
            'The message referred to is not in flight.',
          );
        m.visibleAt = Date.now() + Number(b.VisibilityTimeout ?? 0) * 1000;
        return {};
      }
      case 'GetQueueAttributes': {
        const q = this.queue(b.QueueUrl);
        const now = Date.now();
        return {
          Attributes: {
            ApproximateNumberOfMessages: String(q.filter((m) => m.visibleAt <= now).length),
            ApproximateNumberOfMessagesNotVisible: String(q.filter((m) => m.visibleAt > now).length),
          },
        };
      }
      default:
        throw new SqsFault(
          400,
          'com.amazonaws.sqs#InvalidAction',
          'InvalidAction',
          `unsupported action ${action || '(no x-amz-target)'}`,
        );
    }
  }

  /** Long polling: waits up to WaitTimeSeconds for a visible message; gives up if the client goes. */
  private async receive(b: Record<string, unknown>, req: IncomingMessage): Promise<unknown> {
    const q = this.queue(b.QueueUrl);
    const max = Math.min(Number(b.MaxNumberOfMessages ?? 1), 10);
    const visibilityS = Number(b.VisibilityTimeout ?? 30);
    const deadline = Date.now() + Number(b.WaitTimeSeconds ?? 0) * 1000;
    let gone = false;
    req.socket.once('close', () => (gone = true));
    for (;;) {
      // A client that went away (aborted long poll) must not be handed messages it never reads.
      if (gone) return { Messages: [] };
      const now = Date.now();
      const ready = q.filter((m) => m.visibleAt <= now).slice(0, max);
      if (ready.length || now >= deadline) {
        return {
          Messages: ready.map((m) => {
            m.receiveCount++;
            m.receipt = randomUUID();
            m.visibleAt = now + visibilityS * 1000;
            return {
              MessageId: m.id,
              ReceiptHandle: m.receipt,
              MD5OfBody: md5(m.body),
              Body: m.body,
              Attributes: { ApproximateReceiveCount: String(m.receiveCount) },
            };
          }),
        };
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
