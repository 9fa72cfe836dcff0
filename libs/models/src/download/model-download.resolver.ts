import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { actorOf, Ctx, CurrentTenant, RequestContext, RequirePermission } from '@app/auth';
import { Model } from '../dto/model.types';
import { ModelCatalogService } from '../registry/model-catalog.service';
import { ModelDownloadService } from './model-download.service';
import { ModelDownload } from './model-download.types';

const who = (ctx: RequestContext) => ({ actor: actorOf(ctx.principal), requestId: ctx.requestId });

@Resolver()
export class ModelDownloadResolver {
  constructor(
    private readonly downloads: ModelDownloadService,
    private readonly catalog: ModelCatalogService,
  ) {}

  @RequirePermission('models:read')
  @Query(() => ModelDownload, { description: "A short-lived signed URL of a version's model.json (audited)" })
  modelVersionDownload(
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
    @Args('model') model: string,
    @Args('version', { description: 'A version number or an alias' }) version: string,
  ): Promise<ModelDownload> {
    return this.downloads.issue(tenantId, who(ctx), model, version);
  }

  @RequirePermission('models:write')
  @Mutation(() => Model, {
    description: 'Allows or stops downloads of one of your models (URLs already issued stop working too)',
  })
  setModelDownloads(
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
    @Args('model') model: string,
    @Args('enabled') enabled: boolean,
  ): Promise<Model> {
    return this.catalog.setDownloads(tenantId, who(ctx), model, enabled);
  }
}
