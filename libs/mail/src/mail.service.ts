import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Transporter } from 'nodemailer';
import { randomToken } from '@app/common';
import { MAIL_CONFIG, MailConfig } from './mail-config';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** The links the message carries: logged in file mode so a laptop user can click them. */
  links?: string[];
}

/**
 * Sends the platform's e-mails: through SMTP (nodemailer) when SMTP_URL is set; otherwise each
 * message becomes an .eml file in DATA_DIR/mail and its links are logged, so that sign-up and
 * password reset work on a laptop with nothing installed.
 *
 * `enqueue` never makes a request wait for (or fail on) the mail server: an answer must take as
 * long, and say the same, whether or not a message was sent.
 */
@Injectable()
export class MailService implements OnApplicationShutdown {
  private readonly log = new Logger('Mail');
  private transportMade?: Transporter;
  private readonly pending = new Set<Promise<void>>();

  constructor(@Inject(MAIL_CONFIG) private readonly config: MailConfig) {}

  /** Made on the first message, not at start: a cold start does not load nodemailer. */
  private get transport(): Transporter {
    if (!this.transportMade) {
      const nodemailer = require('nodemailer') as typeof import('nodemailer');
      this.transportMade = this.config.smtpUrl
        ? nodemailer.createTransport(this.config.smtpUrl)
        : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    }
    return this.transportMade;
  }

  get mode(): 'smtp' | 'files' {
    return this.config.smtpUrl ? 'smtp' : 'files';
  }

  /** `<PUBLIC_URL><path>?<params>` */
  link(pathname: string, params: Record<string, string>): string {
    return `${this.config.publicUrl}${pathname}?${new URLSearchParams(params).toString()}`;
  }

  async send(message: MailMessage): Promise<void> {
    const info = await this.transport.sendMail({
      from: this.config.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
    });
    if (this.config.smtpUrl) return;
    await mkdir(this.config.outboxDir, { recursive: true });
    const file = path.join(
      this.config.outboxDir,
      `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomToken(4)}.eml`,
    );
    await writeFile(file, info.message as Buffer, { mode: 0o600 });
    // Embedded mode only: with no mail server, the log is how the person at the laptop gets the link.
    this.log.log(
      `e-mail to ${message.to} (${message.subject}) written to ${file}${message.links?.length ? `; links: ${message.links.join(' ')}` : ''}`,
    );
  }

  /** Sends in the background; a failure is logged, never thrown to the caller. */
  enqueue(message: MailMessage): void {
    const p = this.send(message)
      .catch((e) => this.log.error(`e-mail "${message.subject}" not sent: ${(e as Error).message}`))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Waits for messages still being sent (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.drain();
    this.transportMade?.close();
  }
}
