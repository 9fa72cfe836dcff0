import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { AppError } from '@app/common';
import { ModelVersion } from '@app/models';
import { Ctx, CurrentTenant, RequestContext, RequirePermission } from '@app/auth';
import { OptimizationService } from './optimization.service';
import { OptimizeModelVersionInput } from './optimization.types';

@Resolver(() => ModelVersion)
export class OptimizationResolver {
  constructor(private readonly optimization: OptimizationService) {}

  @RequirePermission('models:write')
  @Mutation(() => ModelVersion, {
    description:
      'A quantised copy of a version as a new immutable version (parentVersion, quantization); with a dataset, the metric change',
  })
  optimizeModelVersion(
    @Args('input') input: OptimizeModelVersionInput,
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<ModelVersion> {
    if (ctx.principal.kind === 'anonymous') throw AppError.unauthenticated();
    return this.optimization.optimize(tenantId, ctx.principal, input, ctx.requestId);
  }
}
