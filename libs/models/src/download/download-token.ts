import { SignedTokens } from '@app/storage';

/** What a download URL allows: reading one version's artifact files (of one tenant's view) until `exp`. */
export interface DownloadGrant {
  tenantId: string;
  versionId: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

/**
 * Download tokens, in the platform's one signed-token format (`SignedTokens`). The token is the
 * only credential a device or browser needs (tf.loadLayersModel sends no headers), so it is
 * short-lived and bound to one version; its HMAC domain differs from upload tokens, so one never
 * passes as the other.
 */
export class DownloadTokenSigner {
  private readonly tokens: SignedTokens<unknown[]>;

  constructor(secret?: string) {
    this.tokens = new SignedTokens('model-download.v1', secret);
  }

  sign(grant: DownloadGrant): string {
    return this.tokens.sign([grant.tenantId, grant.versionId, grant.exp]);
  }

  /** The grant, or null when the token is malformed or not ours. Expiry is the caller's check. */
  verify(token: string): DownloadGrant | null {
    const fields = this.tokens.verify(token, 512);
    if (!Array.isArray(fields)) return null;
    const [tenantId, versionId, exp] = fields;
    if (typeof tenantId !== 'string' || typeof versionId !== 'string' || !Number.isSafeInteger(exp)) return null;
    return { tenantId, versionId, exp: exp as number };
  }
}
