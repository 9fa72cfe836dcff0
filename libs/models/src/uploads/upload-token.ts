import { SignedTokens } from '@app/storage';

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
  /** The SHA-256 (hex) the file must have, when the client announced one. */
  sha256?: string;
}

/**
 * Upload tokens: the platform's signed-token format (@app/storage SignedTokens, HMAC-SHA256)
 * over the grant, in their own domain. Stateless, so any instance sharing UPLOAD_SIGNING_SECRET
 * accepts them.
 */
export class UploadTokenSigner {
  private readonly tokens: SignedTokens<UploadGrant>;

  constructor(secret?: string) {
    this.tokens = new SignedTokens('model-upload.v1', secret);
  }

  sign(grant: UploadGrant): string {
    return this.tokens.sign(grant);
  }

  /** The grant, or null when the token is malformed or not ours. Expiry is the caller's check. */
  verify(token: string): UploadGrant | null {
    const g = this.tokens.verify(token);
    return g &&
      typeof g.id === 'string' &&
      typeof g.tenantId === 'string' &&
      typeof g.modelId === 'string' &&
      typeof g.fileName === 'string' &&
      Number.isSafeInteger(g.size) &&
      Number.isSafeInteger(g.exp) &&
      (g.sha256 === undefined || (typeof g.sha256 === 'string' && /^[0-9a-f]{64}$/.test(g.sha256)))
      ? g
      : null;
  }
}
