import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { actorOf, Ctx, CurrentTenant, RequestContext, RequirePermission } from '@app/auth';
import { DatasetService } from './dataset.service';
import { DatasetUploadService } from './dataset-upload.service';
import {
  CreateDatasetInput,
  CreateDatasetUploadInput,
  Dataset,
  DatasetConnection,
  DatasetUpload,
} from './dataset.types';

const who = (ctx: RequestContext) => ({ actor: actorOf(ctx.principal), requestId: ctx.requestId });

@Resolver(() => Dataset)
export class DatasetResolver {
  constructor(
    private readonly service: DatasetService,
    private readonly uploads: DatasetUploadService,
  ) {}

  @RequirePermission('models:write')
  @Mutation(() => DatasetUpload, {
    description: 'A short-lived signed URL for a dataset file too large for a GraphQL request',
  })
  createDatasetUpload(
    @Args('input') input: CreateDatasetUploadInput,
    @CurrentTenant() tenantId: string,
  ): Promise<DatasetUpload> {
    return this.uploads.create(tenantId, input);
  }

  @RequirePermission('models:write')
  @Mutation(() => Dataset, {
    description:
      'The dataset of a createDatasetUpload URL once its file is PUT (S3 mode: made now from the uploaded file)',
  })
  completeDatasetUpload(
    @Args('token') token: string,
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<Dataset> {
    return this.uploads.complete(tenantId, who(ctx), token);
  }

  @RequirePermission('models:write')
  @Mutation(() => Dataset, {
    description: 'Uploads a small dataset inline (CSV with a header row, or JSON Lines); columns are typed on arrival',
  })
  createDataset(
    @Args('input') input: CreateDatasetInput,
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<Dataset> {
    return this.service.create(tenantId, who(ctx), input);
  }

  @RequirePermission('models:read')
  @Query(() => DatasetConnection, { description: "The tenant's datasets, newest first" })
  datasets(
    @CurrentTenant() tenantId: string,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<DatasetConnection> {
    return this.service.list(tenantId, first, after);
  }

  @RequirePermission('models:read')
  @Query(() => Dataset)
  dataset(@Args('id', { type: () => ID }) id: string, @CurrentTenant() tenantId: string): Promise<Dataset> {
    return this.service.get(tenantId, id);
  }

  @RequirePermission('models:write')
  @Mutation(() => Dataset)
  deleteDataset(
    @Args('id', { type: () => ID }) id: string,
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<Dataset> {
    return this.service.delete(tenantId, who(ctx), id);
  }
}
