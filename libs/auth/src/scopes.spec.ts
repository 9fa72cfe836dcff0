import { ROLE_PERMISSIONS, SCOPES, grantableScopes, permissionsOfScopes } from './scopes';

describe('scopes and roles', () => {
  it('admin scope implies every scope but no portal-only permission', () => {
    expect(permissionsOfScopes(['admin']).sort()).toEqual([...SCOPES].sort());
    expect(permissionsOfScopes(['admin'])).not.toContain('members:manage');
  });

  it('unknown scopes grant nothing', () => {
    expect(permissionsOfScopes(['models:read', 'root', 'members:manage'])).toEqual(['models:read']);
  });

  it('a principal can grant only the scopes it holds', () => {
    expect(grantableScopes(ROLE_PERMISSIONS.DEVELOPER)).toEqual([
      'inference:run',
      'models:read',
      'models:write',
      'usage:read',
      'keys:write',
    ]);
    expect(grantableScopes(ROLE_PERMISSIONS.AUDITOR)).not.toContain('keys:write');
    expect(grantableScopes(permissionsOfScopes(['keys:write', 'models:read']))).toEqual(['models:read', 'keys:write']);
  });

  it('billing and auditor roles cannot run inference', () => {
    expect(ROLE_PERMISSIONS.BILLING).not.toContain('inference:run');
    expect(ROLE_PERMISSIONS.AUDITOR).not.toContain('inference:run');
    expect(ROLE_PERMISSIONS.AUDITOR).toContain('audit:read');
  });
});
