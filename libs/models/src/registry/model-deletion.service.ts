import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, ErrorCode } from '@app/common';
import { TenantClient, TenantPrisma } from '@app/db';
import { AuditService } from '@app/audit';
import { InferenceRuntime } from '@app/inference';
import { ARTIFACT_STORE, ArtifactStore } from '../artifacts/artifact-store';
import { Model, ModelVersion } from '../dto/model.types';
import { ModelError, ModelErrorReason } from '../model.error';
import { Actor } from './model-catalog.service';
import { ModelRegistry } from './model-registry.service';
import { MODEL_VIEW_INCLUDE, modelView } from './model.view';

/**
 * Deletes a tenant's model versions and models. The rows and their audit events commit together;
 * the artifact files go after the commit (a crash in between leaves orphaned files, never a row
 * pointing at missing ones). Usage records and audit events keep their ids: they are history.
 * Catalog models have no tenant, so the tenant-scoped writes below cannot reach them.
 * Artifacts are content-addressed and shared between the tenant's versions: removing a version
 * deletes its manifest and only the blobs no other version's manifest names (ArtifactStore.remove).
 */
@Injectable()
export class ModelDeletionService {
  private readonly log = new Logger('ModelDeletion');

  constructor(
    private readonly tenants: TenantPrisma,
    private readonly audit: AuditService,
    private readonly registry: ModelRegistry,
    private readonly runtime: InferenceRuntime,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
  ) {}

  async deleteVersion(tenantId: string, who: Actor, name: string, version: string): Promise<ModelVersion> {
    if (!/^\d{1,9}$/.test(version)) throw AppError.badInput('version must be a version number', { field: 'version' });
    const deleted = await this.tenants.forTenant(tenantId).$transaction(async (tx) => {
      const model = await this.ownModel(tx, tenantId, name);
      const row = model.versions.find((v) => v.version === Number(version));
      if (!row) throw ModelError.versionNotFound(name, version);
      const pointing = model.aliases
        .filter((a) => a.versionId === row.id || a.canaryVersionId === row.id)
        .map((a) => a.name);
      if (pointing.length) {
        throw new ModelError(
          ErrorCode.CONFLICT,
          `version ${version} of "${name}" is served by alias ${pointing.join(', ')}: move the alias first`,
          {
            reason: ModelErrorReason.VERSION_IN_USE,
            details: { aliases: pointing },
          },
        );
      }
      await this.refuseWithJobs(tx, name, [row.id]);
      await tx.modelVersion.delete({ where: { id: row.id } });
      await this.audit.append(tx, tenantId, {
        actor: who.actor,
        action: 'model.version_delete',
        target: { type: 'model_version', id: row.id },
        requestId: who.requestId,
        metadata: { model: name, version: row.version, sha256: row.sha256 },
      });
      return { view: modelView({ ...model, versions: [row] }).versions[0], row };
    });
    this.registry.invalidate(tenantId);
    await this.removeFiles(deleted.row.id, deleted.row.artifactUri);
    return deleted.view;
  }

  async deleteModel(tenantId: string, who: Actor, name: string): Promise<Model> {
    const { view, versions } = await this.tenants.forTenant(tenantId).$transaction(async (tx) => {
      const model = await this.ownModel(tx, tenantId, name);
      await this.refuseWithJobs(
        tx,
        name,
        model.versions.map((v) => v.id),
      );
      // Aliases first: they reference versions, which go next, then the model itself.
      await tx.modelAlias.deleteMany({ where: { modelId: model.id } });
      await tx.modelVersion.deleteMany({ where: { modelId: model.id } });
      await tx.model.delete({ where: { id: model.id } });
      await this.audit.append(tx, tenantId, {
        actor: who.actor,
        action: 'model.delete',
        target: { type: 'model', id: model.id },
        requestId: who.requestId,
        metadata: { model: name, versions: model.versions.map((v) => v.version) },
      });
      return { view: modelView(model), versions: model.versions };
    });
    this.registry.invalidate(tenantId);
    for (const v of versions) await this.removeFiles(v.id, v.artifactUri);
    return view;
  }

  /** The tenant's own model: a catalog or another tenant's model is simply not there. */
  private async ownModel(tx: TenantTx, tenantId: string, name: string) {
    const model = await tx.model.findFirst({ where: { name, tenantId }, include: MODEL_VIEW_INCLUDE });
    if (model) return model;
    const visible = await tx.model.findFirst({ where: { name }, select: { id: true } });
    if (visible)
      throw new ModelError(ErrorCode.FORBIDDEN, `"${name}" is a catalog model: it cannot be deleted`, {
        reason: ModelErrorReason.READ_ONLY,
      });
    throw ModelError.modelNotFound(name);
  }

  /** A queued or running job would find its version gone: it finishes (or is cancelled) first. */
  private async refuseWithJobs(tx: TenantTx, name: string, versionIds: string[]): Promise<void> {
    const pending = await tx.inferenceJob.count({
      where: { modelVersionId: { in: versionIds }, status: { in: ['QUEUED', 'RUNNING'] } },
    });
    if (pending) {
      throw new ModelError(
        ErrorCode.CONFLICT,
        `"${name}" has ${pending} queued or running job(s): wait for them or cancel them first`,
        {
          reason: ModelErrorReason.VERSION_IN_USE,
          details: { pendingJobs: pending },
        },
      );
    }
  }

  /** After the commit: the loaded model leaves memory and its files leave the store. */
  private async removeFiles(versionId: string, uri: string): Promise<void> {
    this.runtime.evict(versionId);
    await this.store
      .remove(uri)
      .catch((e) =>
        this.log.error(`artifact ${uri} of deleted version ${versionId} not removed: ${(e as Error).message}`),
      );
  }
}

type TenantTx = Parameters<Parameters<TenantClient['$transaction']>[0]>[0];
