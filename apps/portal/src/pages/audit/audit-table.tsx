import type { AuditEvent } from '../../api/operations/audit';
import { formatDate } from '../../components/format';

export function AuditTable({ events }: { events: AuditEvent[] }) {
  if (events.length === 0) return <p>No events match.</p>;
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">When</th>
            <th scope="col">Action</th>
            <th scope="col">Actor</th>
            <th scope="col">Target</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.id}>
              <td>{e.seq}</td>
              <td>{formatDate(e.occurredAt)}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>
                {e.actor.type} {e.actor.id ? <code title={e.actor.id}>{e.actor.id.slice(0, 12)}</code> : null}
              </td>
              <td>{e.target?.type ? `${e.target.type} ${e.target.id ?? ''}` : '—'}</td>
              <td>
                <details>
                  <summary>metadata</summary>
                  <pre className="code">
                    {JSON.stringify(
                      { metadata: e.metadata, requestId: e.requestId, hash: e.hash, prevHash: e.prevHash },
                      null,
                      2,
                    )}
                  </pre>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
