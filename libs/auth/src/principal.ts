import { Role } from '@app/db';
import { Permission } from './scopes';

/** Who is calling, established once per request from the session cookie or the API key. */
export type Principal =
  | { kind: 'anonymous' }
  | {
      kind: 'user';
      userId: string;
      sessionId: string;
      tenantId: string | null;
      role: Role | null;
      permissions: readonly Permission[];
    }
  | {
      kind: 'api_key';
      apiKeyId: string;
      tenantId: string;
      createdById: string | null;
      permissions: readonly Permission[];
    };

export type AuthenticatedPrincipal = Exclude<Principal, { kind: 'anonymous' }>;

/** The audit trail's view of a principal. */
export function actorOf(p: Principal): { type: 'user' | 'api_key' | 'system'; id: string | null } {
  if (p.kind === 'user') return { type: 'user', id: p.userId };
  if (p.kind === 'api_key') return { type: 'api_key', id: p.apiKeyId };
  return { type: 'system', id: null };
}

/** What resolvers and controllers get: the principal, its tenant and the request id. */
export interface RequestContext {
  principal: Principal;
  requestId: string;
  ip?: string;
}
