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
  'ModelMetricMinute',
  'ModelInputMinute',
  'Dataset',
  'TrainingJob',
  'Evaluation',
]);

/** Tables a tenant can read when the row is its own or public (tenantId null: the catalog). */
export const CATALOG_MODELS = new Set<string>(['Model', 'ModelVersion', 'ModelAlias', 'ModelInputBaseline']);

const READS = new Set([
  'findUnique',
  'findUniqueOrThrow',
  'findFirst',
  'findFirstOrThrow',
  'findMany',
  'count',
  'aggregate',
  'groupBy',
]);
const UNIQUE_WHERE = new Set(['findUnique', 'findUniqueOrThrow', 'update', 'delete', 'upsert']);
const CREATES = new Set(['create', 'createMany', 'createManyAndReturn']);
const UPDATES = new Set(['update', 'updateMany', 'updateManyAndReturn']);

type Args = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// Relation fields of scoped models, by what they point at (prisma/schema.prisma).
const TENANT_RELATION = 'tenant';
const SCOPED_RELATIONS = new Set(['model', 'version', 'canaryVersion', 'versions', 'aliases', 'canaryOf']);
const NESTED_WRITES = [
  'create',
  'createMany',
  'connectOrCreate',
  'update',
  'updateMany',
  'upsert',
  'delete',
  'deleteMany',
  'set',
  'disconnect',
];

const refuse = (model: string, what: string): never => {
  throw new Error(`tenant scope: refusing ${what} on ${model}`);
};

/**
 * Write data: tenantId, if given, must be this tenant's; the `tenant` relation may only be
 * connected to this tenant; a nested connect to another scoped model must find a row of this
 * tenant (its where gets tenantId, so another tenant's row is "not found"); nested creates
 * are stamped. Other nested writes through a relation are refused: none is needed.
 */
function checkData(data: Args | undefined, tenantId: string, model: string, stamp: boolean): Args | undefined {
  if (!data || typeof data !== 'object') return data;
  if (data.tenantId !== undefined) {
    const given = typeof data.tenantId === 'object' && data.tenantId !== null ? data.tenantId.set : data.tenantId;
    if (given !== tenantId) refuse(model, 'a write of tenantId for another tenant');
  }
  const out: Args = stamp ? { ...data, tenantId } : { ...data };
  for (const [field, value] of Object.entries(data)) {
    if (!value || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) continue;
    if (field === TENANT_RELATION) {
      const keys = Object.keys(value);
      if (keys.some((k) => k !== 'connect') || value.connect?.id !== tenantId)
        refuse(model, 'a nested write of the tenant relation');
      continue;
    }
    if (!SCOPED_RELATIONS.has(field)) continue;
    const nested: Args = { ...value };
    if (nested.connect !== undefined) {
      const list = Array.isArray(nested.connect) ? nested.connect : [nested.connect];
      const scoped = list.map((w: Args) => ({ ...w, tenantId }));
      nested.connect = Array.isArray(nested.connect) ? scoped : scoped[0];
    }
    if (nested.create !== undefined) {
      nested.create = Array.isArray(nested.create)
        ? nested.create.map((d: Args) => checkData(d, tenantId, field, true))
        : checkData(nested.create, tenantId, field, true);
    }
    const other = NESTED_WRITES.filter((k) => k !== 'create' && nested[k] !== undefined);
    if (other.length) refuse(model, `a nested ${other.join('/')} through ${field}`);
    out[field] = nested;
  }
  return out;
}

const withTenant = (data: Args, tenantId: string, model: string): Args => checkData(data, tenantId, model, true)!;

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
            a.data = Array.isArray(a.data)
              ? a.data.map((d: Args) => withTenant(d, tenantId, model))
              : withTenant(a.data, tenantId, model);
          } else {
            a.where = scopeWhere(a.where, filter, UNIQUE_WHERE.has(operation));
            if (UPDATES.has(operation)) a.data = checkData(a.data, tenantId, model, false);
            if (operation === 'upsert') {
              a.create = withTenant(a.create, tenantId, model);
              a.update = checkData(a.update, tenantId, model, false);
            }
          }
          return query(a);
        },
      },
    },
  });
}
