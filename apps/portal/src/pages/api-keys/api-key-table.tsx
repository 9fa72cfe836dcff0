import type { ApiKey } from '../../api/operations/api-keys';
import { formatDate } from '../../components/format';

function statusOf(key: ApiKey): string {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && new Date(key.expiresAt) < new Date()) return 'expired';
  return 'active';
}

export function ApiKeyTable({
  keys,
  onRotate,
  onRevoke,
  busy,
}: {
  keys: ApiKey[];
  onRotate: (id: string) => void;
  onRevoke: (id: string, name: string) => void;
  busy: boolean;
}) {
  if (keys.length === 0) return <p>No keys yet: create one above.</p>;
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Scopes</th>
            <th scope="col">Status</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => {
            const status = statusOf(key);
            return (
              <tr key={key.id} data-key-id={key.id}>
                <td>{key.name}</td>
                <td>
                  <code>{key.prefix}…</code>
                </td>
                <td>{key.scopes.join(', ')}</td>
                <td>
                  <span className={`badge ${status}`}>{status}</span>
                </td>
                <td>{key.lastUsedAt ? formatDate(key.lastUsedAt) : 'never'}</td>
                <td>{key.expiresAt ? formatDate(key.expiresAt) : 'never'}</td>
                <td>
                  <div className="actions">
                    {status === 'active' ? (
                      <>
                        <button
                          type="button"
                          className="secondary"
                          disabled={busy}
                          onClick={() => onRotate(key.id)}
                          aria-label={`Rotate ${key.name}`}
                        >
                          Rotate
                        </button>
                        <button
                          type="button"
                          className="danger"
                          disabled={busy}
                          onClick={() => onRevoke(key.id, key.name)}
                          aria-label={`Revoke ${key.name}`}
                        >
                          Revoke
                        </button>
                      </>
                    ) : null}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
