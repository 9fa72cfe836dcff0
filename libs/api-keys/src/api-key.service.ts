import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode, newId, keysetPage } from '@app/common';
import { ApiKey as ApiKeyRow, TenantPrisma } from '@app/db';
import { AuditService } from '@app/audit';
import { AuthenticatedPrincipal, actorOf, grantableScopes, isScope } from '@app/auth';
import { ApiKeyError, ApiKeyErrorReason } from './api-key.error';
import { generateApiKey } from './api-key-format';
import { ApiKeyVerifier } from './api-key-verifier.service';

const MAX_EXPIRY_MS = 5 * 366 * 24 * 3_600_000;

export type ApiKeyView = Omit<ApiKeyRow, 'hash' | 'tenantId' | 'createdById' | 'rotatedFrom'>;

const view = ({ hash: _h, tenantId: _t, createdById: _c, rotatedFrom: _r, ...rest }: ApiKeyRow): ApiKeyView => rest; // eslint-disable-line @typescript-eslint/no-unused-vars

/** Create, list, rotate and revoke a tenant's keys. Every change is audited in its transaction. */
@Injectable()
export class ApiKeyService {
  constructor(
    private readonly tenants: TenantPrisma,
    private readonly audit: AuditService,
    private readonly verifier: ApiKeyVerifier,
  ) {}

  async create(
    tenantId: string,
    principal: AuthenticatedPrincipal,
    input: { name: string; scopes: string[]; expiresAt?: Date | null },
    requestId: string,
  ) {
    const name = (input.name ?? '').trim();
    if (!name || name.length > 100) throw AppError.badInput('name must be 1 to 100 characters', { field: 'name' });
    const scopes = this.checkScopes(principal, input.scopes ?? []);
    const expiresAt = this.checkExpiry(input.expiresAt ?? null);
    const key = generateApiKey();
    return this.tenants.forTenant(tenantId).$transaction(async (tx) => {
      const row = await tx.apiKey.create({
        data: {
          id: newId('key'),
          tenantId,
          name,
          prefix: key.prefix,
          hash: key.hash,
          scopes,
          expiresAt,
          createdById: principal.kind === 'user' ? principal.userId : principal.createdById,
        },
      });
      await this.audit.append(tx, tenantId, {
        actor: actorOf(principal),
        action: 'api_key.create',
        target: { type: 'api_key', id: row.id },
        requestId,
        metadata: { name, scopes, prefix: key.prefix, expiresAt },
      });
      return { apiKey: view(row), secret: key.secret };
    });
  }

  async list(tenantId: string, first = 20, after?: string | null) {
    keysetPage.assertSize(first);
    const db = this.tenants.forTenant(tenantId);
    const [rows, totalCount] = await Promise.all([
      db.apiKey.findMany({
        where: keysetPage.after(after),
        orderBy: keysetPage.orderBy,
        take: first + 1,
      }),
      db.apiKey.count(),
    ]);
    const page = rows.slice(0, first);
    const edges = page.map((r) => ({ node: view(r), cursor: keysetPage.encode(r) }));
    return {
      edges,
      totalCount,
      pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  async revoke(tenantId: string, principal: AuthenticatedPrincipal, id: string, requestId: string) {
    const row = await this.tenants.forTenant(tenantId).$transaction(async (tx) => {
      const key = await tx.apiKey.findUnique({ where: { id } });
      if (!key) throw AppError.notFound('API key');
      // As for create and rotate: a key cannot act on a key that holds more than it does.
      const beyond = key.scopes.filter((sc) => !(grantableScopes(principal.permissions) as string[]).includes(sc));
      if (beyond.length) {
        throw new ApiKeyError(
          ErrorCode.FORBIDDEN,
          `you cannot revoke a key holding scopes you do not hold: ${beyond.join(', ')}`,
          { reason: ApiKeyErrorReason.SCOPE_NOT_GRANTABLE, details: { scopes: beyond } },
        );
      }
      if (key.revokedAt) return key;
      const updated = await tx.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
      await this.audit.append(tx, tenantId, {
        actor: actorOf(principal),
        action: 'api_key.revoke',
        target: { type: 'api_key', id },
        requestId,
        metadata: { prefix: key.prefix },
      });
      return updated;
    });
    await this.verifier.revoked(id);
    return view(row);
  }

  /** A new secret with the same name, scopes and expiry; the old key is revoked at once. */
  async rotate(tenantId: string, principal: AuthenticatedPrincipal, id: string, requestId: string) {
    const key = generateApiKey();
    const result = await this.tenants.forTenant(tenantId).$transaction(async (tx) => {
      const old = await tx.apiKey.findUnique({ where: { id } });
      if (!old || old.revokedAt) throw AppError.notFound('API key');
      this.checkScopes(principal, old.scopes);
      await tx.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
      const row = await tx.apiKey.create({
        data: {
          id: newId('key'),
          tenantId,
          name: old.name,
          prefix: key.prefix,
          hash: key.hash,
          scopes: old.scopes,
          expiresAt: old.expiresAt,
          createdById: old.createdById,
          rotatedFrom: old.id,
        },
      });
      await this.audit.append(tx, tenantId, {
        actor: actorOf(principal),
        action: 'api_key.rotate',
        target: { type: 'api_key', id: row.id },
        requestId,
        metadata: { previousId: old.id, prefix: key.prefix },
      });
      return { apiKey: view(row), secret: key.secret };
    });
    await this.verifier.revoked(id);
    return result;
  }

  private checkScopes(principal: AuthenticatedPrincipal, scopes: string[]): string[] {
    const unique = [...new Set(scopes)];
    if (!unique.length)
      throw new ApiKeyError(ErrorCode.BAD_USER_INPUT, 'a key needs at least one scope', {
        reason: ApiKeyErrorReason.INVALID_SCOPE,
        details: { field: 'scopes' },
      });
    const unknown = unique.filter((s) => !isScope(s));
    if (unknown.length)
      throw new ApiKeyError(ErrorCode.BAD_USER_INPUT, `unknown scope: ${unknown.join(', ')}`, {
        reason: ApiKeyErrorReason.INVALID_SCOPE,
        details: { field: 'scopes', unknown },
      });
    const grantable = grantableScopes(principal.permissions);
    const beyond = unique.filter((s) => !(grantable as string[]).includes(s));
    if (beyond.length) {
      throw new ApiKeyError(ErrorCode.FORBIDDEN, `you cannot grant scopes you do not hold: ${beyond.join(', ')}`, {
        reason: ApiKeyErrorReason.SCOPE_NOT_GRANTABLE,
        details: { scopes: beyond },
      });
    }
    return unique.sort();
  }

  private checkExpiry(expiresAt: Date | null): Date | null {
    if (!expiresAt) return null;
    const t = expiresAt.getTime();
    if (Number.isNaN(t) || t <= Date.now() || t > Date.now() + MAX_EXPIRY_MS) {
      throw new ApiKeyError(ErrorCode.BAD_USER_INPUT, 'expiresAt must be in the future and within 5 years', {
        reason: ApiKeyErrorReason.INVALID_EXPIRY,
        details: { field: 'expiresAt' },
      });
    }
    return expiresAt;
  }
}
