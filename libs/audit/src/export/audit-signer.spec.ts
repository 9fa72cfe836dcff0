import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadAuditConfig } from '../audit.config';
import { AuditSigner } from './audit-signer';

describe('AuditSigner', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'audit-signer-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('embedded: generates one Ed25519 key in DATA_DIR (mode 600) and keeps using it', async () => {
    const config = loadAuditConfig({ DATA_DIR: dir, DATABASE_URL: undefined, NODE_ENV: 'development' }, {});
    const a = new AuditSigner(config);
    const sig = await a.sign(Buffer.from('digest'));
    const file = path.join(dir, 'audit-signing-key.pem');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
    const b = new AuditSigner(config);
    expect(await b.keyId()).toBe(await a.keyId());
    expect(await b.verify(Buffer.from('digest'), sig, await a.keyId())).toBe(true);
    expect(await b.verify(Buffer.from('digest!'), sig, await a.keyId())).toBe(false);
  });

  it('with a database server and no configured key it refuses to sign (a local key would be lost)', async () => {
    const config = loadAuditConfig({ DATA_DIR: dir, DATABASE_URL: 'postgres://db/x', NODE_ENV: 'production' }, {});
    await expect(new AuditSigner(config).sign(Buffer.from('x'))).rejects.toMatchObject({
      reason: 'AUDIT_SIGNING_KEY_MISSING',
    });
  });

  it('uses AUDIT_SIGNING_KEY (PEM with literal \\n) and rejects a key that is not Ed25519', async () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const signer = new AuditSigner(
      loadAuditConfig(
        { DATA_DIR: dir, DATABASE_URL: 'postgres://db/x', NODE_ENV: 'production' },
        { AUDIT_SIGNING_KEY: pem.replace(/\n/g, '\\n') },
      ),
    );
    expect(await signer.keyId()).toMatch(/^ed25519:[0-9a-f]{16}$/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    await expect(
      new AuditSigner(
        loadAuditConfig(
          { DATA_DIR: dir, DATABASE_URL: 'postgres://db/x', NODE_ENV: 'production' },
          { AUDIT_SIGNING_KEY: rsa },
        ),
      ).keyId(),
    ).rejects.toThrow(/Ed25519/);
  });
});
