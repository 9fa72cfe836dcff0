import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { JobError, JobErrorReason } from '../job.error';

// Addresses a webhook must never reach: this host, private networks, link-local (cloud
// metadata at 169.254.169.254), CGNAT, multicast and reserved ranges, in IPv4 and IPv6.
const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
] as const)
  blocked.addSubnet(net, bits, 'ipv6');

/** True for an address a webhook may not be sent to (IPv4-mapped IPv6 is checked as IPv4). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address) ?? /^64:ff9b::(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1], 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Parses a webhook URL and refuses one aimed at a private address: every address its host
 * resolves to is checked (a name with one public and one private address is refused).
 * The sender checks again at connect time, so a DNS answer that changes later cannot slip in.
 */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw JobError.invalid(JobErrorReason.INVALID_WEBHOOK_URL, 'webhookUrl is not a valid URL', {
      field: 'webhookUrl',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw JobError.invalid(JobErrorReason.INVALID_WEBHOOK_URL, 'webhookUrl must be http or https', {
      field: 'webhookUrl',
    });
  if (url.username || url.password)
    throw JobError.invalid(JobErrorReason.INVALID_WEBHOOK_URL, 'webhookUrl must not carry credentials', {
      field: 'webhookUrl',
    });
  if (raw.length > 2048)
    throw JobError.invalid(JobErrorReason.INVALID_WEBHOOK_URL, 'webhookUrl is too long', { field: 'webhookUrl' });
  if (allowPrivate) return url;
  const addresses = await resolveAll(url.hostname);
  if (!addresses.length || addresses.some(isPrivateAddress)) {
    throw JobError.invalid(JobErrorReason.PRIVATE_WEBHOOK_URL, 'webhookUrl must point to a public address', {
      field: 'webhookUrl',
    });
  }
  return url;
}

export async function resolveAll(hostname: string): Promise<string[]> {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return [host];
  try {
    return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    throw JobError.invalid(JobErrorReason.INVALID_WEBHOOK_URL, `webhookUrl host "${host}" does not resolve`, {
      field: 'webhookUrl',
    });
  }
}
