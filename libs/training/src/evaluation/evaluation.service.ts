import { Injectable } from '@nestjs/common';
import { newId, sha256Hex } from '@app/common';
import { Evaluation as EvaluationRow, Prisma, TenantPrisma } from '@app/db';
import { AuditService } from '@app/audit';
import { InferenceRuntime } from '@app/inference';
import { MeteringService } from '@app/metering';
import { ModelRegistry, ResolvedModel } from '@app/models';
import { QuotaService } from '@app/quotas';
import { AuthenticatedPrincipal, actorOf } from '@app/auth';
import { DatasetTable } from '../datasets/dataset-table';
import { DatasetService } from '../datasets/dataset.service';
import { TrainingError, TrainingErrorReason } from '../training.error';
import { evaluatorFor } from './evaluation-inputs';
import { plainTx } from '../versions/transaction';
import { evaluationView } from './evaluation.view';
import { EvaluateModelVersionInput, Evaluation } from './evaluation.types';
import { argMax, ClassificationMetrics, classificationMetrics, RegressionMetrics, regressionMetrics } from './metrics';

export interface EvaluationRun {
  metrics: ClassificationMetrics | RegressionMetrics;
  rows: number;
  computeMs: number;
}

/**
 * Runs a version over a dataset through the inference runtime, exactly as it is served
 * (validation, preprocessing, batching), and computes its metrics. Each row is an instance
 * billed like a prediction; the evaluation row, its usage and its audit record commit together.
 */
@Injectable()
export class EvaluationService {
  constructor(
    private readonly tenants: TenantPrisma,
    private readonly registry: ModelRegistry,
    private readonly runtime: InferenceRuntime,
    private readonly datasets: DatasetService,
    private readonly audit: AuditService,
    private readonly metering: MeteringService,
    private readonly quota: QuotaService,
  ) {}

  async evaluate(
    tenantId: string,
    principal: AuthenticatedPrincipal,
    input: EvaluateModelVersionInput,
    requestId: string,
  ): Promise<Evaluation> {
    const model = await this.registry.resolve(tenantId, input.model, input.version);
    const { row: dataset, table } = await this.datasets.table(tenantId, input.dataset);
    const rows = labelledRows(table, input.target);
    const units = model.unitsPer * rows.length;
    const reservation = await this.quota.reserve(tenantId, units);
    let settled = false;
    try {
      const run = await this.run(model, table, input.target, rows);
      const row = await this.tenants.forTenant(tenantId).$transaction(async (tx) => {
        const created = await this.record(plainTx(tx), tenantId, principal, requestId, {
          model,
          datasetId: dataset.id,
          datasetSha256: dataset.sha256,
          target: input.target,
          run,
        });
        await this.quota.settle(plainTx(tx), reservation, units);
        settled = true;
        return created;
      });
      return evaluationView(row, model.modelName, model.version);
    } finally {
      if (!settled) await this.quota.release(reservation).catch(() => undefined);
    }
  }

  /** The evaluation row, its usage (kind evaluation) and its audit record, in the caller's transaction. */
  async record(
    tx: Prisma.TransactionClient,
    tenantId: string,
    principal: AuthenticatedPrincipal,
    requestId: string,
    e: { model: ResolvedModel; datasetId: string; datasetSha256: string; target: string; run: EvaluationRun },
  ): Promise<EvaluationRow> {
    const { model, run } = e;
    const id = newId('evl');
    const units = model.unitsPer * run.rows;
    const created = await tx.evaluation.create({
      data: {
        id,
        tenantId,
        modelVersionId: model.versionId,
        datasetId: e.datasetId,
        target: e.target,
        status: 'SUCCEEDED',
        rows: run.rows,
        metrics: run.metrics as unknown as Prisma.InputJsonValue,
        finishedAt: new Date(),
      },
    });
    await this.metering.record(tx, {
      tenantId,
      apiKeyId: principal.kind === 'api_key' ? principal.apiKeyId : null,
      userId: principal.kind === 'user' ? principal.userId : null,
      modelId: model.modelId,
      modelVersionId: model.versionId,
      requestId,
      idempotencyKey: id,
      units,
      instances: run.rows,
      computeMs: run.computeMs,
      batchSize: 1,
      kind: 'evaluation',
    });
    await this.audit.append(tx, tenantId, {
      actor: actorOf(principal),
      action: 'model.evaluate',
      target: { type: 'model_version', id: model.versionId },
      requestId,
      metadata: {
        evaluation: id,
        model: model.modelName,
        version: model.version,
        dataset: e.datasetId,
        datasetSha256: e.datasetSha256,
        rows: run.rows,
        units,
        metricsSha256: sha256Hex(JSON.stringify(run.metrics)),
      },
    });
    return created;
  }

