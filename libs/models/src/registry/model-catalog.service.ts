import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode, newId } from '@app/common';
import { TenantPrisma, isUniqueViolation } from '@app/db';
import { AuditEntry, AuditService } from '@app/audit';
import { CreateModelInput, SetModelAliasInput } from '../dto/model.inputs';
import { Model, ModelConnection } from '../dto/model.types';
import { ModelRegistry } from './model-registry.service';
import { ModelError, ModelErrorReason } from '../model.error';
import { MODEL_VIEW_INCLUDE, modelView } from './model.view';

const MAX_PAGE = 100;
export const MODEL_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const ALIAS_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

export interface Actor {
  actor: AuditEntry['actor'];
  requestId: string;
}

/** Listing, reading and changing models and aliases; every query is tenant-scoped. */
@Injectable()
export class ModelCatalogService {
  constructor(
    private readonly tenants: TenantPrisma,
    private readonly audit: AuditService,
    private readonly registry: ModelRegistry,
  ) {}

  async list(tenantId: string, first = 20, after?: string | null): Promise<ModelConnection> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE)
      throw AppError.badInput(`first must be between 1 and ${MAX_PAGE}`, { field: 'first' });
    const db = this.tenants.forTenant(tenantId);
    // Ids are time-ordered and unique: the id is the cursor.
    const [rows, totalCount] = await Promise.all([
      db.model.findMany({
        where: after ? { id: { gt: after } } : undefined,
        orderBy: { id: 'asc' },
        take: first + 1,
        include: MODEL_VIEW_INCLUDE,
      }),
      db.model.count(),
    ]);
    const page = rows.slice(0, first);
    const edges = page.map((r) => ({ node: modelView(r), cursor: r.id }));
    return {
      edges,
      totalCount,
      pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  /** The tenant's own model of that name, else the public one; null when neither exists. */
  async get(tenantId: string, name: string): Promise<Model | null> {
    const rows = await this.tenants
      .forTenant(tenantId)
      .model.findMany({ where: { name }, include: MODEL_VIEW_INCLUDE, take: 2 });
    const row = rows.find((m) => m.tenantId === tenantId) ?? rows[0];
    return row ? modelView(row) : null;
  }

  async create(tenantId: string, who: Actor, input: CreateModelInput): Promise<Model> {
    if (!MODEL_NAME.test(input.name))
      throw ModelError.invalid(ModelErrorReason.INVALID_NAME, 'model name: 1-64 lower-case letters, digits, - or _', {
        field: 'name',
      });
    if (!input.task?.trim() || input.task.length > 64)
      throw AppError.badInput('task is required (at most 64 characters)', { field: 'task' });
    // A private model named as a public one would shadow it for this tenant's callers.
    const reserved = await this.tenants
      .forTenant(tenantId)
      .model.count({ where: { name: input.name, tenantId: null } });
    if (reserved)
      throw new ModelError(ErrorCode.CONFLICT, `"${input.name}" is the name of a built-in model`, {
        reason: ModelErrorReason.MODEL_NAME_RESERVED,
      });
    const id = newId('mdl');
    try {
      await this.tenants.forTenant(tenantId).$transaction(async (tx) => {
        await tx.model.create({
          data: {
            id,
            tenantId,
            namespace: tenantId,
            name: input.name,
            description: input.description ?? '',
            task: input.task.trim(),
          },
        });
        await this.audit.append(tx, tenantId, {
          ...this.entry(who, 'model.create', id),
          metadata: { name: input.name, task: input.task },
        });
      });
    } catch (e) {
      if (isUniqueViolation(e))
        throw new ModelError(ErrorCode.CONFLICT, `model "${input.name}" already exists`, {
          reason: ModelErrorReason.MODEL_EXISTS,
        });
      throw e;
    }
    return (await this.get(tenantId, input.name))!;
  }

  async setAlias(tenantId: string, who: Actor, input: SetModelAliasInput): Promise<Model> {
    if (!ALIAS_NAME.test(input.alias))
      throw ModelError.invalid(ModelErrorReason.INVALID_NAME, 'alias: 1-32 lower-case letters, digits, - or _', {
        field: 'alias',
      });
    const weight = input.canaryWeight ?? 0;
    if (!(weight >= 0 && weight <= 1))
      throw AppError.badInput('canaryWeight must be between 0 and 1', { field: 'canaryWeight' });
    if (!input.canaryVersion && weight > 0)
      throw AppError.badInput('canaryWeight needs a canaryVersion', { field: 'canaryWeight' });
    await this.tenants.forTenant(tenantId).$transaction(async (tx) => {
      // Writes are confined to the tenant's rows: a public or foreign model is simply absent here.
      const model = await tx.model.findFirst({ where: { name: input.model, tenantId } });
      if (!model) throw ModelError.modelNotFound(input.model);
      const versions = await tx.modelVersion.findMany({
        where: { modelId: model.id, version: { in: [input.version, input.canaryVersion ?? input.version] } },
      });
      const target = versions.find((v) => v.version === input.version);
      const canary = input.canaryVersion ? versions.find((v) => v.version === input.canaryVersion) : undefined;
      for (const [n, v] of [
        [input.version, target],
        [input.canaryVersion, canary],
      ] as const) {
        if (n && (!v || v.status !== 'READY')) throw ModelError.versionNotFound(input.model, String(n));
      }
      const data = { versionId: target!.id, canaryVersionId: canary?.id ?? null, canaryWeight: canary ? weight : 0 };
      await tx.modelAlias.upsert({
        where: { modelId_name: { modelId: model.id, name: input.alias } },
        create: { id: newId('als'), modelId: model.id, tenantId, name: input.alias, ...data },
        update: data,
      });
      await this.audit.append(tx, tenantId, {
        ...this.entry(who, 'model.alias_set', model.id),
        metadata: {
          model: input.model,
          alias: input.alias,
          version: input.version,
          canaryVersion: input.canaryVersion ?? null,
          canaryWeight: data.canaryWeight,
        },
      });
    });
    // The move applies at once in this process; other processes see it within MODEL_RESOLVE_CACHE_MS.
    this.registry.invalidate(tenantId);
    return (await this.get(tenantId, input.model))!;
  }

  async setDownloads(tenantId: string, who: Actor, name: string, enabled: boolean): Promise<Model> {
    await this.tenants.forTenant(tenantId).$transaction(async (tx) => {
      const model = await tx.model.findFirst({ where: { name, tenantId } });
      if (!model) throw ModelError.modelNotFound(name);
      await tx.model.update({ where: { id: model.id }, data: { downloadsEnabled: enabled } });
      await this.audit.append(tx, tenantId, {
        ...this.entry(who, 'model.downloads_set', model.id),
        metadata: { model: name, enabled },
      });
    });
    return (await this.get(tenantId, name))!;
  }

  private entry(who: Actor, action: string, modelId: string): AuditEntry {
    return { actor: who.actor, action, target: { type: 'model', id: modelId }, requestId: who.requestId };
  }
}
