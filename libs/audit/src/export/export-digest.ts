import { canonicalJson } from '../canonical-json';

export const EXPORT_FORMAT = 'mas-audit-export/1';

/** The signed part of an export's digest: everything a verifier needs to trust the file. */
export interface ExportDigestBody {
  format: typeof EXPORT_FORMAT;
  exportId: string;
  tenantId: string;
  fromSeq: string;
  toSeq: string;
  fromTime: string;
  toTime: string;
  count: number;
  /** Hash of the event before fromSeq (the genesis hash for seq 1): where the segment hooks on. */
  prevHash: string;
  /** Hash of the event at toSeq. */
  lastHash: string;
  /** SHA-256 (hex) of the JSON Lines file, byte for byte. */
  sha256: string;
  keyId: string;
  createdAt: string;
}

/** The digest file written next to the export: the body, the file name and the signature. */
export interface ExportDigestFile extends ExportDigestBody {
  file: string;
  signature: { alg: 'Ed25519'; keyId: string; publicKey: string; value: string };
}

export interface ExportRowLike {
  id: string;
  tenantId: string;
  fromSeq: bigint;
  toSeq: bigint;
  fromTime: Date;
  toTime: Date;
  prevHash: string;
  lastHash: string;
  sha256: string;
  keyId: string;
  createdAt: Date;
}

/** Rebuilds the signed body from a stored audit_exports row (the row keeps every signed field). */
export function digestBodyOf(row: ExportRowLike): ExportDigestBody {
  return {
    format: EXPORT_FORMAT,
    exportId: row.id,
    tenantId: row.tenantId,
    fromSeq: row.fromSeq.toString(),
    toSeq: row.toSeq.toString(),
    fromTime: row.fromTime.toISOString(),
    toTime: row.toTime.toISOString(),
    count: Number(row.toSeq - row.fromSeq + 1n),
    prevHash: row.prevHash,
    lastHash: row.lastHash,
    sha256: row.sha256,
    keyId: row.keyId,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The exact bytes that are signed: canonical JSON of the body, so field order cannot matter. */
export function signedBytes(body: ExportDigestBody): Buffer {
  const {
    format,
    exportId,
    tenantId,
    fromSeq,
    toSeq,
    fromTime,
    toTime,
    count,
    prevHash,
    lastHash,
    sha256,
    keyId,
    createdAt,
  } = body;
  return Buffer.from(
    canonicalJson({
      format,
      exportId,
      tenantId,
      fromSeq,
      toSeq,
      fromTime,
      toTime,
      count,
      prevHash,
      lastHash,
      sha256,
      keyId,
      createdAt,
    }),
  );
}