  async get(tenantId: string, id: string): Promise<Evaluation> {
    const db = this.tenants.forTenant(tenantId);
    const row = await db.evaluation.findUnique({ where: { id } });
    if (!row) throw TrainingError.missing('evaluation');
    const v = await db.modelVersion.findUnique({
      where: { id: row.modelVersionId },
      include: { model: { select: { name: true } } },
    });
    return evaluationView(row, v?.model.name ?? '(deleted)', v?.version ?? 0);
  }

  async ofVersion(tenantId: string, versionId: string): Promise<Evaluation[]> {
    const db = this.tenants.forTenant(tenantId);
    const rows = await db.evaluation.findMany({ where: { modelVersionId: versionId }, orderBy: { createdAt: 'asc' } });
    if (!rows.length) return [];
    const v = await db.modelVersion.findUnique({
      where: { id: versionId },
      include: { model: { select: { name: true } } },
    });
    return rows.map((r) => evaluationView(r, v?.model.name ?? '(deleted)', v?.version ?? 0));
  }

  /** The version's answers for the rows and their metrics (no billing: the caller's). */
  async run(
    model: ResolvedModel,
    table: DatasetTable,
    target: string,
    rows = labelledRows(table, target),
  ): Promise<EvaluationRun> {
    const inputsOf = evaluatorFor(model.spec, table, target);
    const labels = model.spec.labels;
    const out = model.spec.outputs[0];
    if (!labels && !(out?.shape.length === 2 && out.shape[1] === 1)) {
      throw TrainingError.invalid(
        TrainingErrorReason.NO_LABELS,
        'the version declares no class labels and is not a single-value regressor',
      );
    }
    const truth = table.cells[target];
    const index = labels ? new Map(labels.map((l, i) => [l, i])) : null;
    const actual: number[] = [];
    const predicted: number[] = [];
    let computeMs = 0;
    const chunk = this.runtime.config.maxInstances;
    for (let i = 0; i < rows.length; i += chunk) {
      const part = rows.slice(i, i + chunk);
      const result = await this.runtime.predict(model.spec, inputsOf(part));
      computeMs += result.computeShareMs;
      const scores = result.outputs[out.name] as number[][];
      part.forEach((r, k) => {
        if (index) {
          const a = index.get(String(truth[r]));
          if (a === undefined)
            throw TrainingError.invalid(
              TrainingErrorReason.INVALID_VALUE,
              `target value "${truth[r]}" is not one of the version's labels`,
              { row: r + 1, labels },
            );
          actual.push(a);
          predicted.push(argMax(scores[k]));
        } else {
          if (typeof truth[r] !== 'number')
            throw TrainingError.invalid(
              TrainingErrorReason.NON_NUMERIC_TARGET,
              `a regressor needs a NUMBER target; "${target}" is not`,
            );
          actual.push(truth[r] as number);
          predicted.push(scores[k][0]);
        }
      });
    }
    const metrics = labels ? classificationMetrics(labels, actual, predicted) : regressionMetrics(actual, predicted);
    return { metrics, rows: rows.length, computeMs };
  }
}

/** Rows that have a target value (the unknown target column is refused here). */
function labelledRows(table: DatasetTable, target: string): number[] {
  const cells = table.cells[target];
  if (!cells)
    throw TrainingError.invalid(
      TrainingErrorReason.UNKNOWN_COLUMN,
      `target "${target}" is not a column of the dataset`,
      { column: target },
    );
  const rows = cells.flatMap((v, i) => (v === null ? [] : [i]));
  if (!rows.length) throw TrainingError.invalid(TrainingErrorReason.TOO_FEW_ROWS, 'no row has a target value');
  return rows;
}
