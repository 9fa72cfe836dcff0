export * from './prisma.service';
export * from './tenant-prisma.service';
export * from './tenant-scope.extension';
export * from './db.module';
export * from './database.factory';
export * from './repo-root';
export { Prisma, Role, JobStatus, ModelVersionStatus, OutboxStatus } from './generated/prisma/client';
export type * from './generated/prisma/client';
export * from './errors/db-error';
