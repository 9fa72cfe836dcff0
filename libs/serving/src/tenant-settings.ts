import { Injectable } from '@nestjs/common';
import { TtlCache } from '@app/common';
import { PrismaService } from '@app/db';

/** Per-tenant settings read on the prediction path, cached briefly (one query per 5 s, not per call). */
@Injectable()
export class TenantSettings {
  private readonly cache = new TtlCache<string, { payloadLogging: boolean }>({ ttlMs: 5_000 });

  constructor(private readonly prisma: PrismaService) {}

  async payloadLogging(tenantId: string): Promise<boolean> {
    const hit = this.cache.get(tenantId);
    if (hit) return hit.payloadLogging;
    // The tenants table is keyed by the caller's own tenant id: no other tenant's row is read.
    const row = await this.prisma.tenant.findUnique({ where: { id: tenantId }, select: { payloadLogging: true } });
    const payloadLogging = row?.payloadLogging ?? false;
    this.cache.set(tenantId, { payloadLogging });
    return payloadLogging;
  }
}
