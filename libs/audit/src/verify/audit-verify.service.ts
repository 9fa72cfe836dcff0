import { Inject, Injectable } from '@nestjs/common';
import { PrismaService } from '@app/db';
import { GENESIS_HASH, auditEventHash } from '../audit-hash';
import { AUDIT_CONFIG, AuditConfig } from '../audit.config';
import { AuditDb, AuditEventRepository, TimeRange } from '../audit-event.repository';
import { AuditSigner } from '../export/audit-signer';
import { digestBodyOf, signedBytes } from '../export/export-digest';
import { checkTimeRange } from '../query/time-range';
import { ChainLink, ChainVerifier } from './chain-verifier';

export interface VerificationResult {
  ok: boolean;
  checked: number;
  firstBadSeq: bigint | null;
}

/**
 * Verifies a tenant's chain (or the part of it in a time range), page by page. It starts from
 * the genesis hash, or after a retention purge from the signed anchor kept with the export
 * that covered the purged events. Besides each link it checks the chain head (rows removed from
 * or forged onto the tail) and the hashes recorded by exports (a tail cut and a rewound head).
 */
@Injectable()
export class AuditVerifyService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly signer: AuditSigner,
    @Inject(AUDIT_CONFIG) private readonly config: AuditConfig,
  ) {}

  async verify(tenantId: string, range: TimeRange = {}, db: AuditDb = this.prisma): Promise<VerificationResult> {
    checkTimeRange(range);
    const repo = new AuditEventRepository(db);
    const head = await repo.head(tenantId);
    const anchor = await repo.anchor(tenantId);
    let start: ChainLink = { seq: 0n, hash: GENESIS_HASH };
    if (anchor) {
      const signed = await this.signer.verify(signedBytes(digestBodyOf(anchor)), anchor.signature, anchor.keyId);
      // A signed export marked purged by hand, its rows deleted, has no purge record in the chain.
      if (!signed || !(await repo.purgeRecord(tenantId, anchor.toSeq))) return bad(anchor.toSeq, 0);
      start = { seq: anchor.toSeq, hash: anchor.lastHash };
    }
    // Nothing may sit at or below where the chain starts: a row there is forged (or left over).
    const stray = await repo.firstAtOrBelow(tenantId, start.seq);
    if (stray) return bad(stray.seq, 0);
    const bounds =
      range.from || range.to ? await repo.seqRange(tenantId, start.seq, range) : { lo: start.seq + 1n, hi: null };
    if (!bounds) return { ok: true, checked: 0, firstBadSeq: null };
    if (bounds.lo > start.seq + 1n) {
      // A range in the middle: hook onto the event just before it, itself checked.
      const before = await repo.at(tenantId, bounds.lo - 1n);
      if (!before || auditEventHash(before) !== before.hash) return bad(bounds.lo - 1n, 0);
      start = { seq: before.seq, hash: before.hash };
    }
    const checkpoints = new Map<bigint, string>();
    for (const e of await repo.liveExports(tenantId, start.seq)) {
      checkpoints.set(e.toSeq, e.lastHash);
      if (e.fromSeq - 1n > start.seq) checkpoints.set(e.fromSeq - 1n, e.prevHash);
    }
    const verifier = new ChainVerifier(start, checkpoints);
    const maxSeq = bounds.hi === null ? undefined : bounds.hi + 1n;
    let cursor = start.seq;
    let next: { seq: bigint; prevHash: string } | null = null;
    for (;;) {
      const rows = await repo.page(tenantId, cursor, this.config.AUDIT_VERIFY_PAGE_SIZE, maxSeq);
      for (const row of rows) {
        if (bounds.hi !== null && row.seq > bounds.hi) {
          next = row; // past the range: only its link to the range's last event is checked
          break;
        }
        if (!verifier.push(row)) return result(verifier);
      }
      if (next || rows.length < this.config.AUDIT_VERIFY_PAGE_SIZE) break;
      cursor = rows[rows.length - 1]!.seq;
    }
    const last = verifier.head;
    if (next) {
      if (next.seq !== last.seq + 1n) verifier.fail(last.seq + 1n);
      else if (next.prevHash !== last.hash) verifier.fail(next.seq);
      return result(verifier);
    }
    // The end of the stored chain: it must be where the head row says.
    if (!head) {
      if (last.seq > start.seq) verifier.fail(start.seq + 1n);
    } else if (last.seq < head.lastSeq) {
      verifier.fail(last.seq + 1n);
    } else if (last.seq === head.lastSeq && last.hash !== head.lastHash) {
      verifier.fail(last.seq);
    } else if (last.seq > head.lastSeq) {
      // Events appended while we read move the head on; a forged tail does not.
      const now = await repo.head(tenantId);
      if (!now || last.seq > now.lastSeq) verifier.fail((now?.lastSeq ?? start.seq) + 1n);
    }
    const highestCheckpoint = [...checkpoints.keys()].reduce((a, b) => (b > a ? b : a), 0n);
    if (bounds.hi === null && highestCheckpoint > last.seq) verifier.fail(last.seq + 1n);
    return result(verifier);
  }
}

const bad = (seq: bigint, checked: number): VerificationResult => ({ ok: false, checked, firstBadSeq: seq });
const result = (v: ChainVerifier): VerificationResult => ({ ok: v.ok, checked: v.checked, firstBadSeq: v.firstBadSeq });
