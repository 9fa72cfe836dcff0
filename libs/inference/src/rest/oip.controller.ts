import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ReadinessService } from '@app/common';
import { Ctx, CurrentTenant, Public, RequestContext, RequirePermission } from '@app/tenancy';
import { ModelRegistry } from '@app/models/registry/model-registry.service';
import { ModelCatalogService } from '@app/models/registry/model-catalog.service';
import { PredictionService } from '../prediction/prediction.service';
import { predictionContextOf } from '../prediction/prediction-context';
import { OipInferRequest, oipInputs, oipOutputs } from './oip-codec';

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
  async versionReady(@CurrentTenant() tenantId: string, @Param('name') name: string, @Param('version') version: string) {
    await this.registry.resolve(tenantId, name, version);
    return { name, version, ready: true };
  }

  @RequirePermission('inference:run')
  @Post('models/:name/infer')
  @HttpCode(200)
  infer(@CurrentTenant() tenantId: string, @Ctx() ctx: RequestContext, @Param('name') name: string, @Body() body: OipInferRequest) {
    return this.run(tenantId, ctx, name, null, body);
  }

  @RequirePermission('inference:run')
  @Post('models/:name/versions/:version/infer')
  @HttpCode(200)
  inferVersion(@CurrentTenant() tenantId: string, @Ctx() ctx: RequestContext, @Param('name') name: string, @Param('version') version: string, @Body() body: OipInferRequest) {
    return this.run(tenantId, ctx, name, version, body);
  }

  private async run(tenantId: string, ctx: RequestContext, name: string, version: string | null, body: OipInferRequest) {
    const model = await this.registry.resolve(tenantId, name, version);
    const inputs = oipInputs(body, model.spec.inputs);
    const result = await this.predictions.predict(predictionContextOf(tenantId, ctx), { model: name, version: String(model.version), inputs });
    const outputs = oipOutputs(result, body.outputs);
    const id = typeof body.id === 'string' ? body.id : ctx.requestId;
    return { model_name: result.model, model_version: String(result.version), id, outputs };
  }

  private async describe(tenantId: string, name: string, version?: string) {
    const model = await this.registry.resolve(tenantId, name, version);
    const info = await this.catalog.get(tenantId, name);
    const versions = (info?.versions ?? []).filter((v) => v.status === 'READY').map((v) => String(v.version));
    const tensor = ({ name: n, datatype, shape }: { name: string; datatype: string; shape: number[] }) => ({ name: n, datatype, shape });
    return {
      name: model.modelName,
      versions: version ? [String(model.version)] : versions,
      platform: PLATFORM,
      inputs: model.spec.inputs.map(tensor),
      outputs: model.spec.outputs.map(tensor),
    };
  }
}
