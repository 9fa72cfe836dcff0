import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { Ctx, CurrentTenant, RequestContext, RequirePermission } from '@app/tenancy';
import { Prediction, PredictInput } from './prediction.graphql';
import { PredictionService } from './prediction.service';
import { predictionContextOf } from './prediction-context';

@Resolver(() => Prediction)
export class PredictResolver {
  constructor(private readonly predictions: PredictionService) {}

  @RequirePermission('inference:run')
  @Mutation(() => Prediction, { description: 'Runs a model now: quota, usage and audit as on the REST protocols' })
  async predict(@CurrentTenant() tenantId: string, @Ctx() ctx: RequestContext, @Args('input') input: PredictInput): Promise<Prediction> {
    const result = await this.predictions.predict(predictionContextOf(tenantId, ctx), input);
    return { outputs: result.outputs, model: result.model, version: result.version, usage: result.usage, timing: result.timing, labels: result.labelled ?? null };
  }
}

