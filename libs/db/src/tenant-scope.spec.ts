import { tenantScope } from './tenant-scope.extension';

// The extension's query hook, exercised without a database: what it does to each operation's
// arguments is the whole of tenant isolation at this layer.
type Hook = (p: { model: string; operation: string; args: any; query: (a: any) => any }) => any;
const hookOf = (tenantId: string): Hook =>
  (tenantScope(tenantId) as any)({ $extends: (e: any) => e }).query.$allModels.$allOperations;

describe('tenant scope extension', () => {
  const hook = hookOf('ten_A');
  const run = (model: string, operation: string, args: any): Promise<any> =>
    hook({ model, operation, args, query: async (a) => a });

  it('filters reads and writes of tenant-owned tables by tenantId', async () => {
    expect(await run('ApiKey', 'findMany', { where: { name: 'x' } })).toEqual({
      where: { AND: [{ name: 'x' }, { tenantId: 'ten_A' }] },
    });
    expect(await run('ApiKey', 'findUnique', { where: { id: 'k' } })).toEqual({
      where: { id: 'k', AND: [{ tenantId: 'ten_A' }] },
    });
    expect((await run('ApiKey', 'update', { where: { id: 'k' }, data: { name: 'y' } })).where).toEqual({
      id: 'k',
      AND: [{ tenantId: 'ten_A' }],
    });
    expect((await run('ApiKey', 'deleteMany', {})).where).toEqual({ tenantId: 'ten_A' });
    expect((await run('ApiKey', 'count', undefined)).where).toEqual({ tenantId: 'ten_A' });
  });

  it('stamps creates and refuses a create for another tenant', async () => {
    expect((await run('Invitation', 'create', { data: { email: 'e' } })).data).toEqual({
      email: 'e',
      tenantId: 'ten_A',
    });
    expect((await run('UsageRecord', 'createMany', { data: [{ units: 1 }, { units: 2 }] })).data).toEqual([
      { units: 1, tenantId: 'ten_A' },
      { units: 2, tenantId: 'ten_A' },
    ]);
    await expect(run('ApiKey', 'create', { data: { tenantId: 'ten_B' } })).rejects.toThrow(/another tenant/);
    const up = await run('QuotaCounter', 'upsert', { where: { x: 1 }, create: { units: 1 }, update: {} });
    expect(up.create.tenantId).toBe('ten_A');
  });

  it('lets catalog tables be read when public, but written only when owned', async () => {
    expect((await run('Model', 'findMany', {})).where).toEqual({ OR: [{ tenantId: 'ten_A' }, { tenantId: null }] });
    expect((await run('Model', 'updateMany', { where: { name: 'iris' }, data: {} })).where).toEqual({
      AND: [{ name: 'iris' }, { tenantId: 'ten_A' }],
    });
  });

  describe('update data', () => {
    for (const operation of ['update', 'updateMany', 'updateManyAndReturn']) {
      it(`${operation}: refuses tenantId of another tenant, keeps its own, leaves other data alone`, async () => {
        await expect(run('ApiKey', operation, { where: { id: 'k' }, data: { tenantId: 'ten_B' } })).rejects.toThrow(
          /another tenant/,
        );
        await expect(
          run('ApiKey', operation, { where: { id: 'k' }, data: { tenantId: { set: 'ten_B' } } }),
        ).rejects.toThrow(/another tenant/);
        expect(
          (await run('ApiKey', operation, { where: { id: 'k' }, data: { tenantId: 'ten_A', name: 'n' } })).data,
        ).toEqual({ tenantId: 'ten_A', name: 'n' });
        expect((await run('ApiKey', operation, { where: { id: 'k' }, data: { name: 'n' } })).data).toEqual({
          name: 'n',
        });
      });
    }

    it('upsert: the update branch is checked like an update, the create branch stamped', async () => {
      await expect(
        run('QuotaCounter', 'upsert', { where: { x: 1 }, create: {}, update: { tenantId: 'ten_B' } }),
      ).rejects.toThrow(/another tenant/);
      const up = await run('QuotaCounter', 'upsert', { where: { x: 1 }, create: { units: 1 }, update: { units: 2 } });
      expect(up).toMatchObject({ create: { units: 1, tenantId: 'ten_A' }, update: { units: 2 } });
      expect(up.update.tenantId).toBeUndefined();
    });
  });

  describe('nested writes', () => {
    for (const operation of ['create', 'update', 'updateMany']) {
      it(`${operation}: the tenant relation connects only to this tenant; nothing else through it`, async () => {
        await expect(
          run('ApiKey', operation, { where: { id: 'k' }, data: { tenant: { connect: { id: 'ten_B' } } } }),
        ).rejects.toThrow(/tenant relation/);
        await expect(
          run('ApiKey', operation, { where: { id: 'k' }, data: { tenant: { create: { id: 'ten_X', name: 'x' } } } }),
        ).rejects.toThrow(/tenant relation/);
        await expect(
          run('ApiKey', operation, { where: { id: 'k' }, data: { tenant: { connect: { id: 'ten_A' } } } }),
        ).resolves.toBeDefined();
      });

      it(`${operation}: a nested connect to a scoped model must find this tenant's row`, async () => {
        const out = await run('ModelAlias', operation, {
          where: { id: 'a' },
          data: { version: { connect: { id: 'mv_other' } } },
        });
        expect(out.data.version.connect).toEqual({ id: 'mv_other', tenantId: 'ten_A' });
        const many = await run('ModelVersion', operation, {
          where: { id: 'v' },
          data: { aliases: { connect: [{ id: 'a1' }, { id: 'a2' }] } },
        });
        expect(many.data.aliases.connect).toEqual([
          { id: 'a1', tenantId: 'ten_A' },
          { id: 'a2', tenantId: 'ten_A' },
        ]);
      });

      it(`${operation}: nested creates are stamped and checked; other nested writes are refused`, async () => {
        const out = await run('Model', operation, {
          where: { id: 'm' },
          data: { versions: { create: [{ version: 1 }] } },
        });
        expect(out.data.versions.create).toEqual([{ version: 1, tenantId: 'ten_A' }]);
        await expect(
          run('Model', operation, { where: { id: 'm' }, data: { versions: { create: { tenantId: 'ten_B' } } } }),
        ).rejects.toThrow(/another tenant/);
        await expect(
          run('Model', operation, {
            where: { id: 'm' },
            data: { versions: { updateMany: { where: {}, data: { tenantId: null } } } },
          }),
        ).rejects.toThrow(/nested updateMany/);
        await expect(
          run('Model', operation, { where: { id: 'm' }, data: { versions: { deleteMany: {} } } }),
        ).rejects.toThrow(/nested deleteMany/);
      });
    }
  });

  it('leaves tables without tenants alone', async () => {
    expect(await run('Plan', 'findMany', { where: { id: 'free' } })).toEqual({ where: { id: 'free' } });
  });

  it('refuses an empty tenant id', () => {
    expect(() => tenantScope('')).toThrow();
  });
});
