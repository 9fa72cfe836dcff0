import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AppError, ErrorCode } from '@app/common';
import { PrismaService, TenantPrisma } from '@app/db';
import { BlobExists, type BlobStore } from '@app/storage';
import { isSafeArtifactPath, UPLOAD_STAGING, type ArtifactFile } from '../artifacts/artifact-store';
import { ModelError, ModelErrorReason } from '../model.error';
import { MODELS_CONFIG, type ModelsConfig } from '../models.config';
import { SizeMismatch, UploadStaging } from './upload-staging';
import { UploadTokenSigner, type UploadGrant } from './upload-token';

const SWEEP_EVERY_MS = 5 * 60 * 1000;

export interface CreatedUpload {
  uploadUrl: string;
  /** Headers the PUT must carry as given (signed ones, in S3 mode). */
  headers: { name: string; value: string }[];
  token: string;
  expiresAt: Date;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Model files too large for a GraphQL body: createModelUpload signs a short-lived URL, the client
 * PUTs the raw bytes there, and publishModelVersion takes the staged files by their tokens. In
 * S3 mode the URL is a presigned PUT straight to the bucket (Content-Length, and the SHA-256 when
 * announced, bound in its signature); in local mode it is the api's PUT /uploads/<token>, which
 * streams into the same staging store. Either way the token, not the URL, names what publish
 * may take, and publish checks the staged object's size (and hash) again. Staged files no
 * version took are swept when their URL expires (and by the bucket's lifecycle rule in AWS).
 */
@Injectable()
export class ModelUploadService implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger('ModelUploads');
  private readonly signer: UploadTokenSigner;
  private readonly staging: UploadStaging;
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly tenants: TenantPrisma,
    // Plans are global rows; only the caller's own tenant (and so its plan) is read.
    private readonly prisma: PrismaService,
    @Inject(MODELS_CONFIG) private readonly config: ModelsConfig,
    @Inject(UPLOAD_STAGING) staging: BlobStore,
  ) {
    this.signer = new UploadTokenSigner(config.uploadSigningSecret);
    this.staging = new UploadStaging(staging);
  }

