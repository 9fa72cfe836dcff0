import { Connection, operation } from '../operation';

export interface AuditEvent {
  id: string;
  seq: number;
  occurredAt: string;
  actor: { type: string; id: string | null };
  action: string;
  target: { type: string | null; id: string | null } | null;
  requestId: string | null;
  metadata: unknown;
  hash: string;
  prevHash: string;
}

export interface AuditEventFilter {
  /** Exact, or a prefix ending in ".*" such as "api_key.*". */
  action?: string;
  actorId?: string;
  from?: string;
  to?: string;
}

/** The audit log pages without a total: counting a long chain on every page is not worth it. */
export const AuditEventsQuery = operation<
  { auditEvents: Omit<Connection<AuditEvent>, 'totalCount'> },
  { filter: AuditEventFilter; first: number; after?: string | null }
>(
  `query AuditEvents($filter: AuditEventFilter, $first: Int, $after: String) { auditEvents(filter: $filter, first: $first, after: $after) { edges { cursor node { id seq occurredAt actor { type id } action target { type id } requestId metadata hash prevHash } } pageInfo { hasNextPage endCursor } } }`,
);

export interface AuditExportResult {
  id: string;
  count: number;
  fromSeq: number;
  toSeq: number;
  uri: string;
  sha256: string;
  signature: string;
  keyId: string;
}

/** A signed export kept by the platform (the retention-proof copy), as opposed to a download. */
export const ExportAuditLogMutation = operation<
  { exportAuditLog: AuditExportResult },
  { from?: string | null; to?: string | null }
>(
  `mutation ExportAuditLog($from: DateTime, $to: DateTime) { exportAuditLog(from: $from, to: $to) { id count fromSeq toSeq uri sha256 signature keyId } }`,
);

export interface AuditVerification {
  ok: boolean;
  checked: number;
  firstBadSeq: number | null;
}

export const VerifyAuditChainQuery = operation<
  { verifyAuditChain: AuditVerification },
  { from?: string | null; to?: string | null }
>(
  `query VerifyAuditChain($from: DateTime, $to: DateTime) { verifyAuditChain(from: $from, to: $to) { ok checked firstBadSeq } }`,
);
