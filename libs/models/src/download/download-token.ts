import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a download URL allows: reading one version's artifact files (of one tenant's view) until `exp`. */
export interface DownloadGrant {
  tenantId: string;
  versionId: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

/**
 * Download tokens: base64url(JSON grant) + "." + base64url(HMAC-SHA256). The token is the only
 * credential a device or browser needs (tf.loadLayersModel sends no headers), so it is short-lived
 * and bound to one version; its HMAC domain differs from upload tokens, so one never passes as the other.
 */
export class DownloadTokenSigner {
  private readonly key: Buffer;

  constructor(secret?: string) {
    this.key = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  sign(grant: DownloadGrant): string {
    const body = Buffer.from(JSON.stringify([grant.tenantId, grant.versionId, grant.exp])).toString('base64url');
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  /** The grant, or null when the token is malformed or not ours. Expiry is the caller's check. */
  verify(token: string): DownloadGrant | null {
    if (typeof token !== 'string' || token.length > 512) return null;
    const [body, sig, extra] = token.split('.');
    if (!body || !sig || extra !== undefined) return null;
    const given = Buffer.from(sig, 'base64url');
    const expected = this.mac(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      const [tenantId, versionId, exp] = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown[];
      if (typeof tenantId !== 'string' || typeof versionId !== 'string' || !Number.isSafeInteger(exp)) return null;
      return { tenantId, versionId, exp: exp as number };
    } catch {
      return null;
    }
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.key).update(`model-download.v1.${body}`).digest();
  }
}
