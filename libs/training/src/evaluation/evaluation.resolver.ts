import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AppError } from '@app/common';
import { Ctx, CurrentTenant, RequestContext, RequirePermission } from '@app/auth';
import { EvaluationService } from './evaluation.service';
import { EvaluateModelVersionInput, Evaluation } from './evaluation.types';

@Resolver(() => Evaluation)
export class EvaluationResolver {
  constructor(private readonly evaluations: EvaluationService) {}

  @RequirePermission('inference:run')
  @Mutation(() => Evaluation, {
    description:
      'Runs a version over a dataset as it is served (each row billed as an instance) and keeps the metrics with the version',
  })
  evaluateModelVersion(
    @Args('input') input: EvaluateModelVersionInput,
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<Evaluation> {
    if (ctx.principal.kind === 'anonymous') throw AppError.unauthenticated();
    return this.evaluations.evaluate(tenantId, ctx.principal, input, ctx.requestId);
  }

  @RequirePermission('models:read')
  @Query(() => Evaluation)
  evaluation(@Args('id', { type: () => ID }) id: string, @CurrentTenant() tenantId: string): Promise<Evaluation> {
    return this.evaluations.get(tenantId, id);
  }
}
