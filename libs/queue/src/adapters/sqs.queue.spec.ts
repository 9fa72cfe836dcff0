import { SqsFake } from '../../../../test/support/sqs-fake';
import { QueueMessage } from '../job-queue.port';
import { SqsQueue } from './sqs.queue';

// The SQS driver against a fake SQS at the wire (the SDK's JSON protocol): nothing mocked in the SDK.
describe('SqsQueue (against a fake SQS endpoint)', () => {
  let fake: SqsFake;
  let url: string;
  const queues: SqsQueue[] = [];
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

  beforeAll(async () => {
    // The SDK signs every request; the fake does not check, but the client needs credentials.
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
    fake = await new SqsFake().start();
  });
  afterAll(async () => {
    await fake.stop();
    process.env.AWS_ACCESS_KEY_ID = saved.id;
    process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
  });
  beforeEach(() => {
    url = fake.createQueue(`jobs-${Math.random().toString(36).slice(2, 8)}`);
  });
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((q) => q.close()));
  });

  const queue = () => {
    const q = new SqsQueue({
      queueUrl: url,
      endpoint: fake.endpoint,
      region: 'us-east-1',
      visibilityTimeoutS: 1,
      waitTimeS: 1,
    });
    queues.push(q);
    return q;
  };
  const until = async (ok: () => boolean, what: string, ms = 8_000) => {
    const deadline = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  it('sends, receives and deletes a handled message', async () => {
    const q = queue();
    await q.enqueue('job_1');
    expect(fake.calls('SendMessage')).toHaveLength(1);
    expect(await q.ping()).toEqual({ driver: 'sqs', depth: 1, inFlight: 0 });
    const seen: QueueMessage[] = [];
    await q.consume(async (m) => void seen.push(m), 2);
    await until(() => fake.messages(url).length === 0, 'the message to be deleted');
    expect(seen).toEqual([{ jobId: 'job_1', deliveries: 1 }]);
    expect(fake.calls('DeleteMessage')).toHaveLength(1);
  });

  it('a handler that throws: the message comes back after its visibility timeout, with the receive count', async () => {
    const q = queue();
    await q.enqueue('job_2');
    const seen: QueueMessage[] = [];
    await q.consume(async (m) => {
      seen.push(m);
      if (m.deliveries === 1) throw new Error('transient');
    }, 1);
    // First delivery fails: visible again in 2^1 s (backoff), then handled and deleted.
    await until(() => seen.length === 2 && fake.messages(url).length === 0, 'the redelivery', 10_000);
    expect(seen.map((m) => m.deliveries)).toEqual([1, 2]);
    expect(fake.calls('ChangeMessageVisibility').some((c) => c.body.VisibilityTimeout === 2)).toBe(true);
  }, 15_000);

  it('a consumer that dies mid-message: another receives it once the visibility timeout ends', async () => {
    await queue().enqueue('job_3');
    // A bare receive that is never deleted or extended: what a killed worker leaves behind.
    const dead = fake.calls('ReceiveMessage').length;
    await fetch(fake.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'AmazonSQS.ReceiveMessage', 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({ QueueUrl: url, VisibilityTimeout: 1 }),
    });
    expect(fake.calls('ReceiveMessage')).toHaveLength(dead + 1);
    expect(fake.messages(url)).toEqual([{ body: JSON.stringify({ jobId: 'job_3' }), receiveCount: 1, visible: false }]);
    const seen: QueueMessage[] = [];
    const started = Date.now();
    await queue().consume(async (m) => void seen.push(m), 1);
    await until(() => seen.length === 1, 'the redelivery');
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(seen).toEqual([{ jobId: 'job_3', deliveries: 2 }]);
    await until(() => fake.messages(url).length === 0, 'the delete');
  });

  it('keeps a long-running message hidden (visibility extended) so no other consumer gets it', async () => {
    await queue().enqueue('job_4');
    const seen: string[] = [];
    const slow = async () => {
      seen.push('a');
      await new Promise((r) => setTimeout(r, 2_500));
    };
    await queue().consume(slow, 1);
    await until(() => seen.length === 1, 'the first delivery');
    await queue().consume(async () => void seen.push('b'), 1);
    await until(() => fake.messages(url).length === 0, 'the slow handler to finish', 8_000);
    expect(seen).toEqual(['a']);
    expect(fake.calls('ChangeMessageVisibility').length).toBeGreaterThanOrEqual(2);
  }, 15_000);

  it('a failed delete does not stop the consumer: the message comes back and later ones still flow', async () => {
    const q = queue();
    // Three times: the SDK itself retries a 500 (3 attempts by default) before giving up.
    fake.failNext('DeleteMessage', 3);
    await q.enqueue('job_5');
    const seen: string[] = [];
    await q.consume(async (m) => void seen.push(`${m.jobId}#${m.deliveries}`), 1);
    await until(() => seen.length === 1, 'the first delivery');
    await q.enqueue('job_6');
    await until(() => fake.messages(url).length === 0, 'both messages to be deleted', 10_000);
    expect(seen).toEqual(expect.arrayContaining(['job_5#1', 'job_5#2', 'job_6#1']));
  }, 15_000);

  it('drops a malformed message, and stops quickly even in the middle of a long poll', async () => {
    const q = queue();
    await fetch(fake.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'AmazonSQS.SendMessage' },
      body: JSON.stringify({ QueueUrl: url, MessageBody: 'not json' }),
    });
    const seen: unknown[] = [];
    await q.consume(async (m) => void seen.push(m), 1);
    await until(() => fake.messages(url).length === 0, 'the malformed message to be dropped');
    expect(seen).toEqual([]);
    const t0 = Date.now();
    await q.stopConsuming();
    expect(Date.now() - t0).toBeLessThan(500);
  });
});
