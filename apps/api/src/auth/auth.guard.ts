import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AppError } from '@app/common';
import { PERMISSION_KEY, PUBLIC_KEY, Permission, RequestContext, SESSION_ONLY_KEY, requestOf } from '@app/auth';
import { AuthenticationService } from './authentication.service';

/**
 * The one global guard: authenticates once per request, then checks what the handler declares
 * (@Public, @RequirePermission, @SessionOnly). Handlers with no declaration still need a
 * signed-in principal. A session without its CSRF token is refused before anything runs.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthenticationService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = requestOf(context) as unknown as FastifyRequest & { ctx?: RequestContext; authPromise?: ReturnType<AuthenticationService['authenticate']> };
    // GraphQL resolves several fields per request: authenticate once.
    req.authPromise ??= this.auth.authenticate(req);
    const { principal, csrfRejected } = await req.authPromise;
    req.ctx ??= { principal, requestId: String(req.id), ip: req.ip };

    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    if (csrfRejected) throw AppError.forbidden('missing or wrong x-csrf-token header for this session', 'CSRF_TOKEN_INVALID');
    if (principal.kind === 'anonymous') throw AppError.unauthenticated('sign in, or send an API key in the Authorization header');
    if (this.reflector.getAllAndOverride<boolean>(SESSION_ONLY_KEY, targets) && principal.kind !== 'user') {
      throw AppError.forbidden('this operation is for members signed in to the portal, not API keys', 'SESSION_REQUIRED');
    }
    const needed = this.reflector.getAllAndOverride<Permission | undefined>(PERMISSION_KEY, targets);
    if (needed && !principal.permissions.includes(needed)) {
      const who = principal.kind === 'api_key' ? `this API key lacks the scope ${needed}` : `your role does not allow ${needed}`;
      throw AppError.forbidden(who, 'SCOPE_MISSING');
    }
    return true;
  }
}
