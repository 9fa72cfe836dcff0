import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { PrismaService } from '@app/db';
import { QUEUE_CONFIG, QueueConfig } from '@app/queue';
import { isPrivateAddress } from './webhook-address-policy';
import { SIGNATURE_HEADER, signWebhook, standardWebhookHeaders } from './webhook-signature';

export interface WebhookDelivery {
  jobId: string;
  url: string;
  secret: string;
  payload: Record<string, unknown>;
}

/**
 * Sends the signed completion webhook, retrying with exponential backoff (at least once: a
 * receiver dedups on the job id). Runs in the background of the worker that finished the job;
 * attempts and the outcome are kept on the job row. Redirects are not followed.
 */
@Injectable()
export class WebhookSender {
  private readonly log = new Logger('Webhooks');
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;

  constructor(
    @Inject(QUEUE_CONFIG) private readonly config: QueueConfig,
    private readonly prisma: PrismaService,
  ) {}

  /** Starts delivery; does not wait for it. */
  send(delivery: WebhookDelivery): void {
    const p: Promise<void> = this.deliver(delivery).then(
      () => undefined,
      (e: Error) => this.log.warn(`webhook for ${delivery.jobId}: ${e.message}`),
    );
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Shutdown: no new retries; waits for attempts in progress. */
  async drain(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.inFlight]);
  }

  async deliver(d: WebhookDelivery): Promise<boolean> {
    const body = JSON.stringify(d.payload);
    for (let attempt = 1; attempt <= this.config.WEBHOOK_MAX_ATTEMPTS; attempt++) {
      let error: string;
      try {
        // One message per job: its webhook-id stays the same across attempts; each attempt is signed anew.
        const headers = {
          ...standardWebhookHeaders(d.secret, `msg_${d.jobId}`, body),
          [SIGNATURE_HEADER]: signWebhook(d.secret, body),
          'x-mas-event': String(d.payload.type),
          'x-mas-delivery': `${d.jobId}.${attempt}`,
        };
        const status = await this.post(d.url, body, headers);
        if (status >= 200 && status < 300) {
          // The job id is the key; the unscoped client is fine for a row this worker just finished.
          await this.prisma.inferenceJob.update({
            where: { id: d.jobId },
            data: { webhookAttempts: attempt, webhookDeliveredAt: new Date(), webhookError: null },
          });
          return true;
        }
        error = `HTTP ${status}`;
      } catch (e) {
        error = (e as Error).message;
      }
      await this.prisma.inferenceJob.update({
        where: { id: d.jobId },
        data: { webhookAttempts: attempt, webhookError: error.slice(0, 500) },
      });
      if (this.stopping || attempt === this.config.WEBHOOK_MAX_ATTEMPTS) break;
      await new Promise((r) => setTimeout(r, this.config.WEBHOOK_BACKOFF_MS * 2 ** (attempt - 1)));
    }
    return false;
  }

  private post(target: string, body: string, headers: Record<string, string>): Promise<number> {
    const url = new URL(target);
    const allowPrivate = this.config.ALLOW_PRIVATE_WEBHOOKS;
    // Checked on the address actually connected to, so DNS rebinding after submit gains nothing.
    const lookup = (
      host: string,
      options: object,
      cb: (e: Error | null, address: string | LookupAddress[], family?: number) => void,
    ) => {
      dnsLookup(host, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
        if (err) return cb(err, []);
        const bad = !allowPrivate && addresses.some((a) => isPrivateAddress(a.address));
        if (bad) return cb(new Error('webhook host resolves to a private address'), []);
        const wantAll = (options as { all?: boolean }).all;
        return wantAll ? cb(null, addresses) : cb(null, addresses[0].address, addresses[0].family);
      });
    };
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = client.request(
        url,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'user-agent': 'mas-webhooks/1',
            ...headers,
          },
          timeout: this.config.WEBHOOK_TIMEOUT_MS,
          lookup: lookup as never,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end(body);
    });
  }
}
