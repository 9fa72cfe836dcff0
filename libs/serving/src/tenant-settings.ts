import { Injectable } from '@nestjs/common';
import { PrismaService } from '@app/db';

const TTL_MS = 5_000;

/** Per-tenant settings read on the prediction path, cached briefly (one query per 5 s, not per call). */
@Injectable()
export class TenantSettings {
  private readonly cache = new Map<string, { payloadLogging: boolean; at: number }>();

  constructor(private readonly prisma: PrismaService) {}

  async payloadLogging(tenantId: string): Promise<boolean> {
    const hit = this.cache.get(tenantId);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.payloadLogging;
    // The tenants table is keyed by the caller's own tenant id: no other tenant's row is read.
    const row = await this.prisma.tenant.findUnique({ where: { id: tenantId }, select: { payloadLogging: true } });
    const payloadLogging = row?.payloadLogging ?? false;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(tenantId, { payloadLogging, at: Date.now() });
    return payloadLogging;
  }
}
