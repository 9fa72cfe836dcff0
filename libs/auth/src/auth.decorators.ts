import { ExecutionContext, SetMetadata, createParamDecorator } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { AppError } from '@app/common';
import { Permission } from './scopes';
import { Principal, RequestContext } from './principal';

export const PUBLIC_KEY = 'auth:public';
export const PERMISSION_KEY = 'auth:permission';
export const SESSION_ONLY_KEY = 'auth:session-only';

/** No authentication needed (sign-up, log-in, health). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
/** The caller must hold this permission (a key's scope, or a role's permission) in its tenant. */
export const RequirePermission = (permission: Permission) => SetMetadata(PERMISSION_KEY, permission);
/** Only a person in the portal, never an API key (members, billing changes). */
export const SessionOnly = () => SetMetadata(SESSION_ONLY_KEY, true);

/** The request's context object, for GraphQL resolvers and REST controllers alike. */
export function requestOf(ctx: ExecutionContext): { ctx?: RequestContext } & Record<string, unknown> {
  if (ctx.getType<string>() === 'graphql') {
    return GqlExecutionContext.create(ctx).getContext().req;
  }
  return ctx.switchToHttp().getRequest();
}

export function requestContextOf(ctx: ExecutionContext): RequestContext {
  const req = requestOf(ctx);
  if (!req.ctx) throw new Error('request context missing: is the authentication hook installed?');
  return req.ctx;
}

export const Ctx = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestContext => requestContextOf(ctx));

/** The tenant the caller acts for. Never from client input: from the key or the session. */
export const CurrentTenant = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const p: Principal = requestContextOf(ctx).principal;
  if (p.kind === 'anonymous') throw AppError.unauthenticated();
  if (!p.tenantId) throw AppError.forbidden('no current tenant: create one or switch to one', 'NO_TENANT');
  return p.tenantId;
});
