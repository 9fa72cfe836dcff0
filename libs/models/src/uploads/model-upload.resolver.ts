import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { CurrentTenant, RequirePermission } from '@app/auth';
import { CreateModelUploadInput } from '../dto/model.inputs';
import { ModelUploadService } from './model-upload.service';
import { ModelUpload } from './model-upload.types';

@Resolver(() => ModelUpload)
export class ModelUploadResolver {
  constructor(private readonly uploads: ModelUploadService) {}

  @RequirePermission('models:write')
  @Mutation(() => ModelUpload, {
    description: 'A short-lived signed URL for one model file too large for a GraphQL request',
  })
  createModelUpload(
    @CurrentTenant() tenantId: string,
    @Args('input') input: CreateModelUploadInput,
  ): Promise<ModelUpload> {
    return this.uploads.create(tenantId, input);
  }
}
