import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { PrismaClient } from './generated/prisma/client';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { EmbeddedPglite } from './embedded-database';

/**
 * The unscoped client. Outside libs/db, prefer `TenantPrisma.forTenant(tenantId)`: a query
 * through this class on a tenant-owned table must say in a comment why it may see every tenant
 * (look-ups by a secret's hash, sign-up, the worker's queue scans).
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  private readonly log = new Logger('Database');

  constructor(
    adapter: SqlDriverAdapterFactory,
    readonly mode: 'postgres' | 'embedded',
    private readonly onClose: () => Promise<void> = async () => undefined,
    /** Embedded mode: the PGlite instance under the client (the live backup dumps it). */
    readonly embedded?: EmbeddedPglite,
  ) {
    super({ adapter });
  }

  async ping(): Promise<void> {
    await this.$queryRawUnsafe('select 1');
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
    await this.onClose();
    this.log.log('database connection closed');
  }
}
