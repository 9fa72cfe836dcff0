import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AppError } from '@app/common';
import { ApiKeyError } from '@app/api-keys';
import {
  PERMISSION_KEY,
  PUBLIC_KEY,
  Permission,
  Principal,
  RequestContext,
  SESSION_ONLY_KEY,
  actorOf,
  requestOf,
} from '@app/auth';
import { Authentication, AuthenticationService } from './authentication.service';
import { OWN_CREDENTIALS_KEY } from './own-credentials.decorator';
import { DENIAL_REASONS, DenialReason, DenialRecorder } from './denial-recorder.service';

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
    private readonly denials: DenialRecorder,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = requestOf(context) as unknown as FastifyRequest & {
      ctx?: RequestContext;
      authPromise?: ReturnType<AuthenticationService['authenticate']>;
    };
    if (this.reflector.getAllAndOverride<boolean>(OWN_CREDENTIALS_KEY, [context.getHandler(), context.getClass()])) {
      req.ctx ??= { principal: { kind: 'anonymous' }, requestId: String(req.id), ip: req.ip };
      return true;
    }
    // GraphQL resolves several fields per request: authenticate once.
    req.authPromise ??= this.auth.authenticate(req);
    let authn: Authentication;
    try {
      authn = await req.authPromise;
    } catch (e) {
      if (e instanceof AppError && (DENIAL_REASONS as readonly string[]).includes(e.reason ?? '')) {
        const key = e instanceof ApiKeyError ? e : undefined;
        this.denials.record(req, {
          reason: e.reason as DenialReason,
          tenantId: key?.concernsTenantId ?? null,
          actor: { type: 'api_key', id: key?.concernsKeyId ?? null },
        });
      }
      throw e;
    }
    const { principal, csrfRejected } = authn;
    const deny = (reason: DenialReason, error: AppError, p: Principal = principal) => {
      const tenantId = p.kind === 'anonymous' ? (authn.csrfSession?.tenantId ?? null) : p.tenantId;
      const actor =
        p.kind === 'anonymous' && authn.csrfSession
          ? { type: 'user' as const, id: authn.csrfSession.userId }
          : actorOf(p);
      this.denials.record(req, { reason, tenantId, actor });
      return error;
    };
    const ua = req.headers['user-agent'];
    req.ctx ??= {
      principal,
      requestId: String(req.id),
      ip: req.ip,
      userAgent: typeof ua === 'string' ? ua.slice(0, 200) : undefined,
    };

    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    if (csrfRejected)
      throw deny(
        'CSRF_TOKEN_INVALID',
        AppError.forbidden('missing or wrong x-csrf-token header for this session', 'CSRF_TOKEN_INVALID'),
      );
    if (principal.kind === 'anonymous')
      throw deny(
        'UNAUTHENTICATED',
        AppError.unauthenticated('sign in, or send an API key in the Authorization header'),
      );
    if (this.reflector.getAllAndOverride<boolean>(SESSION_ONLY_KEY, targets) && principal.kind !== 'user') {
      throw deny(
        'SESSION_REQUIRED',
        AppError.forbidden('this operation is for members signed in to the portal, not API keys', 'SESSION_REQUIRED'),
      );
    }
    const needed = this.reflector.getAllAndOverride<Permission | undefined>(PERMISSION_KEY, targets);
    if (needed && !principal.permissions.includes(needed)) {
      const who =
        principal.kind === 'api_key' ? `this API key lacks the scope ${needed}` : `your role does not allow ${needed}`;
      throw deny('SCOPE_MISSING', AppError.forbidden(who, 'SCOPE_MISSING'));
    }
    return true;
  }
}
