import { Inject, Injectable, Logger } from '@nestjs/common';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { AppError, ErrorCode, newId, sha256Hex } from '@app/common';
import { Prisma, PrismaService, TenantPrisma, isUniqueViolation } from '@app/db';
import { AuditService } from '@app/audit';
import { digestsOf, InferenceRuntime } from '@app/inference';
import { ARTIFACT_STORE, ArtifactFile, ArtifactStore } from '../artifacts/artifact-store';
import { PublishModelVersionInput } from '../dto/model.inputs';
import { ModelVersion } from '../dto/model.types';
import { ModelError, ModelErrorReason } from '../model.error';
import { MODELS_CONFIG, ModelsConfig } from '../models.config';
import { Actor } from '../registry/model-catalog.service';
import { versionSpec } from '../registry/version-spec';
import { versionView } from '../registry/model.view';
import { ModelRegistry } from '../registry/model-registry.service';
import { checkArtifact } from './artifact-manifest-check';
import { ModelUploadService } from '../uploads/model-upload.service';
import { dryRun } from './dry-run';
import { checkSignature } from './signature-check';

const PRICING_UNITS = new Set(['request', 'instance']);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Publishes an uploaded TF.js artifact as the next immutable version of a tenant's model. The
 * artifact is checked, staged in a private folder and dry-run before anything is stored; the
 * version row (READY) and its audit record commit together, and any failure removes the files:
 * a failed upload leaves no row and no files.
 */
@Injectable()
export class ModelPublisher {
  private readonly log = new Logger('ModelPublisher');

  constructor(
    private readonly tenants: TenantPrisma,
    // The plans table is not tenant-owned; it is read only for the caller's own plan.
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly runtime: InferenceRuntime,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    @Inject(MODELS_CONFIG) private readonly config: ModelsConfig,
    private readonly uploads: ModelUploadService,
    private readonly registry: ModelRegistry,
  ) {}

