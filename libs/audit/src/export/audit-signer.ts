import { KeyObject, createPrivateKey, createPublicKey, generateKeyPairSync, hkdfSync, sign, verify } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256Hex, ErrorCode } from '@app/common';
import { AuditError, AuditErrorReason } from '../audit.error';
import type { AuditConfig } from '../audit.config';

export const keyIdOf = (publicKey: KeyObject): string =>
  `ed25519:${sha256Hex(publicKey.export({ type: 'spki', format: 'der' })).slice(0, 16)}`;

export const publicKeyFromBase64 = (spkiDerBase64: string): KeyObject =>
  createPublicKey({ key: Buffer.from(spkiDerBase64, 'base64'), format: 'der', type: 'spki' });

/**
 * The Ed25519 key that signs export digests (and so the anchors verification starts from after
 * a purge). From AUDIT_SIGNING_KEY(_FILE); in embedded mode, generated once and kept in
 * DATA_DIR. Loaded on first use: booting the API writes nothing.
 */
export class AuditSigner {
  private loaded?: Promise<{ privateKey: KeyObject; publicKey: KeyObject; keyId: string }>;

  constructor(private readonly config: AuditConfig) {}

  async keyId(): Promise<string> {
    return (await this.key()).keyId;
  }

  async publicKey(): Promise<{ keyId: string; spkiBase64: string; pem: string }> {
    const { publicKey, keyId } = await this.key();
    return {
      keyId,
      spkiBase64: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
      pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  }

  async sign(message: Buffer): Promise<string> {
    return sign(null, message, (await this.key()).privateKey).toString('base64');
  }

  /**
   * A 32-byte secret for `purpose`, derived (HKDF-SHA256) from the signing key: every process
   * configured with the same AUDIT_SIGNING_KEY gets the same one, and it reveals nothing of the key.
   */
  async derivedSecret(purpose: string): Promise<Buffer> {
    const der = (await this.key()).privateKey.export({ type: 'pkcs8', format: 'der' });
    return Buffer.from(hkdfSync('sha256', der, 'mas-audit', purpose, 32));
  }

  /** Verifies with this signer's key; a signature by any other key does not verify. */
  async verify(message: Buffer, signatureBase64: string, keyId: string): Promise<boolean> {
    const key = await this.key();
    if (keyId !== key.keyId) return false;
    return verify(null, message, key.publicKey, Buffer.from(signatureBase64, 'base64'));
  }

  private key() {
    this.loaded ??= this.load().catch((e) => {
      this.loaded = undefined;
      throw e;
    });
    return this.loaded;
  }

  private async load() {
    const pem = await this.configuredPem();
    const privateKey = createPrivateKey(pem);
    if (privateKey.asymmetricKeyType !== 'ed25519')
      throw new Error('AUDIT_SIGNING_KEY must be an Ed25519 private key (PKCS#8 PEM)');
    const publicKey = createPublicKey(privateKey);
    return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
  }

  private async configuredPem(): Promise<string> {
    if (this.config.AUDIT_SIGNING_KEY) return this.config.AUDIT_SIGNING_KEY.replace(/\\n/g, '\n');
    if (this.config.AUDIT_SIGNING_KEY_FILE) return readFile(this.config.AUDIT_SIGNING_KEY_FILE, 'utf8');
    if (!this.config.embedded) {
      // A generated key on a server's (or Lambda's) local disk would be lost with it.
      throw new AuditError(ErrorCode.INTERNAL, 'audit export signing key not configured (AUDIT_SIGNING_KEY)', {
        reason: AuditErrorReason.SIGNING_KEY_MISSING,
      });
    }
    const file = path.join(this.config.dataDir, 'audit-signing-key.pem');
    try {
      return await readFile(file, 'utf8');
    } catch {
      const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      await mkdir(this.config.dataDir, { recursive: true });
      try {
        await writeFile(file, pem, { mode: 0o600, flag: 'wx' });
        return pem;
      } catch {
        return readFile(file, 'utf8'); // another process won the race: use its key
      }
    }
  }
}
