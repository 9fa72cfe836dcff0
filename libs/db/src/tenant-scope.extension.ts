import { Prisma } from './generated/prisma/client';

/** Tables whose every row belongs to one tenant. */
export const TENANT_OWNED_MODELS = new Set<string>([
  'Membership',
  'Invitation',
  'ApiKey',
  'InferenceJob',
  'UsageRecord',
  'UsageHourly',
  'QuotaCounter',
  'BudgetAlert',
  'MeterEventOutbox',
  'Subscription',
  'Invoice',
  'AuditEvent',
  'AuditChainHead',
  'AuditExport',
  'QuotaReservation',
  'Dataset',
  'TrainingJob',
  'Evaluation',
]);

/** Tables a tenant can read when the row is its own or public (tenantId null: the catalog). */
export const CATALOG_MODELS = new Set<string>(['Model', 'ModelVersion', 'ModelAlias']);

const READS = new Set(['findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow', 'findMany', 'count', 'aggregate', 'groupBy']);
const UNIQUE_WHERE = new Set(['findUnique', 'findUniqueOrThrow', 'update', 'delete', 'upsert']);
const CREATES = new Set(['create', 'createMany', 'createManyAndReturn']);

type Args = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function withTenant(data: Args, tenantId: string, model: string): Args {
  if (data.tenantId !== undefined && data.tenantId !== tenantId) {
    throw new Error(`tenant scope: refusing to write ${model} for another tenant`);
  }
  return { ...data, tenantId };
}

function scopeWhere(where: Args | undefined, filter: Args, unique: boolean): Args {
  if (!where) return filter;
  // A unique where keeps its unique fields at the top level; AND carries the tenant filter.
  if (unique) {
    const and = where.AND === undefined ? [] : Array.isArray(where.AND) ? where.AND : [where.AND];
    return { ...where, AND: [...and, filter] };
  }
  return { AND: [where, filter] };
}

/**
 * A Prisma query extension that confines every query on a tenant-owned table to one tenant:
 * reads and writes are filtered by tenantId, creates get it set. Another tenant's row is simply
 * not there, so "not found" and "belongs to someone else" cannot be told apart.
 */
export function tenantScope(tenantId: string) {
  if (!tenantId) throw new Error('tenant scope: empty tenant id');
  return Prisma.defineExtension({
    name: 'tenant-scope',
    query: {
      $allModels: {
        async $allOperations({ model, operation, args, query }) {
          const owned = TENANT_OWNED_MODELS.has(model);
          const catalog = CATALOG_MODELS.has(model);
          if (!owned && !catalog) return query(args);
          const a: Args = { ...(args as Args) };
          const filter = catalog && READS.has(operation) ? { OR: [{ tenantId }, { tenantId: null }] } : { tenantId };
          if (CREATES.has(operation)) {
            a.data = Array.isArray(a.data) ? a.data.map((d: Args) => withTenant(d, tenantId, model)) : withTenant(a.data, tenantId, model);
          } else {
            a.where = scopeWhere(a.where, filter, UNIQUE_WHERE.has(operation));
            if (operation === 'upsert') a.create = withTenant(a.create, tenantId, model);
          }
          return query(a);
        },
      },
    },
  });
}
