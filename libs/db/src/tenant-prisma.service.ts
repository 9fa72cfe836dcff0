import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service';
import { tenantScope } from './tenant-scope.extension';

export type TenantClient = ReturnType<TenantPrisma['forTenant']>;

/** Hands out tenant-scoped clients: the normal way to reach tenant-owned tables. */
@Injectable()
export class TenantPrisma {
  constructor(private readonly prisma: PrismaService) {}

  forTenant(tenantId: string) {
    return this.prisma.$extends(tenantScope(tenantId));
  }
}
