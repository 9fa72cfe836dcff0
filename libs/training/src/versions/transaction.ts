import type { Prisma, TenantClient } from '@app/db';

export type ScopedTx = Parameters<Parameters<TenantClient['$transaction']>[0]>[0];

/**
 * A tenant-scoped transaction where a library takes Prisma's plain transaction type (metering,
 * quotas, the version writer): they run raw SQL or creates that carry the tenant id themselves,
 * and the scoped client is the same connection and transaction underneath.
 */
export const plainTx = (tx: ScopedTx): Prisma.TransactionClient => tx as unknown as Prisma.TransactionClient;
