import { Inject, Injectable } from '@nestjs/common';
import type { ModelSpec } from '@app/inference';
import { TenantPrisma } from '@app/db';
import { ARTIFACT_STORE, ArtifactStore } from '../artifacts/artifact-store';
import { ModelError } from '../errors/model.error';
import { versionSpec } from './version-spec';

export interface ResolvedModel {
  modelId: string;
  modelName: string;
  versionId: string;
  version: number;
  spec: ModelSpec;
  pricingUnit: string;
  unitsPer: number;
  tenantOwned: boolean;
}

export const DEFAULT_ALIAS = 'stable';

/**
 * Turns (tenant, model name, version-or-alias) into a runnable model version. A tenant sees its
 * own models and the public catalog; its own name shadows a public one. Anything else,
 * including another tenant's private model, is NOT_FOUND.
 */
@Injectable()
export class ModelRegistry {
  constructor(
    private readonly tenants: TenantPrisma,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
  ) {}

  /** version: "3" (a version number) or an alias name; default the `stable` alias. */
  async resolve(tenantId: string, name: string, version?: string | null): Promise<ResolvedModel> {
    const model = await this.findModel(tenantId, name);
    const ref = version?.trim() || DEFAULT_ALIAS;
    const row = /^\d+$/.test(ref) ? await this.byNumber(tenantId, model.id, Number(ref)) : await this.byAlias(tenantId, model.id, ref, !version);
    if (!row || row.status !== 'READY') throw ModelError.versionNotFound(name, ref);
    return {
      modelId: model.id,
      modelName: model.name,
      versionId: row.id,
      version: row.version,
      spec: versionSpec(row, await this.store.localDir(row.artifactUri)),
      pricingUnit: row.pricingUnit,
      unitsPer: row.unitsPer,
      tenantOwned: model.tenantId !== null,
    };
  }

  /** The tenant's own model of that name, else the public one. */
  async findModel(tenantId: string, name: string): Promise<{ id: string; name: string; tenantId: string | null }> {
    const rows = await this.tenants.forTenant(tenantId).model.findMany({
      where: { name },
      select: { id: true, name: true, tenantId: true },
      take: 2,
    });
    const model = rows.find((m) => m.tenantId === tenantId) ?? rows[0];
    if (!model) throw ModelError.modelNotFound(name);
    return model;
  }

  private byNumber(tenantId: string, modelId: string, version: number) {
    return this.tenants.forTenant(tenantId).modelVersion.findFirst({ where: { modelId, version } });
  }

  private async byAlias(tenantId: string, modelId: string, alias: string, implicit: boolean) {
    const db = this.tenants.forTenant(tenantId);
    const found = await db.modelAlias.findFirst({ where: { modelId, name: alias }, include: { version: true, canaryVersion: true } });
    if (found) {
      // The canary's share of traffic is drawn per request, as a weighted router would.
      const canary = found.canaryVersion && found.canaryWeight > 0 && Math.random() < found.canaryWeight;
      return canary ? found.canaryVersion : found.version;
    }
    // A model nobody has aliased yet still answers its newest ready version by default.
    if (!implicit) return null;
    return db.modelVersion.findFirst({ where: { modelId, status: 'READY' }, orderBy: { version: 'desc' } });
  }
}
