import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { createTestDatabase, needsPostgres } from '../../../../test/support/database';
import { PrismaService } from '../prisma.service';
import { isInvalidValue, isUniqueViolation, uniqueConstraintOf } from './db-error';

const MIGRATIONS = path.resolve(__dirname, '../../../../prisma/migrations');
const d = needsPostgres('db error mapping') ? describe : describe.skip;

// One mapping for both driver adapters, exercised against the real databases: a unique
// violation and a NUL byte, as each adapter reports them.
d('database errors: the same meaning from PostgreSQL and PGlite', () => {
  const adapters: [string, () => Promise<{ prisma: PrismaService; close: () => Promise<void> }>][] = [
    [
      'PostgreSQL (PrismaPg)',
      async () => {
        const db = await createTestDatabase();
        const prisma = new PrismaService(new PrismaPg({ connectionString: db.url, max: 2 }), 'postgres');
        return { prisma, close: async () => (await prisma.$disconnect(), await db.drop()) };
      },
    ],
    [
      'PGlite (PrismaPGlite)',
      async () => {
        const pglite = new PGlite();
        for (const m of readdirSync(MIGRATIONS)
          .filter((n) => /^\d/.test(n))
          .sort())
          await pglite.exec(readFileSync(path.join(MIGRATIONS, m, 'migration.sql'), 'utf8'));
        const prisma = new PrismaService(new PrismaPGlite(pglite as never), 'embedded', () => pglite.close());
        return { prisma, close: () => prisma.onModuleDestroy() };
      },
    ],
  ];

  for (const [name, open] of adapters) {
    it(`${name}: a duplicate is a unique violation naming its constraint; a NUL is an invalid value`, async () => {
      const { prisma, close } = await open();
      try {
        await prisma.user.create({ data: { id: 'usr_1', email: 'a@example.com', passwordHash: 'x' } });
        const dup = await prisma.user
          .create({ data: { id: 'usr_2', email: 'a@example.com', passwordHash: 'x' } })
          .catch((e: unknown) => e);
        expect(isUniqueViolation(dup)).toBe(true);
        expect(uniqueConstraintOf(dup)).toBe('users_email_key');
        expect(isInvalidValue(dup)).toBe(false);
        const inTx = await prisma
          .$transaction((tx) => tx.user.create({ data: { id: 'usr_3', email: 'a@example.com', passwordHash: 'x' } }))
          .catch((e: unknown) => e);
        expect(isUniqueViolation(inTx)).toBe(true);
        const nul = await prisma.user
          .create({ data: { id: 'usr_4', email: 'a\u0000b@example.com', passwordHash: 'x' } })
          .catch((e: unknown) => e);
        expect(isInvalidValue(nul)).toBe(true);
        expect(isUniqueViolation(nul)).toBe(false);
      } finally {
        await close();
      }
    }, 120_000);
  }

  it('the shape the built app gets from PGlite (SQLSTATE as the code, no driverAdapterError) maps the same', () => {
    // Seen from dist/ in embedded mode: PrismaClientKnownRequestError { code: '23505', meta: { modelName } }.
    const e = Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), {
      code: '23505',
      meta: { modelName: 'User' },
    });
    expect(isUniqueViolation(e)).toBe(true);
    expect(uniqueConstraintOf(e)).toBe('users_email_key');
    expect(isInvalidValue(Object.assign(new Error('invalid byte sequence'), { code: '22021' }))).toBe(true);
    expect(isUniqueViolation(new Error('boom'))).toBe(false);
  });
});
