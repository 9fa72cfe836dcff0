import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Stateless signed tokens: base64url(JSON payload) + "." + base64url(HMAC-SHA256 over a domain
 * and the payload). Any process with the same secret accepts them; the signature is compared in
 * constant time and the payload parsed only once it verifies. The domain keeps one kind of token
 * (an upload, a download, a presigned storage URL) from ever passing as another. Hand-written:
 * a JWT library would bring algorithm negotiation we must then forbid, for 20 lines of HMAC.
 */
export class SignedTokens<T> {
  private readonly key: Buffer;

  /**
   * `secret`: a configured string, or key bytes (e.g. derived with HKDF). Without one the key is
   * random: tokens then only verify in the process that signed them.
   */
  constructor(
    private readonly domain: string,
    secret?: string | Buffer,
  ) {
    this.key =
      typeof secret === 'string' && secret
        ? Buffer.from(secret, 'utf8')
        : Buffer.isBuffer(secret)
          ? secret
          : randomBytes(32);
  }

  sign(payload: T): string {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  /** The payload, or null when the token is malformed or not signed by us for this domain. */
  verify(token: string, maxLength = 2048): T | null {
    if (typeof token !== 'string' || token.length > maxLength) return null;
    const [body, sig, extra] = token.split('.');
    if (!body || !sig || extra !== undefined) return null;
    const given = Buffer.from(sig, 'base64url');
    const expected = this.mac(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
    } catch {
      return null;
    }
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.key).update(`${this.domain}.${body}`).digest();
  }
}
