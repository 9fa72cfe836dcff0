import type { AddressInfo } from 'node:net';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Received {
  to: string[];
  subject: string;
  text: string;
}

/**
 * A real SMTP server (the smtp-server package) on a free local port that keeps what it is
 * sent, parsed with mailparser. Point the app at it with SMTP_URL=inbox.url.
 */
export async function startSmtpInbox(): Promise<{
  url: string;
  messages: Received[];
  waitFor(match: (m: Received) => boolean, ms?: number): Promise<Received>;
  close(): Promise<void>;
}> {
  const messages: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((m: ParsedMail) => {
          const to = ([] as { text: string }[])
            .concat((m.to as { text: string } | { text: string }[] | undefined) ?? [])
            .map((a) => a.text);
          messages.push({ to, subject: m.subject ?? '', text: m.text ?? '' });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    async waitFor(match, ms = 10_000) {
      for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
        const found = messages.find(match);
        if (found) return found;
      }
      throw new Error(
        `no matching e-mail within ${ms} ms; got: ${JSON.stringify(messages.map((m) => [m.to, m.subject]))}`,
      );
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The token of the first `<path>?token=` link in a message. */
export const tokenIn = (m: Received, pathname: string): string => {
  const found = new RegExp(`${pathname}\\?token=([\\w-]+)`).exec(m.text);
  if (!found) throw new Error(`no ${pathname} link in: ${m.text}`);
  return found[1]!;
};
