import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, newId } from '@app/common';
import { MODELS_CONFIG, ModelsConfig, UploadGrant, UploadTokenSigner } from '@app/models';
import { TrainingError, TrainingErrorReason } from '../training.error';
import { Actor, checkName, DatasetService } from './dataset.service';
import { Dataset, DatasetFormatEnum } from './dataset.types';

export const DATASET_UPLOAD_PATH = '/uploads/datasets/';

/**
 * Datasets too large for a GraphQL body: a signed, short-lived URL for exactly `sizeBytes`
 * bytes (within the plan's upload limit), PUT as application/octet-stream like model shards.
 * The tokens are the model uploads' format under their own key, so neither kind of URL accepts
 * the other's token. The grant names the dataset id: one URL makes at most one dataset.
 */
@Injectable()
export class DatasetUploadService {
  private readonly signer: UploadTokenSigner;

  constructor(
    private readonly datasets: DatasetService,
    @Inject(MODELS_CONFIG) private readonly config: ModelsConfig,
  ) {
    this.signer = new UploadTokenSigner(
      config.uploadSigningSecret ? `${config.uploadSigningSecret}:datasets` : undefined,
    );
  }

  async create(
    tenantId: string,
    input: { name: string; format: DatasetFormatEnum; sizeBytes: number },
  ): Promise<{ uploadUrl: string; expiresAt: Date }> {
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
    return {
      uploadUrl: `${this.config.publicUrl}${DATASET_UPLOAD_PATH}${this.signer.sign(grant)}`,
      expiresAt: new Date(exp * 1000),
    };
  }

  /** The PUT: the token checked against the caller, exactly the signed number of bytes read, then parsed and stored. */
  async receive(
    tenantId: string,
    who: Actor,
    token: string,
    declaredLength: number | undefined,
    body: Readable,
  ): Promise<Dataset> {
    const g = this.signer.verify(token);
    if (!g || g.tenantId !== tenantId)
      throw new TrainingError(ErrorCode.NOT_FOUND, 'upload not found: the URL is wrong or belongs to someone else', {
        reason: TrainingErrorReason.UPLOAD_TOKEN_INVALID,
      });
    if (g.exp * 1000 <= Date.now())
      throw TrainingError.invalid(
        TrainingErrorReason.UPLOAD_EXPIRED,
        'this upload URL has expired: ask for a new one with createDatasetUpload',
      );
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
