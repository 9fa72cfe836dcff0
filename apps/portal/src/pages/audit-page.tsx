import { useState } from 'react';
import { asApiError, type ApiError } from '../api/api-error';
import { request } from '../api/graphql-client';
import type { DataOf } from '../api/operation';
import { AuditEventsQuery, type AuditEventFilter } from '../api/operations/audit';
import { useQuery } from '../api/use-query';
import { ErrorBanner } from '../components/error-banner';
import { download } from '../components/format';
import { Pager } from '../components/pager';
import { AuditFilterForm } from './audit/audit-filter-form';
import { AuditTable } from './audit/audit-table';
import { AuditVerification } from './audit/audit-verification';
import { SignedExport } from './audit/signed-export';

const PAGE = 50;

export function AuditPage() {
  const [filter, setFilter] = useState<AuditEventFilter>({});
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const events = useQuery(AuditEventsQuery, { filter, first: PAGE, after: cursors[cursors.length - 1] });
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<ApiError>();

  const apply = (f: AuditEventFilter) => {
    setFilter(f);
    setCursors([null]);
  };

  // Export what the filter selects, every page, as JSON Lines (the format of the server's own exports).
  const exportAll = async () => {
    setExporting(true);
    setExportError(undefined);
    try {
      const lines: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: DataOf<typeof AuditEventsQuery> = await request(AuditEventsQuery, { filter, first: 100, after });
        lines.push(...page.auditEvents.edges.map((e) => JSON.stringify(e.node)));
        if (!page.auditEvents.pageInfo.hasNextPage) break;
        after = page.auditEvents.pageInfo.endCursor;
      }
      download(`audit-${new Date().toISOString().slice(0, 10)}.jsonl`, lines.join('\n') + '\n', 'application/x-ndjson');
    } catch (err) {
      setExportError(asApiError(err));
    } finally {
      setExporting(false);
    }
  };

  return (
    <>
      <AuditVerification />
      <AuditFilterForm onApply={apply} />
      <section aria-labelledby="events-heading">
        <div className="row">
          <h2 id="events-heading">Events</h2>
          <div className="row wrap">
            <button type="button" className="secondary" onClick={() => void exportAll()} disabled={exporting}>
              {exporting ? 'Downloading…' : 'Download (JSON Lines)'}
            </button>
            <SignedExport filter={filter} />
          </div>
        </div>
        <ErrorBanner error={events.error ?? exportError} />
        {events.data ? (
          <>
            <AuditTable events={events.data.auditEvents.edges.map((e) => e.node)} />
            <Pager
              hasNext={events.data.auditEvents.pageInfo.hasNextPage}
              atFirst={cursors.length === 1}
              onFirst={() => setCursors([null])}
              onNext={() => setCursors([...cursors, events.data!.auditEvents.pageInfo.endCursor])}
            />
          </>
        ) : events.loading ? (
          <p aria-busy="true">Loading events…</p>
        ) : null}
      </section>
    </>
  );
}
