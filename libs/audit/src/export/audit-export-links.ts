import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, newId } from '@app/common';
import { PrismaService } from '@app/db';
import { SignedTokens } from '@app/storage';
import { AUDIT_CONFIG, AuditConfig } from '../audit.config';
import { AuditEntry, AuditService } from '../audit.service';
import { AuditError, AuditErrorReason } from '../audit.error';
import { AuditSigner } from './audit-signer';
import { AUDIT_EXPORT_SINK, AuditExportSink } from './export-sink';

/** The public route of local-export downloads: GET /audit-exports/<token>/<exportId>.(jsonl|digest.json). */
export const AUDIT_DOWNLOAD_PATH = '/audit-exports/';

/** What a download link allows: reading one export's two files, for the actor who asked, until `exp`. */
export interface AuditDownloadGrant {
  tenantId: string;
  exportId: string;
  actor: AuditEntry['actor'];
  /** Expiry, seconds since the epoch. */
  exp: number;
}

/** How a tenant reaches an export: locations it can name and links that work for a while. */
export interface AuditExportLinks {
  /** s3://bucket/key (S3), or the signed download link (local folder). */
  uri: string;
  digestUri: string;
  /** The object's place in the bucket (S3); null for a local folder, which has none a tenant can use. */
  location: string | null;
  digestLocation: string | null;
  /** Presigned S3 GET, or a signed link to this api. */
  downloadUrl: string;
  digestDownloadUrl: string;
  downloadExpiresAt: Date;
}

const ACTORS = new Set(['user', 'api_key', 'system']);

/**
 * Download links for exports. Local folder: `<PUBLIC_URL>/audit-exports/<token>/<file>`, where the
 * token is base64url(JSON grant) + "." + HMAC-SHA256 under a secret derived from the audit signing
 * key (so every api process accepts the links of every other). The token binds tenant, export and
 * expiry: it opens that export's files and nothing else. S3: presigned GETs of the objects.
 * Links are issued only to audit:read callers (exportAuditLog, auditExportDownload); each
 * download through the api is audited with the actor the link was issued to.
 */
