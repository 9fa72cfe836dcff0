import { z } from 'zod';

const schema = z.object({
  // smtp://user:pass@host:587 or smtps://...; unset: messages are written to DATA_DIR/mail.
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().min(3).default('Model service <no-reply@localhost>'),
  DATA_DIR: z.string().default('./.data'),
  PUBLIC_URL: z.string().url().optional(),
  PORT: z.coerce.number().int().default(3000),
});

export interface MailConfig {
  smtpUrl?: string;
  from: string;
  /** Where messages go without SMTP_URL: one .eml file each. */
  outboxDir: string;
  /** Base of the links in messages. */
  publicUrl: string;
}

export const MAIL_CONFIG = Symbol('MAIL_CONFIG');

/** Reads this library's settings; a bad value stops the process at start with its name. */
export function mailConfigFromEnv(env: NodeJS.ProcessEnv = process.env): MailConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new Error(
      `invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  }
  const c = parsed.data;
  return {
    smtpUrl: c.SMTP_URL,
    from: c.MAIL_FROM,
    outboxDir: `${c.DATA_DIR.replace(/\/+$/, '')}/mail`,
    publicUrl: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, ''),
  };
}
