import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Ctx, CurrentTenant, RequestContext, RequirePermission, actorOf } from '@app/auth';
import { AuditEventConnection } from './dto/audit-event.type';
import { AuditEventFilter } from './dto/audit-event-filter.input';
import { AuditVerification } from './dto/audit-verification.type';
import {
  AuditExportDownload,
  AuditExportResult,
  AuditPurgeResult,
  AuditSettings,
  AuditSigningKey,
} from './dto/audit-export.type';
import { AuditExportLinkService } from './export/audit-export-links';
import { AuditQueryService } from './query/audit-query.service';
import { AuditVerifyService } from './verify/audit-verify.service';
import { AuditExportService } from './export/audit-export.service';
import { AuditSigner } from './export/audit-signer';
import { AuditRetentionService } from './retention/audit-retention.service';

@Resolver()
export class AuditResolver {
  constructor(
    private readonly query: AuditQueryService,
    private readonly verifier: AuditVerifyService,
    private readonly exporter: AuditExportService,
    private readonly signer: AuditSigner,
    private readonly retention: AuditRetentionService,
    private readonly links: AuditExportLinkService,
  ) {}

  @RequirePermission('audit:read')
  @Query(() => AuditEventConnection, { description: "The tenant's audit events, newest first." })
  auditEvents(
    @CurrentTenant() tenantId: string,
    @Args('filter', { type: () => AuditEventFilter, nullable: true }) filter?: AuditEventFilter | null,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<AuditEventConnection> {
    return this.query.list(tenantId, filter ?? {}, first ?? 20, after);
  }

  @RequirePermission('audit:read')
  @Query(() => AuditVerification, { description: 'Recomputes the hash chain (of a time range, or all of it).' })
  async verifyAuditChain(
    @CurrentTenant() tenantId: string,
    @Args('from', { type: () => Date, nullable: true }) from?: Date | null,
    @Args('to', { type: () => Date, nullable: true }) to?: Date | null,
  ): Promise<AuditVerification> {
    const r = await this.verifier.verify(tenantId, { from, to });
    return { ok: r.ok, checked: r.checked, firstBadSeq: r.firstBadSeq === null ? null : Number(r.firstBadSeq) };
  }

  @RequirePermission('audit:read')
  @Query(() => AuditSettings)
  auditSettings(@CurrentTenant() tenantId: string): Promise<AuditSettings> {
    return this.retention.settings(tenantId);
  }

  @RequirePermission('audit:read')
  @Query(() => AuditSigningKey, { description: 'The key export digests are signed with.' })
  async auditSigningKey(): Promise<AuditSigningKey> {
    const k = await this.signer.publicKey();
    return { keyId: k.keyId, publicKeyPem: k.pem };
  }

  @RequirePermission('audit:read')
  @Mutation(() => AuditExportResult, {
    description: 'Exports a time range as JSON Lines with an Ed25519-signed digest.',
  })
  exportAuditLog(
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
    @Args('from', { type: () => Date, nullable: true }) from?: Date | null,
    @Args('to', { type: () => Date, nullable: true }) to?: Date | null,
  ): Promise<AuditExportResult> {
    return this.exporter.export(tenantId, actorOf(ctx.principal), ctx.requestId, { from, to });
  }

  @RequirePermission('audit:read')
  @Query(() => AuditExportDownload, {
    description: "New short-lived download links to one of the tenant's exports (another's is NOT_FOUND).",
  })
  async auditExportDownload(
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<AuditExportDownload> {
    return { id, ...(await this.links.forExport(tenantId, id, actorOf(ctx.principal))) };
  }

  @RequirePermission('admin')
  @Mutation(() => AuditSettings, { description: 'Days audit events are kept: 180 to 2192 (six years). Audited.' })
  setAuditRetention(
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
    @Args('days', { type: () => Int }) days: number,
  ): Promise<AuditSettings> {
    return this.retention.setRetention(tenantId, actorOf(ctx.principal), ctx.requestId, days);
  }

  @RequirePermission('admin')
  @Mutation(() => AuditSettings, { description: 'Keep raw inference inputs/outputs in audit metadata. Audited.' })
  setPayloadLogging(
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
    @Args('enabled') enabled: boolean,
  ): Promise<AuditSettings> {
    return this.retention.setPayloadLogging(tenantId, actorOf(ctx.principal), ctx.requestId, enabled);
  }

  @RequirePermission('admin')
  @Mutation(() => AuditPurgeResult, {
    description: 'Removes events past retention that signed exports cover. Audited.',
  })
  purgeExpiredAuditEvents(@CurrentTenant() tenantId: string, @Ctx() ctx: RequestContext): Promise<AuditPurgeResult> {
    return this.retention.purgeExpired(tenantId, actorOf(ctx.principal), ctx.requestId);
  }
}
