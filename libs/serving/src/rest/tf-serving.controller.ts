import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '@app/common';
import { ModelCatalogService, ModelRegistry } from '@app/models';
import { AdmitPerPrediction } from '@app/quotas';
import { Ctx, CurrentTenant, RequestContext, RequirePermission } from '@app/auth';
import { PredictionService } from '../prediction.service';
import { httpPredictionContext, markReplay } from './http-context';
import { TfServingRequest, tfServingInputs, tfServingResponse } from './tf-serving-codec';

// TF Serving puts the verb after a colon in the last segment (`/v1/models/iris:predict`), which
// routers read as a parameter: the path after /v1/models/ is parsed here instead.
const PATH = /^([A-Za-z0-9_-]+)(?:\/versions\/([A-Za-z0-9_-]+))?(?::(predict|classify|regress))?$/;

function parse(rest: string): { name: string; version: string | null; verb?: string } {
  const m = PATH.exec(decodeURIComponent(rest ?? ''));
  if (!m) throw AppError.notFound('model path');
  return { name: m[1], version: m[2] ?? null, verb: m[3] };
}

/** TensorFlow Serving REST: `:predict` (row and columnar formats) and model status. */
@Controller('v1/models')
export class TfServingController {
  constructor(
    private readonly predictions: PredictionService,
    private readonly registry: ModelRegistry,
    private readonly catalog: ModelCatalogService,
  ) {}

  @RequirePermission('inference:run')
  @AdmitPerPrediction()
  @Post('*')
  @HttpCode(200)
  async predict(
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
    @Param('*') rest: string,
    @Body() body: TfServingRequest,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { name, version, verb } = parse(rest);
    if (verb !== 'predict')
      throw AppError.badInput(verb ? `:${verb} is not supported; use :predict` : 'missing :predict');
    const model = await this.registry.resolve(tenantId, name, version);
    const { inputs, columnar } = tfServingInputs(
      body,
      model.spec.inputs.map((s) => s.name),
    );
    const result = await this.predictions.predict(
      httpPredictionContext(tenantId, ctx, req, reply),
      { model: name, version: String(model.version), inputs },
      { resolved: model, requestExtras: { columnar } },
    );
    markReplay(reply, result);
    return tfServingResponse(result, columnar);
  }

  @RequirePermission('models:read')
  @Get('*')
  async status(@CurrentTenant() tenantId: string, @Param('*') rest: string) {
    const { name, version, verb } = parse(rest);
    if (verb) throw AppError.notFound('model path');
    const model = await this.catalog.get(tenantId, name);
    if (!model) throw AppError.notFound(`model "${name}"`, 'MODEL_NOT_FOUND');
    let versions = model.versions;
    if (version) {
      const resolved = await this.registry.resolve(tenantId, name, version);
      versions = versions.filter((v) => v.version === resolved.version);
    }
    const state = (s: string) => (s === 'READY' ? 'AVAILABLE' : s === 'VALIDATING' ? 'LOADING' : 'END');
    return {
      model_version_status: versions.map((v) => ({
        version: String(v.version),
        state: state(v.status),
        status: { error_code: v.status === 'FAILED' ? 'UNKNOWN' : 'OK', error_message: '' },
      })),
    };
  }
}
