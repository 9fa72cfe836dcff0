import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { actorOf, Ctx, CurrentTenant, RequestContext, RequirePermission } from '@app/auth';
import { CreateModelInput, PublishModelVersionInput, SetModelAliasInput } from './dto/model.inputs';
import { Model, ModelConnection, ModelVersion } from './dto/model.types';
import { ModelCatalogService } from './registry/model-catalog.service';
import { ModelDeletionService } from './registry/model-deletion.service';
import { ModelPublisher } from './publish/model-publisher.service';

const who = (ctx: RequestContext) => ({ actor: actorOf(ctx.principal), requestId: ctx.requestId });

@Resolver(() => Model)
export class ModelResolver {
  constructor(
    private readonly catalog: ModelCatalogService,
    private readonly publisher: ModelPublisher,
    private readonly deletion: ModelDeletionService,
  ) {}

  @RequirePermission('models:read')
  @Query(() => ModelConnection, { description: "The tenant's models and the public catalog" })
  models(
    @CurrentTenant() tenantId: string,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<ModelConnection> {
    return this.catalog.list(tenantId, first, after);
  }

  @RequirePermission('models:read')
  @Query(() => Model, { nullable: true, description: "The tenant's model of that name, else the public one" })
  model(@CurrentTenant() tenantId: string, @Args('name') name: string): Promise<Model | null> {
    return this.catalog.get(tenantId, name);
  }

  @RequirePermission('models:write')
  @Mutation(() => Model)
  createModel(
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
    @Args('input') input: CreateModelInput,
  ): Promise<Model> {
    return this.catalog.create(tenantId, who(ctx), input);
  }

  @RequirePermission('models:write')
  @Mutation(() => ModelVersion, {
    description: 'Validates and dry-runs the artifact; the new version is READY or nothing is stored',
  })
  publishModelVersion(
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
    @Args('input') input: PublishModelVersionInput,
  ): Promise<ModelVersion> {
    return this.publisher.publish(tenantId, who(ctx), input);
  }

  @RequirePermission('models:write')
  @Mutation(() => Model, { description: 'Points an alias at a version (rollback: point it back)' })
  setModelAlias(
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
    @Args('input') input: SetModelAliasInput,
  ): Promise<Model> {
    return this.catalog.setAlias(tenantId, who(ctx), input);
  }

  @RequirePermission('models:write')
  @Mutation(() => ModelVersion, {
    nullable: true,
    description: 'Deletes a version and its files (CONFLICT while an alias serves it); usage and audit stay',
  })
  deleteModelVersion(
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
    @Args('model') model: string,
    @Args('version') version: string,
  ): Promise<ModelVersion> {
    return this.deletion.deleteVersion(tenantId, who(ctx), model, version);
  }

  @RequirePermission('models:write')
  @Mutation(() => Model, {
    nullable: true,
    description: 'Deletes one of your models with its versions, aliases and files; usage and audit stay',
  })
  deleteModel(
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
    @Args('name') name: string,
  ): Promise<Model> {
    return this.deletion.deleteModel(tenantId, who(ctx), name);
  }
}
