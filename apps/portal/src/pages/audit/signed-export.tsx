import { ExportAuditLogMutation, type AuditEventFilter } from '../../api/operations/audit';
import { useMutation } from '../../api/use-query';
import { ErrorBanner } from '../../components/error-banner';
import { formatNumber } from '../../components/format';
import { useState } from 'react';

/**
 * Asks the platform to write a signed export of the filtered period to its own store (file or
 * S3 with Object Lock); shows where it went and its digest, for an auditor's records.
 */
export function SignedExport({ filter }: { filter: AuditEventFilter }) {
  const exportLog = useMutation(ExportAuditLogMutation);
  const [done, setDone] = useState<Awaited<ReturnType<typeof exportLog.run>>>();
  const run = async () => setDone(await exportLog.run({ from: filter.from ?? null, to: filter.to ?? null }));
  const r = done?.exportAuditLog;
  return (
    <div>
      <button type="button" className="secondary" onClick={() => void run()} disabled={exportLog.busy}>
        {exportLog.busy ? 'Exporting…' : 'Signed export to storage'}
      </button>
      <ErrorBanner error={exportLog.error} />
      {r ? (
        <p role="status" className="hint">
          Exported {formatNumber(r.count)} events (#{r.fromSeq}–#{r.toSeq}) to <code>{r.uri}</code>, SHA-256{' '}
          <code>{r.sha256.slice(0, 16)}…</code>, signed with key {r.keyId}.
        </p>
      ) : null}
    </div>
  );
}
