import { AuditHashInput, auditEventHash } from '../audit-hash';

export interface ChainLink {
  seq: bigint;
  hash: string;
}

export type ChainEvent = AuditHashInput & { seq: bigint; hash: string };

/**
 * Checks events one at a time, in seq order, against the link before them: seq must follow
 * without a gap, prevHash must be the previous hash and the stored hash must be the recomputed
 * one. Holds only the last link, so a chain of any length verifies in constant memory.
 * `checkpoints` are hashes known from elsewhere (signed exports): a seq listed there must carry
 * exactly that hash.
 */
export class ChainVerifier {
  private last: ChainLink;
  checked = 0;
  firstBadSeq: bigint | null = null;

  constructor(
    start: ChainLink,
    private readonly checkpoints: ReadonlyMap<bigint, string> = new Map(),
  ) {
    this.last = start;
  }

  get head(): ChainLink {
    return this.last;
  }

  get ok(): boolean {
    return this.firstBadSeq === null;
  }

  /** False (and firstBadSeq set) at the first event that breaks the chain. */
  push(e: ChainEvent): boolean {
    if (!this.ok) return false;
    const expected = this.last.seq + 1n;
    if (e.seq !== expected) return this.fail(expected < e.seq ? expected : e.seq);
    if (e.prevHash !== this.last.hash || auditEventHash(e) !== e.hash) return this.fail(e.seq);
    const known = this.checkpoints.get(e.seq);
    if (known !== undefined && known !== e.hash) return this.fail(e.seq);
    this.last = { seq: e.seq, hash: e.hash };
    this.checked++;
    return true;
  }

  fail(seq: bigint): false {
    if (this.firstBadSeq === null || seq < this.firstBadSeq) this.firstBadSeq = seq;
    return false;
  }
}
