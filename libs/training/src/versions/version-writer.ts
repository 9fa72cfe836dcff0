import { Inject, Injectable, Logger } from '@nestjs/common';
import { sha256Hex } from '@app/common';
import { ModelVersion as VersionRow, Prisma } from '@app/db';
import { AuditEntry, AuditService } from '@app/audit';
import { ARTIFACT_STORE, ArtifactFile, ArtifactStore, ModelRegistry } from '@app/models';
import type { TabularPreprocessing, TensorSignature } from '@app/inference';

export interface NewVersion {
  id: string;
  modelId: string;
  tenantId: string;
  inputs: TensorSignature[];
  outputs: Array<TensorSignature & { labels?: string[] }>;
  /** 'tabular' with its learned preprocessing for trained versions; a copy keeps its parent's. */
  preprocess?: string | null;
  preprocessing: TabularPreprocessing | null;
  pricingUnit?: string;
  unitsPer?: number;
  batching?: unknown;
  metrics: Record<string, unknown>;
  parentVersionId?: string | null;
  quantization?: string | null;
  trainingJobId?: string | null;
  uri: string;
  sizeBytes: number;
  sha256: string;
}

/**
 * Writes versions made on the platform (trained, quantised): files first, then the READY row
 * and its audit record inside the caller's transaction, so a failure leaves either nothing or
 * only files that `discard` removes. Rows are immutable once written, like uploaded versions.
 */
@Injectable()
export class VersionWriter {
  private readonly log = new Logger('VersionWriter');

  constructor(
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    private readonly audit: AuditService,
    private readonly registry: ModelRegistry,
  ) {}

  async storeFiles(
    tenantId: string,
    versionId: string,
    files: ArtifactFile[],
  ): Promise<{ uri: string; sizeBytes: number; sha256: string }> {
    const sizeBytes = files.reduce((n, f) => n + f.bytes.length, 0);
    const sha256 = sha256Hex(
      Buffer.concat(files.flatMap((f) => [Buffer.from(`${f.path}\0${f.bytes.length}\0`), f.bytes])),
    );
    return { uri: await this.store.put(tenantId, versionId, files), sizeBytes, sha256 };
  }

  async discard(uri: string): Promise<void> {
    await this.store.remove(uri).catch((e) => this.log.error(`could not remove ${uri}: ${(e as Error).message}`));
  }

  localDir(uri: string): Promise<string> {
    return this.store.localDir(uri);
  }

  /** The next version number's row, READY, with its audit record, in `tx`. */
  async createRow(
    tx: Prisma.TransactionClient,
    v: NewVersion,
    actor: AuditEntry['actor'],
    requestId: string | null,
    action: string,
  ): Promise<VersionRow> {
    const last = await tx.modelVersion.findFirst({
      where: { modelId: v.modelId },
      orderBy: { version: 'desc' },
      select: { version: true },
    });
    const version = (last?.version ?? 0) + 1;
    const row = await tx.modelVersion.create({
      data: {
        id: v.id,
        modelId: v.modelId,
        tenantId: v.tenantId,
        version,
        format: 'layers',
        status: 'READY',
        inputs: v.inputs as unknown as Prisma.InputJsonValue,
        outputs: v.outputs as unknown as Prisma.InputJsonValue,
        preprocess: v.preprocess === undefined ? 'tabular' : v.preprocess,
        preprocessing: v.preprocessing === null ? Prisma.DbNull : (v.preprocessing as unknown as Prisma.InputJsonValue),
        batching: v.batching ? (v.batching as Prisma.InputJsonValue) : Prisma.DbNull,
        metrics: v.metrics as Prisma.InputJsonValue,
        pricingUnit: v.pricingUnit ?? 'instance',
        unitsPer: v.unitsPer ?? 1,
        artifactUri: v.uri,
        sizeBytes: BigInt(v.sizeBytes),
        sha256: v.sha256,
        parentVersionId: v.parentVersionId ?? null,
        quantization: v.quantization ?? null,
        trainingJobId: v.trainingJobId ?? null,
      },
    });
    await this.audit.append(tx, v.tenantId, {
      actor,
      action,
      target: { type: 'model_version', id: v.id },
      requestId,
      metadata: {
        version,
        sizeBytes: v.sizeBytes,
        sha256: v.sha256,
        parentVersionId: v.parentVersionId ?? null,
        quantization: v.quantization ?? null,
        trainingJobId: v.trainingJobId ?? null,
      },
    });
    return row;
  }

  /** After the commit: a model answering its newest version by default answers this one now. */
  published(tenantId: string): void {
    this.registry.invalidate(tenantId);
  }
}
