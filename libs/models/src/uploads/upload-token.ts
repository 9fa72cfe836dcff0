import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What an upload URL allows: one file of exactly `size` bytes for one model of one tenant, until `exp`. */
export interface UploadGrant {
  /** Upload id: names the staged file. */
  id: string;
  tenantId: string;
  modelId: string;
  fileName: string;
  size: number;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

/**
 * Upload tokens: base64url(JSON grant) + "." + base64url(HMAC-SHA256 of it). Stateless, so any
 * instance sharing the key accepts them; the signature is compared in constant time and the
 * payload is parsed only after it verifies.
 */
export class UploadTokenSigner {
  private readonly key: Buffer;

  constructor(secret?: string) {
    this.key = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  sign(grant: UploadGrant): string {
    const body = Buffer.from(JSON.stringify(grant)).toString('base64url');
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  /** The grant, or null when the token is malformed or not ours. Expiry is the caller's check. */
  verify(token: string): UploadGrant | null {
    if (typeof token !== 'string' || token.length > 2048) return null;
    const [body, sig, extra] = token.split('.');
    if (!body || !sig || extra !== undefined) return null;
    const given = Buffer.from(sig, 'base64url');
    const expected = this.mac(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      const g = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as UploadGrant;
      return typeof g.id === 'string' &&
        typeof g.tenantId === 'string' &&
        typeof g.modelId === 'string' &&
        typeof g.fileName === 'string' &&
        Number.isSafeInteger(g.size) &&
        Number.isSafeInteger(g.exp)
        ? g
        : null;
    } catch {
      return null;
    }
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.key).update(`model-upload.v1.${body}`).digest();
  }
}