  async publish(tenantId: string, who: Actor, input: PublishModelVersionInput): Promise<ModelVersion> {
    const db = this.tenants.forTenant(tenantId);
    const model = await db.model.findFirst({ where: { name: input.model, tenantId } });
    if (!model) throw ModelError.modelNotFound(input.model);
    if (input.format !== 'layers' && input.format !== 'graph')
      throw AppError.badInput('format must be layers or graph', { field: 'format' });
    const pricingUnit = input.pricingUnit ?? 'instance';
    if (!PRICING_UNITS.has(pricingUnit))
      throw AppError.badInput('pricingUnit must be request or instance', { field: 'pricingUnit' });
    const inputs = checkSignature('inputs', input.inputs);
    const outputs = checkSignature('outputs', input.outputs);
    const uploaded = input.uploadTokens?.length
      ? await this.uploads.take(tenantId, model.id, input.uploadTokens)
      : null;
    const files = await this.decode(tenantId, input.files ?? [], uploaded?.files ?? []);
    const { sizeBytes } = checkArtifact(input.format, files);
    const sha256 = sha256Hex(
      Buffer.concat(files.flatMap((f) => [Buffer.from(`${f.path}\0${f.bytes.length}\0`), f.bytes])),
    );

    const digests = digestsOf(files);
    const versionId = newId('mv');
    const row = {
      id: versionId,
      format: input.format,
      inputs,
      outputs,
      preprocess: null,
      batching: null,
      files: digests,
    };
    mkdirSync(this.config.cacheDir, { recursive: true });
    const staging = await mkdtemp(join(this.config.cacheDir, 'upload-'));
    let uri: string | undefined;
    try {
      await writeFiles(staging, files);
      await dryRun(this.runtime, versionSpec(row, staging));
      uri = await this.store.put(tenantId, versionId, files);
      const created = await db.$transaction(async (tx) => {
        const last = await tx.modelVersion.findFirst({
          where: { modelId: model.id },
          orderBy: { version: 'desc' },
          select: { version: true },
        });
        const version = (last?.version ?? 0) + 1;
        const v = await tx.modelVersion.create({
          data: {
            id: versionId,
            modelId: model.id,
            tenantId,
            version,
            format: input.format,
            status: 'READY',
            inputs: inputs as unknown as Prisma.InputJsonValue,
            outputs: outputs as unknown as Prisma.InputJsonValue,
            pricingUnit,
            unitsPer: 1,
            artifactUri: uri!,
            sizeBytes: BigInt(sizeBytes),
            sha256,
            files: digests as unknown as Prisma.InputJsonValue,
          },
        });
        await this.audit.append(tx, tenantId, {
          actor: who.actor,
          action: 'model.publish',
          target: { type: 'model_version', id: versionId },
          requestId: who.requestId,
          metadata: { model: model.name, version, format: input.format, sizeBytes, sha256 },
        });
        return v;
      });
      // A model that was answering its newest version by default answers this one now.
      this.registry.invalidate(tenantId);
      // The staged uploads are in the artifact store now; a failed publish keeps them for a retry.
      await uploaded
        ?.release()
        .catch((err) => this.log.warn(`staged uploads not removed (the sweep will): ${(err as Error).message}`));
      return versionView(created);
    } catch (e) {
      if (uri)
        await this.store
          .remove(uri)
          .catch((err) => this.log.error(`could not remove ${uri}: ${(err as Error).message}`));
      // Two publishes raced for the same version number: the caller may simply retry.
      if (isUniqueViolation(e))
        throw new AppError(ErrorCode.CONFLICT, 'another version was published at the same time; retry', {
          reason: 'VERSION_CONFLICT',
        });
      throw e;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  private async decode(
    tenantId: string,
    files: NonNullable<PublishModelVersionInput['files']>,
    uploaded: ArtifactFile[],
  ): Promise<ArtifactFile[]> {
    // Plans are global rows; only the caller's own tenant (and so its plan) is read here.
    const tenant = await this.prisma.tenant.findUnique({
      where: { id: tenantId },
      select: { plan: { select: { maxUploadBytes: true } } },
    });
    const limit = Number(tenant?.plan.maxUploadBytes ?? 0n);
    if (!Array.isArray(files) || files.length + uploaded.length === 0 || files.length + uploaded.length > 200) {
      throw AppError.badInput('files and uploadTokens: 1 to 200 files in all (model.json and its shards)', {
        field: 'files',
      });
    }
    const staged = uploaded.reduce((n, f) => n + f.bytes.length, 0);
    // Checked on the encoded size first, so an oversized upload is refused before it is decoded.
    const approx = staged + files.reduce((n, f) => n + Math.floor(((f.contentBase64?.length ?? 0) * 3) / 4), 0);
    if (approx > limit + 2 * files.length) throw this.tooLarge(limit);
    const out = files.map((f) => {
      const b64 = (f.contentBase64 ?? '').replace(/\s+/g, '');
      if (!BASE64.test(b64) || b64.length % 4 !== 0)
        throw ModelError.invalid(ModelErrorReason.INVALID_ARTIFACT, `file "${f.path}" is not valid base64`);
      return { path: f.path, bytes: Buffer.from(b64, 'base64') };
    });
    if (staged + out.reduce((n, f) => n + f.bytes.length, 0) > limit) throw this.tooLarge(limit);
    return [...out, ...uploaded];
  }

  private tooLarge(limit: number): ModelError {
    return ModelError.invalid(
      ModelErrorReason.UPLOAD_TOO_LARGE,
      `the artifact exceeds your plan's upload limit of ${limit} bytes`,
      { limit },
    );
  }
}

/** The checked files into a private folder, for the dry run (paths were checked by checkArtifact). */
async function writeFiles(dir: string, files: ArtifactFile[]): Promise<void> {
  for (const f of files) {
    await mkdir(dirname(join(dir, f.path)), { recursive: true });
    await writeFile(join(dir, f.path), f.bytes);
  }
}
