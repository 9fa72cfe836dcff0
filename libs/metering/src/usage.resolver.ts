import { Args, Query, Resolver } from '@nestjs/graphql';
import { CurrentTenant, RequirePermission } from '@app/auth';
import { UsageBucket, UsageGroup } from './dto/usage.types';
import { UsageQueryService } from './usage-query.service';

@Resolver(() => UsageBucket)
export class UsageResolver {
  constructor(private readonly usageQuery: UsageQueryService) {}

  @RequirePermission('usage:read')
  @Query(() => [UsageBucket], { description: 'Usage from the platform ledger (hourly aggregates), [from, to)' })
  usage(
    @CurrentTenant() tenantId: string,
    @Args('from', { type: () => Date }) from: Date,
    @Args('to', { type: () => Date }) to: Date,
    @Args('groupBy', { type: () => [UsageGroup], nullable: true }) groupBy?: UsageGroup[] | null,
  ): Promise<UsageBucket[]> {
    return this.usageQuery.buckets(tenantId, from, to, groupBy ?? []);
  }
}
