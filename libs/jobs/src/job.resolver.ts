import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AppError } from '@app/common';
import { Ctx, CurrentTenant, RequestContext, RequirePermission } from '@app/auth';
import { InferenceJob, InferenceJobConnection, SubmitInferenceJobInput } from './dto/inference-job.type';
import { JobService } from './job.service';

const principalOf = (ctx: RequestContext) => {
  if (ctx.principal.kind === 'anonymous') throw AppError.unauthenticated();
  return ctx.principal;
};

@Resolver(() => InferenceJob)
export class JobResolver {
  constructor(private readonly jobs: JobService) {}

  @RequirePermission('inference:run')
  @Mutation(() => InferenceJob, {
    description:
      'Queues a batch of instances; poll inferenceJob(id) or pass webhookUrl. The webhook secret is in this answer only.',
  })
  submitInferenceJob(
    @Args('input') input: SubmitInferenceJobInput,
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<InferenceJob> {
    return this.jobs.submit(tenantId, principalOf(ctx), input, ctx.requestId);
  }

  @RequirePermission('inference:run')
  @Query(() => InferenceJob)
  inferenceJob(@Args('id', { type: () => ID }) id: string, @CurrentTenant() tenantId: string): Promise<InferenceJob> {
    return this.jobs.get(tenantId, id);
  }

  @RequirePermission('inference:run')
  @Query(() => InferenceJobConnection, { description: "The tenant's jobs, newest first" })
  inferenceJobs(
    @CurrentTenant() tenantId: string,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<InferenceJobConnection> {
    return this.jobs.list(tenantId, first, after);
  }

  @RequirePermission('inference:run')
  @Mutation(() => InferenceJob, {
    description:
      'QUEUED: cancelled at once. RUNNING: stops after the current chunk. Finished: CONFLICT (JOB_FINISHED).',
  })
  cancelInferenceJob(
    @Args('id', { type: () => ID }) id: string,
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<InferenceJob> {
    return this.jobs.cancel(tenantId, principalOf(ctx), id, ctx.requestId);
  }
}
