import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AppError } from '@app/common';
import { Ctx, CurrentTenant, RequestContext, RequirePermission } from '@app/auth';
import { TrainingService } from './training.service';
import { StartTrainingInput, TrainingJob, TrainingJobConnection } from './training.types';

const principalOf = (ctx: RequestContext) => {
  if (ctx.principal.kind === 'anonymous') throw AppError.unauthenticated();
  return ctx.principal;
};

@Resolver(() => TrainingJob)
export class TrainingResolver {
  constructor(private readonly training: TrainingService) {}

  @RequirePermission('models:write')
  @Mutation(() => TrainingJob, {
    description:
      'Queues a training job on the workers; poll trainingJob(id). Publishes a new READY version when it succeeds.',
  })
  startTraining(
    @Args('input') input: StartTrainingInput,
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<TrainingJob> {
    return this.training.start(tenantId, principalOf(ctx), input, ctx.requestId);
  }

  @RequirePermission('models:read')
  @Query(() => TrainingJob)
  trainingJob(@Args('id', { type: () => ID }) id: string, @CurrentTenant() tenantId: string): Promise<TrainingJob> {
    return this.training.get(tenantId, id);
  }

  @RequirePermission('models:read')
  @Query(() => TrainingJobConnection, { description: "The tenant's training jobs, newest first" })
  trainingJobs(
    @CurrentTenant() tenantId: string,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<TrainingJobConnection> {
    return this.training.list(tenantId, first, after);
  }

  @RequirePermission('models:write')
  @Mutation(() => TrainingJob, {
    description:
      'QUEUED: cancelled at once. RUNNING: stops after the current epoch, publishes nothing. Finished: CONFLICT (JOB_FINISHED).',
  })
  cancelTraining(
    @Args('id', { type: () => ID }) id: string,
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<TrainingJob> {
    return this.training.cancel(tenantId, principalOf(ctx), id, ctx.requestId);
  }
}
