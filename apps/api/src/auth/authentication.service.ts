import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppError } from '@app/common';
import { ApiKeyVerifier } from '@app/api-keys';
import { Principal, permissionsOfScopes } from '@app/auth';
import { SESSION_COOKIE, SessionService } from '@app/tenancy';

export interface Authentication {
  principal: Principal;
  /** A session cookie came without a matching x-csrf-token: it may not act. */
  csrfRejected: boolean;
  /** Whose session was refused for its CSRF token (for the denial's audit record). */
  csrfSession?: { userId: string; tenantId: string | null };
}

/** Turns a request's credentials into a principal: an API key first, then a session cookie. */
@Injectable()
export class AuthenticationService {
  constructor(
    private readonly keys: ApiKeyVerifier,
    private readonly sessions: SessionService,
  ) {}

  async authenticate(req: FastifyRequest): Promise<Authentication> {
    const secret = apiKeyOf(req);
    if (secret !== null) {
      const key = await this.keys.verify(secret);
      return {
        csrfRejected: false,
        principal: {
          kind: 'api_key',
          apiKeyId: key.id,
          tenantId: key.tenantId,
          createdById: key.createdById,
          permissions: permissionsOfScopes(key.scopes),
        },
      };
    }
    const token = req.cookies?.[SESSION_COOKIE];
    if (token) {
      const csrf = req.headers['x-csrf-token'];
      const resolved = await this.sessions.resolve(token, typeof csrf === 'string' ? csrf : undefined);
      if (resolved) {
        if (resolved.csrfValid) return { principal: resolved.principal, csrfRejected: false };
        const p = resolved.principal;
        return {
          principal: { kind: 'anonymous' },
          csrfRejected: true,
          csrfSession: p.kind === 'user' ? { userId: p.userId, tenantId: p.tenantId } : undefined,
        };
      }
    }
    return { principal: { kind: 'anonymous' }, csrfRejected: false };
  }
}

/** `Authorization: Bearer <key>` or `x-api-key: <key>`; null when neither is present. */
function apiKeyOf(req: FastifyRequest): string | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.length) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!m) throw AppError.unauthenticated('Authorization must be "Bearer <API key>"', 'API_KEY_INVALID');
    return m[1]!;
  }
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header.length) return header.trim();
  return null;
}
