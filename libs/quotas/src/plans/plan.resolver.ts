import { Query, Resolver } from '@nestjs/graphql';
import { PrismaService } from '@app/db';
import { PlanType } from './plan.type';

@Resolver(() => PlanType)
export class PlansResolver {
  // Plans are a global catalogue, not tenant-owned: the unscoped client reads only public rows.
  constructor(private readonly prisma: PrismaService) {}

  // No permission: every signed-in principal (any role, any key) may compare plans.
  @Query(() => [PlanType], { description: 'The plans on offer, cheapest first' })
  async plans(): Promise<PlanType[]> {
    const rows = await this.prisma.plan.findMany({
      where: { public: true },
      orderBy: [{ monthlyPriceCents: 'asc' }, { monthlyIncludedUnits: 'asc' }],
    });
    return rows.map((p) => ({
      id: p.id,
      name: p.name,
      description: p.description,
      monthlyPriceCents: p.monthlyPriceCents,
      currency: p.currency,
      unitsIncluded: Number(p.monthlyIncludedUnits),
      requestsPerMinutePerKey: p.requestsPerMinutePerKey,
      requestsPerMinutePerTenant: p.requestsPerMinutePerTenant,
      maxConcurrentRequests: p.maxConcurrentRequests,
      maxConcurrentJobs: p.maxConcurrentJobs,
      hardCap: p.hardCap,
      overageMicrosPerUnit: Number(p.overageMicrosPerUnit),
      overageCentsPerUnit: Number(p.overageMicrosPerUnit) / 10_000,
      maxUploadBytes: Number(p.maxUploadBytes),
      purchasable: Boolean(p.stripePriceId),
    }));
  }
}