  onModuleInit(): void {
    if (!this.config.uploadSigningSecret && process.env.NODE_ENV === 'production') {
      this.log.warn('UPLOAD_SIGNING_SECRET is not set: upload URLs only work on the instance that issued them');
    }
    this.sweeper = setInterval(
      () => void this.sweep().catch((e) => this.log.warn(`upload sweep failed: ${(e as Error).message}`)),
      SWEEP_EVERY_MS,
    );
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  async create(
    tenantId: string,
    input: { model: string; fileName: string; sizeBytes: number; sha256?: string | null },
  ): Promise<CreatedUpload> {
    const model = await this.tenants
      .forTenant(tenantId)
      .model.findFirst({ where: { name: input.model, tenantId }, select: { id: true } });
    if (!model) throw ModelError.modelNotFound(input.model);
    if (!isSafeArtifactPath(input.fileName))
      throw AppError.badInput(
        'fileName: a relative artifact path (model.json or a shard named in its weightsManifest)',
        { field: 'fileName' },
      );
    if (!Number.isSafeInteger(input.sizeBytes) || input.sizeBytes <= 0)
      throw AppError.badInput('sizeBytes: the exact size of the file, in bytes', { field: 'sizeBytes' });
    const sha256 = input.sha256 ? input.sha256.toLowerCase() : undefined;
    if (sha256 !== undefined && !SHA256_HEX.test(sha256))
      throw AppError.badInput('sha256: the SHA-256 of the file, 64 hex digits', { field: 'sha256' });
    await this.checkPlanLimit(tenantId, input.sizeBytes);
    const exp = Math.floor(Date.now() / 1000) + this.config.uploadTtlSeconds;
    const grant: UploadGrant = {
      id: `up_${randomBytes(16).toString('base64url')}`,
      tenantId,
      modelId: model.id,
      fileName: input.fileName,
      size: input.sizeBytes,
      exp,
      ...(sha256 ? { sha256 } : {}),
    };
    const token = this.signer.sign(grant);
    const expiresAt = new Date(exp * 1000);
    if (this.staging.store.kind === 's3') {
      const put = await this.staging.store.presignPut(this.staging.keyOf(grant), {
        contentLength: grant.size,
        sha256,
        expiresInSeconds: this.config.uploadTtlSeconds,
      });
      return { uploadUrl: put.url, headers: headerList(put.headers), token, expiresAt };
    }
    return {
      uploadUrl: `${this.config.publicUrl}/uploads/${token}`,
      headers: [{ name: 'content-type', value: 'application/octet-stream' }],
      token,
      expiresAt,
    };
  }

  /** The PUT: checks the token against the caller, then streams the body to staging. */
  async receive(
    tenantId: string,
    token: string,
    declaredLength: number | undefined,
    body: Readable,
  ): Promise<{ fileName: string; sizeBytes: number; sha256: string }> {
    const grant = this.grant(tenantId, token);
    // The plan may have shrunk since the URL was issued.
    await this.checkPlanLimit(tenantId, grant.size);
    if (declaredLength !== undefined && declaredLength !== grant.size)
      throw this.sizeMismatch(`Content-Length ${declaredLength} is not the ${grant.size} bytes announced`);
    if (await this.staging.exists(grant))
      throw new ModelError(ErrorCode.CONFLICT, 'this upload URL has already received its file', {
        reason: ModelErrorReason.UPLOAD_ALREADY_RECEIVED,
      });
    let sha256: string;
    try {
      sha256 = await this.staging.receive(grant, body);
    } catch (e) {
      if (e instanceof SizeMismatch) throw this.sizeMismatch(e.message);
      if (e instanceof BlobExists)
        throw new ModelError(ErrorCode.CONFLICT, 'this upload URL is receiving or has received its file', {
          reason: ModelErrorReason.UPLOAD_ALREADY_RECEIVED,
        });
      throw e;
    }
    if (grant.sha256 && grant.sha256 !== sha256) {
      await this.staging.remove(grant);
      throw this.checksumMismatch(grant.fileName);
    }
    return { fileName: grant.fileName, sizeBytes: grant.size, sha256 };
  }

  /** For publishModelVersion: the staged files of these tokens, which must all be for `modelId`. */
  async take(
    tenantId: string,
    modelId: string,
    tokens: string[],
  ): Promise<{ files: ArtifactFile[]; release: () => Promise<void> }> {
    const grants = tokens.map((t) => this.grant(tenantId, t));
    if (grants.some((g) => g.modelId !== modelId))
      throw ModelError.invalid(ModelErrorReason.UPLOAD_TOKEN_INVALID, 'an upload token was issued for another model');
    const files: ArtifactFile[] = [];
    for (const g of grants) {
      const staged = await this.staging.head(g);
      if (!staged)
        throw ModelError.invalid(
          ModelErrorReason.UPLOAD_NOT_RECEIVED,
          `nothing was uploaded for ${g.fileName} yet: PUT the file to its upload URL first`,
          { fileName: g.fileName },
        );
      // A direct PUT to the bucket never passed through us: its size and hash are checked here.
      if (staged.size !== g.size)
        throw this.sizeMismatch(`${g.fileName}: ${staged.size} bytes were uploaded, ${g.size} announced`);
      const bytes = await this.staging.read(g);
      if (bytes.length !== g.size)
        throw this.sizeMismatch(`${g.fileName}: ${bytes.length} bytes were uploaded, ${g.size} announced`);
      if (g.sha256 && createHash('sha256').update(bytes).digest('hex') !== g.sha256)
        throw this.checksumMismatch(g.fileName);
      files.push({ path: g.fileName, bytes });
    }
    // Called once the version exists: its files now live in the artifact store.
    return { files, release: async () => void (await Promise.all(grants.map((g) => this.staging.remove(g)))) };
  }

  sweep(nowSeconds?: number): Promise<number> {
    return this.staging.sweep(nowSeconds);
  }

  /** Another tenant's token looks like no token at all; an expired one says so. */
  private grant(tenantId: string, token: string): UploadGrant {
    const g = this.signer.verify(token);
    if (!g || g.tenantId !== tenantId)
      throw new ModelError(ErrorCode.NOT_FOUND, 'upload not found: the URL is wrong or belongs to someone else', {
        reason: ModelErrorReason.UPLOAD_TOKEN_INVALID,
      });
    if (g.exp * 1000 <= Date.now())
      throw ModelError.invalid(
        ModelErrorReason.UPLOAD_EXPIRED,
        'this upload URL has expired: ask for a new one with createModelUpload',
      );
    return g;
  }

  private async checkPlanLimit(tenantId: string, size: number): Promise<void> {
    const tenant = await this.prisma.tenant.findUnique({
      where: { id: tenantId },
      select: { plan: { select: { maxUploadBytes: true } } },
    });
    const limit = Number(tenant?.plan.maxUploadBytes ?? 0n);
    if (size > limit)
      throw ModelError.invalid(
        ModelErrorReason.UPLOAD_TOO_LARGE,
        `the file exceeds your plan's upload limit of ${limit} bytes`,
        { limit },
      );
  }

  private checksumMismatch(fileName: string): ModelError {
    return ModelError.invalid(
      ModelErrorReason.UPLOAD_CHECKSUM_MISMATCH,
      `${fileName}: the uploaded bytes do not have the SHA-256 announced`,
      { fileName },
    );
  }

  private sizeMismatch(message: string): ModelError {
    return ModelError.invalid(ModelErrorReason.UPLOAD_SIZE_MISMATCH, message);
  }
}

const headerList = (h: Record<string, string>) => Object.entries(h).map(([name, value]) => ({ name, value }));
