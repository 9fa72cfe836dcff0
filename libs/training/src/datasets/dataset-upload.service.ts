import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, newId } from '@app/common';
import type { BlobStore } from '@app/storage';
import {
  MODELS_CONFIG,
  ModelsConfig,
  UPLOAD_STAGING,
  UploadGrant,
  UploadStaging,
  UploadTokenSigner,
} from '@app/models';
import { TrainingError, TrainingErrorReason } from '../training.error';
import { Actor, checkName, DatasetService } from './dataset.service';
import { Dataset, DatasetFormatEnum } from './dataset.types';

export const DATASET_UPLOAD_PATH = '/uploads/datasets/';

/**
 * Datasets too large for a GraphQL body: a signed, short-lived URL for exactly `sizeBytes`
 * bytes (within the plan's upload limit). In local mode it is the api's PUT (answering 201 with
 * the Dataset); in S3 mode a presigned PUT straight to the bucket's staging prefix (Content-Length
 * bound in the signature), after which completeDatasetUpload(token) checks the staged object's
 * size and makes the dataset. The tokens are the model uploads' format under their own key, so
 * neither kind of URL accepts the other's token. The grant names the dataset id: one URL makes
 * at most one dataset.
 */
@Injectable()
export class DatasetUploadService {
  private readonly signer: UploadTokenSigner;
  private readonly staging: UploadStaging;

  constructor(
    private readonly datasets: DatasetService,
    @Inject(MODELS_CONFIG) private readonly config: ModelsConfig,
    @Inject(UPLOAD_STAGING) staging: BlobStore,
  ) {
    this.signer = new UploadTokenSigner(
      config.uploadSigningSecret ? `${config.uploadSigningSecret}:datasets` : undefined,
    );
    this.staging = new UploadStaging(staging);
  }

  async create(
    tenantId: string,
    input: { name: string; format: DatasetFormatEnum; sizeBytes: number },
  ): Promise<{ uploadUrl: string; headers: { name: string; value: string }[]; token: string; expiresAt: Date }> {
    const name = checkName(input.name);
    if (input.format !== 'CSV' && input.format !== 'JSONL')
      throw TrainingError.invalid(TrainingErrorReason.INVALID_FORMAT, 'format must be CSV or JSONL', {
        field: 'format',
      });
    if (!Number.isSafeInteger(input.sizeBytes) || input.sizeBytes <= 0)
      throw TrainingError.invalid(
        TrainingErrorReason.INVALID_PARAMETER,
        'sizeBytes: the exact size of the file, in bytes',
        { field: 'sizeBytes' },
      );
    await this.datasets.checkSize(tenantId, input.sizeBytes);
    const exp = Math.floor(Date.now() / 1000) + this.config.uploadTtlSeconds;
    // fileName carries the format and the name (base64url: any characters the name allows).
    const grant: UploadGrant = {
      id: newId('ds'),
      tenantId,
      modelId: '',
      fileName: `${input.format}:${Buffer.from(name).toString('base64url')}`,
      size: input.sizeBytes,
      exp,
    };
    const token = this.signer.sign(grant);
    const expiresAt = new Date(exp * 1000);
    if (this.staging.store.kind === 's3') {
      const put = await this.staging.store.presignPut(this.staging.keyOf(grant), {
        contentLength: grant.size,
        expiresInSeconds: this.config.uploadTtlSeconds,
      });
      return {
        uploadUrl: put.url,
        headers: Object.entries(put.headers).map(([name, value]) => ({ name, value })),
        token,
        expiresAt,
      };
    }
    return {
      uploadUrl: `${this.config.publicUrl}${DATASET_UPLOAD_PATH}${token}`,
      headers: [{ name: 'content-type', value: 'application/octet-stream' }],
      token,
      expiresAt,
    };
  }