@Injectable()
export class AuditExportLinkService {
  private tokens?: Promise<SignedTokens<unknown[]>>;

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly signer: AuditSigner,
    @Inject(AUDIT_EXPORT_SINK) private readonly sink: AuditExportSink,
    @Inject(AUDIT_CONFIG) private readonly config: AuditConfig,
  ) {}

  /** Fresh links to one of the tenant's exports; another tenant's (or none) is NOT_FOUND. */
  async forExport(tenantId: string, exportId: string, actor: AuditEntry['actor']): Promise<AuditExportLinks> {
    const row = await this.prisma.auditExport.findFirst({ where: { id: exportId, tenantId }, select: { id: true } });
    if (!row) throw notFound();
    return this.links(tenantId, exportId, actor);
  }

  async links(tenantId: string, exportId: string, actor: AuditEntry['actor'], now = Date.now()) {
    const ttl = this.config.AUDIT_DOWNLOAD_LINK_TTL_SECONDS;
    const exp = Math.floor(now / 1000) + ttl;
    const key = `${tenantId}/${exportId}`;
    const s3 = await this.sink.presignGet(`${key}.jsonl`, ttl, `${exportId}.jsonl`);
    if (s3) {
      const digestUrl = (await this.sink.presignGet(`${key}.digest.json`, ttl, `${exportId}.digest.json`))!;
      const location = (await this.prisma.auditExport.findFirst({ where: { id: exportId, tenantId } }))?.uri ?? null;
      const digestLocation = location?.replace(/\.jsonl$/, '.digest.json') ?? null;
      return {
        uri: location ?? s3,
        digestUri: digestLocation ?? digestUrl,
        location,
        digestLocation,
        downloadUrl: s3,
        digestDownloadUrl: digestUrl,
        downloadExpiresAt: new Date(exp * 1000),
      } satisfies AuditExportLinks;
    }
    const token = await this.sign({ tenantId, exportId, actor, exp });
    const base = `${this.config.publicUrl}${AUDIT_DOWNLOAD_PATH}${token}/${exportId}`;
    return {
      uri: `${base}.jsonl`,
      digestUri: `${base}.digest.json`,
      location: null,
      digestLocation: null,
      downloadUrl: `${base}.jsonl`,
      digestDownloadUrl: `${base}.digest.json`,
      downloadExpiresAt: new Date(exp * 1000),
    } satisfies AuditExportLinks;
  }

  /** One file behind a local download link; refused (FORBIDDEN, stable reason) when bad or expired. */
  async download(
    token: string,
    file: string,
    client: { ip: string | null; userAgent: string | null },
  ): Promise<{ stream: Readable; contentType: string; fileName: string }> {
    const grant = await this.verify(token);
    if (!grant) throw linkError(AuditErrorReason.DOWNLOAD_LINK_INVALID, 'the download link is not valid');
    if (grant.exp * 1000 < Date.now())
      throw linkError(AuditErrorReason.DOWNLOAD_LINK_EXPIRED, 'the download link has expired: ask for a new one');
    const ext =
      file === `${grant.exportId}.jsonl` ? 'jsonl' : file === `${grant.exportId}.digest.json` ? 'digest' : null;
    if (!ext) throw linkError(AuditErrorReason.DOWNLOAD_LINK_INVALID, 'the download link is not valid for this file');
    const row = await this.prisma.auditExport.findFirst({
      where: { id: grant.exportId, tenantId: grant.tenantId },
      select: { id: true },
    });
    if (!row) throw notFound();
    const stream = await this.sink.open(`${grant.tenantId}/${file}`);
    if (!stream) throw notFound();
    await this.audit.append(this.prisma, grant.tenantId, {
      actor: grant.actor,
      action: 'audit.export_download',
      target: { type: 'audit_export', id: grant.exportId },
      requestId: newId('req'),
      metadata: { file: ext, sourceIp: client.ip, userAgent: client.userAgent?.slice(0, 256) ?? null },
    });
    return { stream, contentType: ext === 'jsonl' ? 'application/x-ndjson' : 'application/json', fileName: file };
  }

  private async sign(grant: AuditDownloadGrant): Promise<string> {
    return (await this.signedTokens()).sign([
      grant.tenantId,
      grant.exportId,
      grant.actor.type,
      grant.actor.id,
      grant.exp,
    ]);
  }

  /** The grant, or null when the token is malformed or not ours. Expiry is the caller's check. */
  private async verify(token: string): Promise<AuditDownloadGrant | null> {
    const fields = (await this.signedTokens()).verify(token, 1024);
    if (!Array.isArray(fields)) return null;
    const [tenantId, exportId, type, id, exp] = fields;
    if (typeof tenantId !== 'string' || typeof exportId !== 'string' || !Number.isSafeInteger(exp)) return null;
    if (typeof type !== 'string' || !ACTORS.has(type) || (id !== null && typeof id !== 'string')) return null;
    return { tenantId, exportId, actor: { type: type as AuditEntry['actor']['type'], id }, exp: exp as number };
  }

  /** The platform's signed-token format, under a key derived from the audit signing key. */
  private signedTokens(): Promise<SignedTokens<unknown[]>> {
    this.tokens ??= this.signer
      .derivedSecret('audit-export-download.v1')
      .then((key) => new SignedTokens<unknown[]>('audit-export-download.v1', key));
    return this.tokens;
  }
}

function notFound(): AuditError {
  return new AuditError(ErrorCode.NOT_FOUND, 'no such audit export', { reason: AuditErrorReason.EXPORT_NOT_FOUND });
}

function linkError(reason: AuditErrorReason, message: string): AuditError {
  return new AuditError(ErrorCode.FORBIDDEN, message, { reason });
}
