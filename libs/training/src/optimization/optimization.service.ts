import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Injectable } from '@nestjs/common';
import { newId } from '@app/common';
import { TenantPrisma } from '@app/db';
import { FileSystemLoader, TabularPreprocessing, TensorSignature } from '@app/inference';
import { ModelRegistry, ModelVersion, ResolvedModel, versionSpec, versionView } from '@app/models';
import { AuthenticatedPrincipal, actorOf } from '@app/auth';
import { DatasetService } from '../datasets/dataset.service';
import { EvaluationRun, EvaluationService } from '../evaluation/evaluation.service';
import { TrainingError, TrainingErrorReason } from '../training.error';
import { artifactFiles } from '../versions/model-artifact';
import { VersionWriter } from '../versions/version-writer';
import { plainTx } from '../versions/transaction';
import { OptimizeModelVersionInput } from './optimization.types';
import { Quantization, quantizeWeights } from './weight-quantizer';

interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/**
 * Quantised copies: the version's float32 weights rewritten in TF.js's manifest quantisation
 * (what tfjs-converter --quantize_* writes; TF.js dequantises at load), published as a new
 * immutable version of the same model. With a dataset, both versions are evaluated on it (each
 * billed and kept as an evaluation) and the size and metric change are stored with the copy.
 */
@Injectable()
export class OptimizationService {
  constructor(
    private readonly tenants: TenantPrisma,
    private readonly registry: ModelRegistry,
    private readonly writer: VersionWriter,
    private readonly datasets: DatasetService,
    private readonly evaluations: EvaluationService,
  ) {}

  async optimize(
    tenantId: string,
    principal: AuthenticatedPrincipal,
    input: OptimizeModelVersionInput,
    requestId: string,
  ): Promise<ModelVersion> {
    const parent = await this.registry.resolve(tenantId, input.model, input.version);
    const db = this.tenants.forTenant(tenantId);
    const row = await db.modelVersion.findFirst({ where: { id: parent.versionId, tenantId } });
    if (!row || !parent.tenantOwned)
      throw TrainingError.invalid(
        TrainingErrorReason.NOT_QUANTIZABLE,
        'only your own models can be quantised (copy a public one by training or uploading it)',
      );
    if (row.format !== 'layers')
      throw TrainingError.invalid(
        TrainingErrorReason.NOT_QUANTIZABLE,
        'only TF.js layers models can be quantised here',
      );
    if (row.quantization)
      throw TrainingError.invalid(
        TrainingErrorReason.NOT_QUANTIZABLE,
        `version ${row.version} is already quantised (${row.quantization}): quantise its parent`,
      );
    if (!!input.dataset !== !!input.target)
      throw TrainingError.invalid(TrainingErrorReason.INVALID_PARAMETER, 'give both dataset and target, or neither', {
        field: 'target',
      });
    const dtype = input.quantization.toLowerCase() as Quantization;
    const eval$ = input.dataset ? await this.datasets.table(tenantId, input.dataset) : null;
    const before = eval$
      ? await this.evaluations.evaluate(
          tenantId,
          principal,
          { model: input.model, version: String(row.version), dataset: input.dataset!, target: input.target! },
          requestId,
        )
      : null;

    const files = await this.quantizedFiles(parent.spec.artifactDir, dtype);
    const versionId = newId('mv');
    const stored = await this.writer.storeFiles(tenantId, versionId, files);
    try {
      const dir = await this.writer.localDir(stored.uri);
      const copy: ResolvedModel = { ...parent, versionId, spec: versionSpec({ ...row, id: versionId }, dir) };
      // Loads as TF.js will (dequantising), and answers: before anything is committed.
      const run = eval$ ? await this.evaluations.run(copy, eval$.table, input.target!) : await loadCheck(dir);
      const parentSize = Number(row.sizeBytes);
      const metrics: Record<string, unknown> = {
        ...((row.metrics as Record<string, unknown> | null) ?? {}),
        quantization: dtype,
        parentVersion: row.version,
        sizeBytes: stored.sizeBytes,
        parentSizeBytes: parentSize,
        sizeRatio: stored.sizeBytes / parentSize,
      };
      if (run && before) Object.assign(metrics, { evaluation: metricChange(before, run) });
      const created = await db.$transaction(async (tx) => {
        const v = await this.writer.createRow(
          plainTx(tx),
          {
            id: versionId,
            modelId: parent.modelId,
            tenantId,
            inputs: row.inputs as unknown as TensorSignature[],
            outputs: row.outputs as unknown as TensorSignature[],
            preprocess: row.preprocess,
            preprocessing: (row.preprocessing as unknown as TabularPreprocessing | null) ?? null,
            pricingUnit: row.pricingUnit,
            unitsPer: row.unitsPer,
            batching: row.batching,
            metrics,
            parentVersionId: row.id,
            quantization: dtype,
            ...stored,
          },
          actorOf(principal),
          requestId,
          'model.quantize',
        );
        if (run && eval$) {
          await this.evaluations.record(plainTx(tx), tenantId, principal, requestId, {
            model: { ...copy, version: v.version },
            datasetId: eval$.row.id,
            datasetSha256: eval$.row.sha256,
            target: input.target!,
            run,
          });
        }
        return v;
      });
      this.writer.published(tenantId);
      return versionView(created, () => row.version);
    } catch (e) {
      await this.writer.discard(stored.uri);
      throw e;
    }
  }

  private async quantizedFiles(dir: string, dtype: Quantization) {
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as ModelJson;
    const specs = json.weightsManifest.flatMap((g) => g.weights);
    if (specs.some((s) => s.quantization))
      throw TrainingError.invalid(TrainingErrorReason.NOT_QUANTIZABLE, 'the weights are already quantised');
    const shards: Buffer[] = [];
    for (const g of json.weightsManifest)
      for (const p of g.paths) shards.push(await new FileSystemLoaderShard(dir).read(p));
    const q = quantizeWeights(specs, Buffer.concat(shards), dtype);
    return artifactFiles(json.modelTopology, q.specs, q.data);
  }
}

/** Reads one shard named by a manifest, inside the folder (FileSystemLoader's own rule). */
class FileSystemLoaderShard {
  constructor(private readonly dir: string) {}
  read(shard: string): Promise<Buffer> {
    if (shard.includes('..') || shard.startsWith('/'))
      throw TrainingError.invalid(
        TrainingErrorReason.NOT_QUANTIZABLE,
        `weight shard outside the model folder: ${shard}`,
      );
    return readFile(join(this.dir, shard));
  }
}

async function loadCheck(dir: string): Promise<null> {
  const model = await tf.loadLayersModel(new FileSystemLoader(dir));
  model.dispose();
  return null;
}

/** The headline metric of both versions: accuracy (classifiers) or RMSE (regressors). */
function metricChange(
  before: { accuracy: number | null; rmse: number | null },
  after: EvaluationRun,
): Record<string, unknown> {
  const m = after.metrics as { accuracy?: number; rmse?: number };
  const metric = m.accuracy !== undefined ? 'accuracy' : 'rmse';
  const was = (metric === 'accuracy' ? before.accuracy : before.rmse) ?? 0;
  const now = (metric === 'accuracy' ? m.accuracy : m.rmse) ?? 0;
  return { metric, parent: was, quantized: now, change: now - was };
}