  /**
   * After the PUT: the dataset of this upload. In S3 mode it is made here from the staged object
   * (its size checked against the grant, then the object removed); in local mode the PUT made it
   * already and this returns it. Calling it again returns the same dataset.
   */
  async complete(tenantId: string, who: Actor, token: string): Promise<Dataset> {
    const g = this.grant(tenantId, token, { expired: false });
    const existing = await this.datasets.find(tenantId, g.id);
    if (existing) return existing;
    if (g.exp * 1000 <= Date.now()) throw expired();
    const staged = await this.staging.head(g);
    if (!staged)
      throw TrainingError.invalid(
        TrainingErrorReason.UPLOAD_NOT_RECEIVED,
        'nothing was uploaded to this URL yet: PUT the file to uploadUrl first',
      );
    if (staged.size !== g.size) throw mismatch(`${staged.size} bytes were uploaded, ${g.size} announced`);
    await this.datasets.checkSize(tenantId, g.size);
    const bytes = await this.staging.read(g);
    if (bytes.length !== g.size) throw mismatch(`${bytes.length} bytes were uploaded, ${g.size} announced`);
    const [format, name64] = g.fileName.split(':');
    const dataset = await this.datasets.createFromBytes(tenantId, who, {
      id: g.id,
      name: Buffer.from(name64, 'base64url').toString('utf8'),
      format: format as DatasetFormatEnum,
      bytes,
    });
    await this.staging.remove(g).catch(() => undefined); // the sweep takes it otherwise
    return dataset;
  }

  /** Staged dataset files whose URL expired (S3 mode; the bucket's lifecycle rule does the same in AWS). */
  sweep(nowSeconds?: number): Promise<number> {
    return this.staging.sweep(nowSeconds);
  }

  /** Another tenant's token looks like no token at all; an expired one says so. */
  private grant(tenantId: string, token: string, o: { expired: boolean } = { expired: true }): UploadGrant {
    const g = this.signer.verify(token);
    if (!g || g.tenantId !== tenantId || g.modelId !== '')
      throw new TrainingError(ErrorCode.NOT_FOUND, 'upload not found: the URL is wrong or belongs to someone else', {
        reason: TrainingErrorReason.UPLOAD_TOKEN_INVALID,
      });
    if (o.expired && g.exp * 1000 <= Date.now()) throw expired();
    return g;
  }

  /** The PUT: the token checked against the caller, exactly the signed number of bytes read, then parsed and stored. */
  async receive(
    tenantId: string,
    who: Actor,
    token: string,
    declaredLength: number | undefined,
    body: Readable,
  ): Promise<Dataset> {
    const g = this.grant(tenantId, token);
    if (declaredLength !== undefined && declaredLength !== g.size)
      throw mismatch(`Content-Length ${declaredLength} is not the ${g.size} bytes announced`);
    // The plan may have shrunk since the URL was issued.
    await this.datasets.checkSize(tenantId, g.size);
    const [format, name64] = g.fileName.split(':');
    const bytes = await readExactly(body, g.size);
    return this.datasets.createFromBytes(tenantId, who, {
      id: g.id,
      name: Buffer.from(name64, 'base64url').toString('utf8'),
      format: format as DatasetFormatEnum,
      bytes,
    });
  }
}

const expired = () =>
  TrainingError.invalid(
    TrainingErrorReason.UPLOAD_EXPIRED,
    'this upload URL has expired: ask for a new one with createDatasetUpload',
  );
const mismatch = (message: string) => TrainingError.invalid(TrainingErrorReason.UPLOAD_SIZE_MISMATCH, message);

/** Reads the stream, refusing it as soon as it runs past `size` (a body longer than signed is never buffered). */
async function readExactly(body: Readable, size: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += (chunk as Buffer).length;
    if (total > size) {
      body.destroy();
      throw mismatch(`the body is longer than the ${size} bytes announced`);
    }
    chunks.push(chunk as Buffer);
  }
  if (total !== size) throw mismatch(`received ${total} bytes, ${size} were announced`);
  return Buffer.concat(chunks);
}
