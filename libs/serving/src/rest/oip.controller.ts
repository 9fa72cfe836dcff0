import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ReadinessService } from '@app/common';
import { Ctx, CurrentTenant, Public, RequestContext, RequirePermission } from '@app/auth';
import { ModelCatalogService, ModelRegistry } from '@app/models';
import { AdmitPerPrediction } from '@app/quotas';
import { PredictionService } from '../prediction.service';
import { httpPredictionContext, markReplay } from './http-context';
import { OipInferRequest, oipInputs, oipOutputs, oipRequestedOutputs } from './oip-codec';

const PLATFORM = 'tensorflowjs';

/** Open Inference Protocol v2 (KServe / Triton) over REST: health, metadata, readiness, infer. */
@Controller('v2')
export class OipController {
  constructor(
    private readonly predictions: PredictionService,
    private readonly registry: ModelRegistry,
    private readonly catalog: ModelCatalogService,
    private readonly readiness: ReadinessService,
  ) {}

  @Public()
  @Get()
  server() {
    return { name: 'model-service', version: '2', extensions: [] };
  }

  @Public()
  @Get('health/live')
  live() {
    return { live: true };
  }

  @Public()
  @Get('health/ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const { ok } = await this.readiness.run();
    void reply.status(ok ? 200 : 503);
    return { ready: ok };
  }

  @RequirePermission('models:read')
  @Get('models/:name')
  metadata(@CurrentTenant() tenantId: string, @Param('name') name: string) {
    return this.describe(tenantId, name);
  }

  @RequirePermission('models:read')
  @Get('models/:name/versions/:version')
  versionMetadata(@CurrentTenant() tenantId: string, @Param('name') name: string, @Param('version') version: string) {
    return this.describe(tenantId, name, version);
  }

  @RequirePermission('inference:run')
  @Get('models/:name/ready')
  async modelReady(@CurrentTenant() tenantId: string, @Param('name') name: string) {
    await this.registry.resolve(tenantId, name);
    return { name, ready: true };
  }

  @RequirePermission('inference:run')
  @Get('models/:name/versions/:version/ready')
  async versionReady(
    @CurrentTenant() tenantId: string,
    @Param('name') name: string,
    @Param('version') version: string,
  ) {
    await this.registry.resolve(tenantId, name, version);
    return { name, version, ready: true };
  }

  @RequirePermission('inference:run')
  @AdmitPerPrediction()
  @Post('models/:name/infer')
  @HttpCode(200)
  infer(
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
    @Param('name') name: string,
    @Body() body: OipInferRequest,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.run(tenantId, ctx, name, null, body, req, reply);
  }

  @RequirePermission('inference:run')
  @AdmitPerPrediction()
  @Post('models/:name/versions/:version/infer')
  @HttpCode(200)
  inferVersion(
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
    @Param('name') name: string,
    @Param('version') version: string,
    @Body() body: OipInferRequest,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.run(tenantId, ctx, name, version, body, req, reply);
  }

  private async run(
    tenantId: string,
    ctx: RequestContext,
    name: string,
    version: string | null,
    body: OipInferRequest,
    req: FastifyRequest,
    reply: FastifyReply,
  ) {
    const model = await this.registry.resolve(tenantId, name, version);
    const inputs = oipInputs(body, model.spec.inputs);
    // Checked before the model runs: a request that can only fail takes no quota.
    const requested = oipRequestedOutputs(body.outputs, model.spec.outputs);
    const result = await this.predictions.predict(
      httpPredictionContext(tenantId, ctx, req, reply),
      { model: name, version: String(model.version), inputs },
      { resolved: model, requestExtras: { outputs: requested?.map((s) => s.name) ?? null } },
    );
    markReplay(reply, result);
    const id = typeof body.id === 'string' ? body.id : ctx.requestId;
    return {
      model_name: result.model,
      model_version: String(result.version),
      id,
      outputs: oipOutputs(result, requested),
    };
  }

  private async describe(tenantId: string, name: string, version?: string) {
    const model = await this.registry.resolve(tenantId, name, version);
    const info = await this.catalog.get(tenantId, name);
    const versions = (info?.versions ?? []).filter((v) => v.status === 'READY').map((v) => String(v.version));
    const tensor = ({ name: n, datatype, shape }: { name: string; datatype: string; shape: number[] }) => ({
      name: n,
      datatype,
      shape,
    });
    return {
      name: model.modelName,
      versions: version ? [String(model.version)] : versions,
      platform: PLATFORM,
      inputs: model.spec.inputs.map(tensor),
      outputs: model.spec.outputs.map(tensor),
    };
  }
}
