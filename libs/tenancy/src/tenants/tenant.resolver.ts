import { Inject } from '@nestjs/common';
import { Args, Context, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig, AppError } from '@app/common';
import { TenantService } from './tenant.service';
import { Ctx, CurrentTenant, SessionOnly, RequestContext } from '@app/auth';
import { Tenant } from '../dto/tenant.type';
import { SESSION_COOKIE, setSessionCookies } from '../sessions/session-cookies';

@Resolver(() => Tenant)
export class TenantResolver {
  constructor(
    private readonly tenants: TenantService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Query(() => Tenant, { description: 'The tenant this request acts for (from the API key or the session).' })
  tenant(@CurrentTenant() tenantId: string): Promise<Tenant> {
    return this.tenants.get(tenantId);
  }

  @SessionOnly()
  @Mutation(() => Tenant, { description: 'Create another tenant; the caller becomes its owner.' })
  createTenant(@Args('name') name: string, @Ctx() ctx: RequestContext): Promise<Tenant> {
    if (ctx.principal.kind !== 'user') throw AppError.forbidden('sign in to create a tenant');
    return this.tenants.create(ctx.principal.userId, name, ctx.requestId);
  }

  @SessionOnly()
  @Mutation(() => Tenant, { description: 'Act for another of your tenants. Issues a new session (and CSRF token).' })
  async switchTenant(
    @Args('tenantId', { type: () => ID }) tenantId: string,
    @Ctx() ctx: RequestContext,
    @Context() gql: { req: FastifyRequest; reply: FastifyReply },
  ): Promise<Tenant> {
    if (ctx.principal.kind !== 'user') throw AppError.forbidden('sign in to switch tenant');
    const { tenant, session } = await this.tenants.switchTo(
      ctx.principal.userId,
      tenantId,
      gql.req.cookies?.[SESSION_COOKIE] ?? '',
      ctx.requestId,
    );
    setSessionCookies(gql.reply, session, this.config);
    return tenant;
  }
}
