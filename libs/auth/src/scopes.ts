import { Role } from '@app/db';

/** API key scopes, as in shared/CONTRACT.md. */
export const SCOPES = [
  'inference:run',
  'models:read',
  'models:write',
  'usage:read',
  'billing:read',
  'audit:read',
  'keys:write',
  'admin',
] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * Permissions an operation can require: every scope, plus portal-only ones that no API key
 * can carry (managing members and billing happens as a person, in the portal).
 */
export type Permission = Scope | 'members:manage' | 'billing:manage';

export const isScope = (s: string): s is Scope => (SCOPES as readonly string[]).includes(s);

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  OWNER: [...SCOPES, 'members:manage', 'billing:manage'],
  ADMIN: [...SCOPES, 'members:manage', 'billing:manage'],
  DEVELOPER: ['inference:run', 'models:read', 'models:write', 'usage:read', 'keys:write'],
  BILLING: ['usage:read', 'billing:read', 'billing:manage'],
  AUDITOR: ['audit:read', 'usage:read', 'models:read'],
};

/** The scopes a principal may hand on to a key it creates: never more than it holds. */
export function grantableScopes(permissions: readonly Permission[]): Scope[] {
  if (permissions.includes('admin')) return [...SCOPES];
  return SCOPES.filter((s) => permissions.includes(s));
}

/** What a key's scopes allow: `admin` implies every scope (not the portal-only permissions). */
export function permissionsOfScopes(scopes: readonly string[]): Permission[] {
  return scopes.includes('admin') ? [...SCOPES] : scopes.filter(isScope);
}
