import * as tf from '@tensorflow/tfjs';
import { Inject, Injectable } from '@nestjs/common';
import { newId } from '@app/common';
import { PrismaService, TrainingJob as JobRow } from '@app/db';
import { AuditService } from '@app/audit';
import { InferenceInputs, InferenceRuntime, TensorSignature } from '@app/inference';
import { MeteringService } from '@app/metering';
import { versionSpec } from '@app/models';
import { QuotaService } from '@app/quotas';
import { DatasetTable } from '../datasets/dataset-table';
import { argMax, classificationMetrics, regressionMetrics } from '../evaluation/metrics';
import { TRAINING_CONFIG, TrainingConfig } from '../training.config';
import { modelFiles } from '../versions/model-artifact';
import { VersionWriter } from '../versions/version-writer';
import { reservationFromJson } from './reservation';
import { FitResult, TrainingTensors } from './tabular-trainer';
import { PreparedData } from './training-data';
import { TrainingParams } from './training-params';

const WORKER = { type: 'system' as const, id: 'worker' };

/**
 * Publishes what a training job fitted: the artifact is stored and served once through the
 * runtime (as callers will reach it) before anything commits; then the job's SUCCEEDED, the new
 * READY version, the training usage (compute seconds) and the audit records commit together,
 * and only for the worker still holding the job's lease. Otherwise the files are removed.
 */
@Injectable()
export class TrainedVersionPublisher {
  constructor(
    // Unscoped on purpose: the worker acts for the tenant that owns the job it was handed.
    private readonly prisma: PrismaService,
    private readonly writer: VersionWriter,
    private readonly runtime: InferenceRuntime,
    private readonly audit: AuditService,
    private readonly metering: MeteringService,
    private readonly quota: QuotaService,
    @Inject(TRAINING_CONFIG) private readonly config: TrainingConfig,
  ) {}

  /** True when this worker's commit applied; false when another owns or finished the job. */
  async publish(
    job: JobRow,
    workerId: string,
    params: TrainingParams,
    table: DatasetTable,
    data: PreparedData,
    fit: FitResult,
  ): Promise<boolean> {
    const inputs: TensorSignature[] = params.features.map((f) => ({
      name: f,
      datatype: table.columns.find((c) => c.name === f)!.type === 'NUMBER' ? 'FP32' : 'BYTES',
      shape: [-1],
    }));
    const outputs = data.labels
      ? [{ name: 'probabilities', datatype: 'FP32' as const, shape: [-1, data.labels.length], labels: data.labels }]
      : [{ name: 'value', datatype: 'FP32' as const, shape: [-1, 1] }];
    const last = fit.history.at(-1);
    const metrics = {
      task: data.task,
      trainRows: data.train.rows,
      validationRows: data.validation?.rows ?? 0,
      epochs: fit.history.length,
      loss: last?.loss ?? null,
      valLoss: last?.valLoss ?? null,
      seed: params.seed,
      ...heldOut(fit.model, data),
    };
    const versionId = newId('mv');
    const stored = await this.writer.storeFiles(job.tenantId, versionId, await modelFiles(fit.model));
    try {
      const row = {
        id: versionId,
        format: 'layers',
        inputs,
        outputs,
        preprocess: 'tabular',
        preprocessing: data.preprocessing,
        batching: null,
      };
      await this.runtime.predict(
        versionSpec(row, await this.writer.localDir(stored.uri)),
        sampleInputs(table, params.features),
      );
      const units = Math.ceil(fit.fitMs / 1000) * this.config.unitsPerSecond;
      const reservation = reservationFromJson(job.quotaReservation);
      const applied = await this.prisma.$transaction(async (tx) => {
        const updated = await tx.$executeRaw`
          UPDATE training_jobs SET status = 'SUCCEEDED', "finishedAt" = now(), "lockedBy" = NULL, "lockedUntil" = NULL, "modelVersionId" = ${versionId},
            "computeMs" = ${fit.fitMs}, "quotaReservation" = NULL
          WHERE id = ${job.id} AND status = 'RUNNING' AND "lockedBy" = ${workerId}`;
        if (!updated) return false;
        const version = await this.writer.createRow(
          tx,
          {
            id: versionId,
            modelId: job.modelId,
            tenantId: job.tenantId,
            inputs,
            outputs,
            preprocessing: data.preprocessing,
            metrics,
            trainingJobId: job.id,
            ...stored,
          },
          WORKER,
          job.requestId,
          'model.publish',
        );
        const usage = await this.metering.record(tx, {
          tenantId: job.tenantId,
          apiKeyId: job.apiKeyId,
          userId: job.userId,
          modelId: job.modelId,
          modelVersionId: versionId,
          jobId: job.id,
          requestId: job.requestId,
          idempotencyKey: job.id,
          units,
          instances: data.train.rows * fit.history.length,
          computeMs: fit.fitMs,
          batchSize: params.batchSize,
          kind: 'training',
        });
        await this.audit.append(tx, job.tenantId, {
          actor: WORKER,
          action: 'training.complete',
          target: { type: 'training_job', id: job.id },
          requestId: job.requestId,
          metadata: {
            status: 'SUCCEEDED',
            worker: workerId,
            version: version.version,
            units,
            computeMs: fit.fitMs,
            metrics,
          },
        });
        // After the audit append: writers of both take the audit head before the quota counter.
        if (usage.created && reservation) await this.quota.settle(tx, reservation, units);
        return true;
      });
      if (!applied) await this.writer.discard(stored.uri);
      else this.writer.published(job.tenantId);
      return applied;
    } catch (e) {
      await this.writer.discard(stored.uri);
      throw e;
    }
  }
}

/** Metrics of the fitted network on the held-out rows (the validation split). */
function heldOut(model: tf.LayersModel, data: PreparedData): Record<string, unknown> {
  const v = data.validation;
  if (!v || v.rows === 0) return {};
  const scores = predictRows(model, v);
  if (data.labels) {
    const m = classificationMetrics(data.labels, Array.from(v.y), scores.map(argMax));
    return { valAccuracy: m.accuracy, valMacroF1: m.macroF1 };
  }
  const m = regressionMetrics(
    Array.from(v.y),
    scores.map((r) => r[0]),
  );
  return { valMae: m.mae, valRmse: m.rmse, valR2: m.r2 };
}

function predictRows(model: tf.LayersModel, t: TrainingTensors): number[][] {
  return tf.tidy(() => (model.predict(tf.tensor2d(t.x, [t.rows, t.width])) as tf.Tensor).arraySync() as number[][]);
}

/** Two raw rows of the dataset, as a caller would send them: the publish-time dry run. */
function sampleInputs(table: DatasetTable, features: string[]): InferenceInputs {
  const n = Math.min(2, table.rows);
  return Object.fromEntries(features.map((f) => [f, table.cells[f].slice(0, n)]));
}
