import { Args, Context, Info, Mutation, Resolver } from '@nestjs/graphql';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GraphQLResolveInfo } from 'graphql';
import { labelScores } from '@app/inference';
import { AdmitPerPrediction } from '@app/quotas';
import { Ctx, CurrentTenant, RequestContext, RequirePermission } from '@app/auth';
import { Prediction, PredictInput } from './dto/prediction.types.graphql';
import { PredictionService, type PredictionResult } from './prediction.service';
import { httpPredictionContext, markReplay } from './rest/http-context';

@Resolver(() => Prediction)
export class PredictionResolver {
  constructor(private readonly predictions: PredictionService) {}

  /** Each `predict` field of an operation (aliases included) is one prediction: admitted, metered and audited on its own. */
  @RequirePermission('inference:run')
  @AdmitPerPrediction()
  @Mutation(() => Prediction, { description: 'Runs a model now: quota, usage and audit as on the REST protocols' })
  async predict(
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
    @Args('input') input: PredictInput,
    @Context() gql: { req: FastifyRequest; reply?: FastifyReply },
    @Info() info: GraphQLResolveInfo,
  ): Promise<Prediction> {
    const pctx = httpPredictionContext(tenantId, ctx, gql.req, gql.reply, String(info.path.key));
    const result = await this.predictions.predict(pctx, input);
    markReplay(gql.reply, result);
    return {
      outputs: result.outputs,
      model: result.model,
      version: result.version,
      usage: result.usage,
      timing: result.timing,
      labels: this.labels(result, info),
    };
  }

  /** Sorting every class of every instance costs: only when the operation selects `labels`. */
  private labels(result: PredictionResult, info: GraphQLResolveInfo): unknown {
    const labels = result.labels;
    if (!labels?.length) return null;
    const asked = info.fieldNodes.some((n) =>
      n.selectionSet?.selections.some((s) => s.kind === 'Field' && s.name.value === 'labels'),
    );
    if (!asked) return null;
    return labelScores(labels, result.outputs[result.outputSignature[0].name] as number[][]);
  }
}
