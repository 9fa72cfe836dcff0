import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { newId } from '@app/common';
import { PrismaService } from '@app/db';
import { AuditService, AuditEntry } from '../audit.service';
import { AUDIT_CONFIG, AuditConfig } from '../audit.config';
import { AuditEventRepository, TimeRange } from '../audit-event.repository';
import { AuditError, AuditErrorReason } from '../audit.error';
import { GENESIS_HASH } from '../audit-hash';
import { AuditVerifyService } from '../verify/audit-verify.service';
import { ChainVerifier } from '../verify/chain-verifier';
import { AuditSigner } from './audit-signer';
import { AUDIT_EXPORT_SINK, AuditExportSink } from './export-sink';
import { ExportDigestFile, digestBodyOf, signedBytes } from './export-digest';
import { exportLineOf } from './export-line';
import { AuditExportLinkService } from './audit-export-links';

/**
 * Exports the events of a time range (as the contiguous seq range they span) to JSON Lines
 * plus a signed digest, stores both through the sink, then records the export and its audit
 * event in one transaction. Refuses to sign a range whose chain does not verify.
 */
@Injectable()
export class AuditExportService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly verifier: AuditVerifyService,
    private readonly signer: AuditSigner,
    @Inject(AUDIT_EXPORT_SINK) private readonly sink: AuditExportSink,
    @Inject(AUDIT_CONFIG) private readonly config: AuditConfig,
    private readonly linkService: AuditExportLinkService,
  ) {}

  /**
   * `sinceLastExport` (the schedule): only the events after the newest export, so consecutive
   * scheduled exports are contiguous and never overlap.
   */
  async export(
    tenantId: string,
    actor: AuditEntry['actor'],
    requestId: string | null,
    range: TimeRange,
    options: { sinceLastExport?: boolean } = {},
  ) {
    const check = await this.verifier.verify(tenantId, range);
    if (!check.ok) throw AuditError.chainBroken(check.firstBadSeq);
    const repo = new AuditEventRepository(this.prisma);
    const anchor = await repo.anchor(tenantId);
    let after = anchor?.toSeq ?? 0n;
    if (options.sinceLastExport) {
      const last = await this.prisma.auditExport.findFirst({
        where: { tenantId },
        orderBy: { toSeq: 'desc' },
        select: { toSeq: true },
      });
      if (last && last.toSeq > after) after = last.toSeq;
    }
    const bounds = await repo.seqRange(tenantId, after, range);
    if (!bounds) throw AuditError.invalid(AuditErrorReason.NOTHING_TO_EXPORT, 'no audit events in this range', 'from');
    const prev =
      bounds.lo === 1n
        ? GENESIS_HASH
        : bounds.lo - 1n === anchor?.toSeq
          ? anchor.lastHash
          : (await repo.at(tenantId, bounds.lo - 1n))?.hash;
    if (!prev) throw AuditError.chainBroken(bounds.lo - 1n);
    const hi = bounds.hi ?? (await repo.head(tenantId))?.lastSeq ?? bounds.lo;

    const id = newId('exp');
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'audit-export-'));
    try {
      const jsonl = path.join(tmp, `${id}.jsonl`);
      const written = await this.writeLines(repo, tenantId, { seq: bounds.lo - 1n, hash: prev }, hi, jsonl);
      const row = {
        id,
        tenantId,
        fromSeq: bounds.lo,
        toSeq: written.toSeq,
        fromTime: written.fromTime,
        toTime: written.toTime,
        prevHash: prev,
        lastHash: written.lastHash,
        sha256: written.sha256,
        keyId: await this.signer.keyId(),
        createdAt: new Date(),
      };
      const body = digestBodyOf(row);
      const signature = await this.signer.sign(signedBytes(body));
      const pub = await this.signer.publicKey();
      const digest: ExportDigestFile = {
        ...body,
        file: `${id}.jsonl`,
        signature: { alg: 'Ed25519', keyId: row.keyId, publicKey: pub.spkiBase64, value: signature },
      };
      const digestFile = path.join(tmp, `${id}.digest.json`);
      await writeFile(digestFile, `${JSON.stringify(digest, null, 2)}\n`);
      const key = `${tenantId}/${id}`;
      const uri = await this.sink.put(`${key}.jsonl`, jsonl, 'application/x-ndjson', written.sha256);
      await this.sink.put(
        `${key}.digest.json`,
        digestFile,
        'application/json',
        createHash('sha256')
          .update(JSON.stringify(digest, null, 2) + '\n')
          .digest('hex'),
      );
      await this.prisma.$transaction(async (tx) => {
        await tx.auditExport.create({ data: { ...row, uri, signature } });
        await this.audit.append(tx, tenantId, {
          actor,
          action: 'audit.export',
          target: { type: 'audit_export', id },
          requestId,
          metadata: {
            fromSeq: body.fromSeq,
            toSeq: body.toSeq,
            count: body.count,
            sha256: body.sha256,
            keyId: body.keyId,
            // s3://bucket/key or local:<key>: where it is stored, never a path of the server's disk.
            location: uri,
          },
        });
      });
      return {
        id,
        fromSeq: Number(row.fromSeq),
        toSeq: Number(row.toSeq),
        count: body.count,
        fromTime: row.fromTime,
        toTime: row.toTime,
        ...(await this.linkService.links(tenantId, id, actor)),
        sha256: row.sha256,
        signature,
        keyId: row.keyId,
      };
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** Streams the range page by page into the file, re-checking each link as it goes. */
  private async writeLines(
    repo: AuditEventRepository,
    tenantId: string,
    start: { seq: bigint; hash: string },
    hi: bigint,
    file: string,
  ) {
    const out = createWriteStream(file);
    const sha = createHash('sha256');
    const chain = new ChainVerifier(start);
    let fromTime: Date | null = null;
    let toTime = new Date(0);
    for (let cursor = start.seq; ;) {
      const rows = await repo.page(tenantId, cursor, this.config.AUDIT_VERIFY_PAGE_SIZE, hi);
      for (const r of rows) {
        if (!chain.push(r)) throw AuditError.chainBroken(chain.firstBadSeq);
        const line = `${exportLineOf(r)}\n`;
        sha.update(line);
        if (!out.write(line)) await once(out, 'drain');
        fromTime ??= r.occurredAt;
        toTime = r.occurredAt;
      }
      if (rows.length < this.config.AUDIT_VERIFY_PAGE_SIZE) break;
      cursor = rows[rows.length - 1]!.seq;
    }
    out.end();
    await once(out, 'finish');
    if (!fromTime)
      throw AuditError.invalid(AuditErrorReason.NOTHING_TO_EXPORT, 'no audit events in this range', 'from');
    return { toSeq: chain.head.seq, lastHash: chain.head.hash, sha256: sha.digest('hex'), fromTime, toTime };
  }
}
