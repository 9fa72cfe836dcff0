import { tenantScope } from './tenant-scope.extension';

// The extension's query hook, exercised without a database: what it does to each operation's
// arguments is the whole of tenant isolation at this layer.
type Hook = (p: { model: string; operation: string; args: any; query: (a: any) => any }) => any;
const hookOf = (tenantId: string): Hook => (tenantScope(tenantId) as any)({ $extends: (e: any) => e }).query.$allModels.$allOperations;

describe('tenant scope extension', () => {
  const hook = hookOf('ten_A');
  const run = (model: string, operation: string, args: any): Promise<any> => hook({ model, operation, args, query: async (a) => a });

  it('filters reads and writes of tenant-owned tables by tenantId', async () => {
    expect(await run('ApiKey', 'findMany', { where: { name: 'x' } })).toEqual({ where: { AND: [{ name: 'x' }, { tenantId: 'ten_A' }] } });
    expect(await run('ApiKey', 'findUnique', { where: { id: 'k' } })).toEqual({ where: { id: 'k', AND: [{ tenantId: 'ten_A' }] } });
    expect((await run('ApiKey', 'update', { where: { id: 'k' }, data: { name: 'y' } })).where).toEqual({ id: 'k', AND: [{ tenantId: 'ten_A' }] });
    expect((await run('ApiKey', 'deleteMany', {})).where).toEqual({ tenantId: 'ten_A' });
    expect((await run('ApiKey', 'count', undefined)).where).toEqual({ tenantId: 'ten_A' });
  });

  it('stamps creates and refuses a create for another tenant', async () => {
    expect((await run('Invitation', 'create', { data: { email: 'e' } })).data).toEqual({ email: 'e', tenantId: 'ten_A' });
    expect((await run('UsageRecord', 'createMany', { data: [{ units: 1 }, { units: 2 }] })).data).toEqual([{ units: 1, tenantId: 'ten_A' }, { units: 2, tenantId: 'ten_A' }]);
    await expect(run('ApiKey', 'create', { data: { tenantId: 'ten_B' } })).rejects.toThrow(/another tenant/);
    const up = await run('QuotaCounter', 'upsert', { where: { x: 1 }, create: { units: 1 }, update: {} });
    expect(up.create.tenantId).toBe('ten_A');
  });

  it('lets catalog tables be read when public, but written only when owned', async () => {
    expect((await run('Model', 'findMany', {})).where).toEqual({ OR: [{ tenantId: 'ten_A' }, { tenantId: null }] });
    expect((await run('Model', 'updateMany', { where: { name: 'iris' }, data: {} })).where).toEqual({ AND: [{ name: 'iris' }, { tenantId: 'ten_A' }] });
  });

  it('leaves tables without tenants alone', async () => {
    expect(await run('Plan', 'findMany', { where: { id: 'free' } })).toEqual({ where: { id: 'free' } });
  });

  it('refuses an empty tenant id', () => {
    expect(() => tenantScope('')).toThrow();
  });
});
