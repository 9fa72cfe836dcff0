import { Inject, Injectable } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode } from '@app/common';
import { TenantPrisma } from '@app/db';
import { AuditService } from '@app/audit';
import { ArtifactDigest, sha256Of } from '@app/inference';
import { isSafeArtifactPath } from '../artifacts/artifact-store';
import { ModelError, ModelErrorReason } from '../model.error';
import { MODELS_CONFIG, ModelsConfig } from '../models.config';
import { Actor } from '../registry/model-catalog.service';
import { ModelRegistry } from '../registry/model-registry.service';
import { ArtifactResolver } from '../registry/artifact-resolver';
import { DownloadTokenSigner } from './download-token';
import { ModelDownload } from './model-download.types';

const TYPES: Record<string, string> = { json: 'application/json', bin: 'application/octet-stream' };

/**
 * Takes a version out of the platform, for the edge: a signed URL of its model.json whose shards
 * resolve beside it, so TF.js in a browser or on a device loads it as is. Every URL issued is
 * audited; the model's owner can switch downloads off, which also stops URLs already handed out.
 */
@Injectable()
export class ModelDownloadService {
  private readonly signer: DownloadTokenSigner;

  constructor(
    private readonly tenants: TenantPrisma,
    private readonly audit: AuditService,
    private readonly registry: ModelRegistry,
    private readonly artifacts: ArtifactResolver,
    @Inject(MODELS_CONFIG) private readonly config: ModelsConfig,
  ) {
    this.signer = new DownloadTokenSigner(config.uploadSigningSecret);
  }

  async issue(tenantId: string, who: Actor, name: string, ref: string): Promise<ModelDownload> {
    const { model, version } = await this.find(tenantId, name, ref);
    if (!model.downloadsEnabled) throw this.disabled(name);
    const files = digests(version.files);
    if (!files.some((f) => f.path === 'model.json')) {
      throw new ModelError(
        ErrorCode.CONFLICT,
        `version ${version.version} of "${name}" has no recorded file digests; publish it again`,
        { reason: ModelErrorReason.INVALID_ARTIFACT },
      );
    }
    const exp = Math.floor(Date.now() / 1000) + this.config.downloadTtlSeconds;
    const token = this.signer.sign({ tenantId, versionId: version.id, exp });
    // append() is one statement: the URL is handed out only once its audit event is written.
    await this.audit.append(this.tenants.forTenant(tenantId), tenantId, {
      actor: who.actor,
      action: 'model.download',
      target: { type: 'model_version', id: version.id },
      requestId: who.requestId,
      metadata: { model: name, version: version.version, expiresAt: new Date(exp * 1000).toISOString() },
    });
    return { url: `${this.config.publicUrl}/downloads/${token}/model.json`, expiresAt: new Date(exp * 1000), files };
  }

  /** One file behind a download URL; refused when the token is bad or expired, or the bytes changed. */
  async read(token: string, path: string): Promise<{ bytes: Buffer; contentType: string }> {
    const grant = this.signer.verify(token);
    if (!grant) throw this.invalidToken('the download link is not valid');
    if (grant.exp * 1000 < Date.now()) throw this.invalidToken('the download link has expired');
    const db = this.tenants.forTenant(grant.tenantId);
    const version = await db.modelVersion.findFirst({
      where: { id: grant.versionId },
      include: { model: { select: { downloadsEnabled: true, name: true } } },
    });
    if (!version) throw this.invalidToken('the downloaded version no longer exists');
    if (!version.model.downloadsEnabled) throw this.disabled(version.model.name);
    const file = digests(version.files).find((f) => f.path === path);
    if (!file || !isSafeArtifactPath(path))
      throw ModelError.versionNotFound(version.model.name, `${version.version}/${path}`);
    // A catalog file is checked against this process's own build of it, anything else against the row.
    const artifact = await this.artifacts.resolve(version.artifactUri, digests(version.files));
    const expected = artifact.files?.find((f) => f.path === path)?.sha256 ?? file.sha256;
    const bytes = await readFile(join(artifact.dir, path));
    if (sha256Of(bytes) !== expected) {
      throw new ModelError(ErrorCode.INTERNAL, `artifact file ${path} does not match its recorded SHA-256: refused`, {
        reason: 'ARTIFACT_INTEGRITY',
      });
    }
    return { bytes, contentType: TYPES[path.split('.').pop() ?? ''] ?? 'application/octet-stream' };
  }

  private async find(tenantId: string, name: string, ref: string) {
    const found = await this.registry.findModel(tenantId, name);
    const db = this.tenants.forTenant(tenantId);
    const model = await db.model.findFirst({ where: { id: found.id }, select: { id: true, downloadsEnabled: true } });
    if (!model) throw ModelError.modelNotFound(name);
    const version = /^\d{1,9}$/.test(ref)
      ? await db.modelVersion.findFirst({ where: { modelId: model.id, version: Number(ref) } })
      : (await db.modelAlias.findFirst({ where: { modelId: model.id, name: ref }, include: { version: true } }))
          ?.version;
    if (!version || version.status !== 'READY') throw ModelError.versionNotFound(name, ref);
    return { model, version };
  }

  private disabled(name: string): ModelError {
    return new ModelError(ErrorCode.FORBIDDEN, `downloads of "${name}" are switched off by its owner`, {
      reason: ModelErrorReason.DOWNLOADS_DISABLED,
    });
  }

  private invalidToken(message: string): ModelError {
    return new ModelError(ErrorCode.FORBIDDEN, message, { reason: ModelErrorReason.DOWNLOAD_TOKEN_INVALID });
  }
}

function digests(value: unknown): ArtifactDigest[] {
  return Array.isArray(value) ? (value as ArtifactDigest[]) : [];
}
