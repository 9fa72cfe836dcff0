import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { ModelVersion } from '@app/models';
import { CurrentTenant } from '@app/auth';
import { Evaluation } from '../evaluation/evaluation.types';
import { EvaluationService } from '../evaluation/evaluation.service';
import { TrainingJob } from '../training/training.types';
import { TrainingService } from '../training/training.service';

/** ModelVersion's lifecycle fields: its evaluations and the training job that made it. */
@Resolver(() => ModelVersion)
export class ModelVersionFieldsResolver {
  constructor(
    private readonly evaluationService: EvaluationService,
    private readonly training: TrainingService,
  ) {}

  @ResolveField(() => [Evaluation], { description: "The tenant's evaluations of this version, oldest first" })
  evaluations(@Parent() v: ModelVersion, @CurrentTenant() tenantId: string): Promise<Evaluation[]> {
    return this.evaluationService.ofVersion(tenantId, v.versionId);
  }

  @ResolveField(() => TrainingJob, { nullable: true })
  async trainingJob(@Parent() v: ModelVersion, @CurrentTenant() tenantId: string): Promise<TrainingJob | null> {
    return v.trainingJobId ? this.training.get(tenantId, v.trainingJobId).catch(() => null) : null;
  }
}
