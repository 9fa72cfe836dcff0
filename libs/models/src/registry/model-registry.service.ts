import { Inject, Injectable } from '@nestjs/common';
import type { ModelSpec } from '@app/inference';
import { TtlCache } from '@app/common';
import { ModelVersion, TenantPrisma } from '@app/db';
import { ArtifactResolver } from './artifact-resolver';
import { ModelError } from '../model.error';
import { MODELS_CONFIG, ModelsConfig } from '../models.config';
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
  // Every prediction resolves its model: without a cache that is 2-3 queries per request.
  private readonly cache: TtlCache<string, Promise<Target>>;

  constructor(
    private readonly tenants: TenantPrisma,
    private readonly artifacts: ArtifactResolver,
    @Inject(MODELS_CONFIG) private readonly config: ModelsConfig,
  ) {
    this.cache = new TtlCache({ ttlMs: config.resolveCacheMs });
  }

  /** version: "3" (a version number) or an alias name; default the `stable` alias. */
  async resolve(tenantId: string, name: string, version?: string | null): Promise<ResolvedModel> {
    const ref = version?.trim() || DEFAULT_ALIAS;
    const { model, primary, canary, canaryWeight } = await this.target(tenantId, name, ref, !version);
    // The canary's share of traffic is drawn per request, as a weighted router would.
    const row = canary && canaryWeight > 0 && Math.random() < canaryWeight ? canary : primary;
    if (!row || row.status !== 'READY') throw ModelError.versionNotFound(name, ref);
    const spec = versionSpec(row, '');
    const artifact = await this.artifacts.resolve(row.artifactUri, spec.files);
    return {
      modelId: model.id,
      modelName: model.name,
      versionId: row.id,
      version: row.version,
      spec: { ...spec, artifactDir: artifact.dir, files: artifact.files },
      pricingUnit: row.pricingUnit,
      unitsPer: row.unitsPer,
      tenantOwned: model.tenantId !== null,
    };
  }

  /** Forgets the tenant's cached resolutions: called after a publish or an alias move. */
  invalidate(tenantId: string): void {
    const prefix = `${tenantId}\u0000`;
    this.cache.deleteWhere((_target, key) => key.startsWith(prefix));
  }

  private target(tenantId: string, name: string, ref: string, implicit: boolean): Promise<Target> {
    const key = `${tenantId}\u0000${name}\u0000${ref}\u0000${implicit}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const target = this.lookup(tenantId, name, ref, implicit);
    this.cache.set(key, target);
    // Failures (unknown model, a database error) are not remembered.
    target.catch(() => this.cache.get(key) === target && this.cache.delete(key));
    return target;
  }

  private async lookup(tenantId: string, name: string, ref: string, implicit: boolean): Promise<Target> {
    const model = await this.findModel(tenantId, name);
    if (/^\d+$/.test(ref))
      return { model, primary: await this.byNumber(tenantId, model.id, Number(ref)), canary: null, canaryWeight: 0 };
    return { model, ...(await this.byAlias(tenantId, model.id, ref, implicit)) };
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

  private async byAlias(
    tenantId: string,
    modelId: string,
    alias: string,
    implicit: boolean,
  ): Promise<Omit<Target, 'model'>> {
    const db = this.tenants.forTenant(tenantId);
    const found = await db.modelAlias.findFirst({
      where: { modelId, name: alias },
      include: { version: true, canaryVersion: true },
    });
    if (found) return { primary: found.version, canary: found.canaryVersion, canaryWeight: found.canaryWeight };
    // A model nobody has aliased yet still answers its newest ready version by default.
    const newest = implicit
      ? await db.modelVersion.findFirst({ where: { modelId, status: 'READY' }, orderBy: { version: 'desc' } })
      : null;
    return { primary: newest, canary: null, canaryWeight: 0 };
  }
}

type VersionRow = ModelVersion;

interface Target {
  model: { id: string; name: string; tenantId: string | null };
  primary: VersionRow | null;
  canary: VersionRow | null;
  canaryWeight: number;
}
