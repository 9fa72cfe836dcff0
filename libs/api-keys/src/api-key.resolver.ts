import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AppError } from '@app/common';
import { Ctx, CurrentTenant, RequestContext, RequirePermission } from '@app/auth';
import { ApiKeyService } from './api-key.service';
import { ApiKey, ApiKeyConnection, CreateApiKeyInput, CreatedApiKey } from './dto/api-key.type';

const principalOf = (ctx: RequestContext) => {
  if (ctx.principal.kind === 'anonymous') throw AppError.unauthenticated();
  return ctx.principal;
};

@Resolver(() => ApiKey)
export class ApiKeyResolver {
  constructor(private readonly keys: ApiKeyService) {}

  @RequirePermission('keys:write')
  @Query(() => ApiKeyConnection)
  apiKeys(
    @CurrentTenant() tenantId: string,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<ApiKeyConnection> {
    return this.keys.list(tenantId, first, after);
  }

  @RequirePermission('keys:write')
  @Mutation(() => CreatedApiKey, { description: 'The secret in the answer is shown once.' })
  createApiKey(
    @Args('input') input: CreateApiKeyInput,
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<CreatedApiKey> {
    return this.keys.create(tenantId, principalOf(ctx), input, ctx.requestId);
  }

  @RequirePermission('keys:write')
  @Mutation(() => ApiKey, { description: 'Takes effect at once in this process and within seconds everywhere.' })
  revokeApiKey(
    @Args('id', { type: () => ID }) id: string,
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<ApiKey> {
    return this.keys.revoke(tenantId, principalOf(ctx), id, ctx.requestId);
  }

  @RequirePermission('keys:write')
  @Mutation(() => CreatedApiKey, { description: 'Issues a new secret for the key and revokes the old one.' })
  rotateApiKey(
    @Args('id', { type: () => ID }) id: string,
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<CreatedApiKey> {
    return this.keys.rotate(tenantId, principalOf(ctx), id, ctx.requestId);
  }
}
