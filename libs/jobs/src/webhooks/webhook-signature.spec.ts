import { randomBytes } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { standardWebhookHeaders } from './webhook-signature';

describe('job webhook signatures (Standard Webhooks)', () => {
  const body = JSON.stringify({ type: 'inference_job.succeeded', job: { id: 'job_1' } });

  it('verify with the reference library; a stale timestamp or another key is refused', () => {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const headers = standardWebhookHeaders(secret, 'msg_job_1', body);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    const stale = standardWebhookHeaders(secret, 'msg_job_1', body, new Date(Date.now() - 3_600_000));
    expect(() => new Webhook(secret).verify(body, stale)).toThrow(WebhookVerificationError);
    expect(() => new Webhook(`whsec_${randomBytes(24).toString('base64')}`).verify(body, headers)).toThrow(
      WebhookVerificationError,
    );
  });

  it('a secret issued before the switch (base64url) signs with the same key bytes', () => {
    let key = randomBytes(24);
    while (!/[-_]/.test(key.toString('base64url'))) key = randomBytes(24);
    const headers = standardWebhookHeaders(`whsec_${key.toString('base64url')}`, 'msg_job_2', body);
    expect(new Webhook(`whsec_${key.toString('base64')}`).verify(body, headers)).toEqual(JSON.parse(body));
  });
});
