import type { ApiError } from '../api/api-error';

/** The server's own message, announced to screen readers, with the code for support. */
export function ErrorBanner({ error, title }: { error: ApiError | undefined; title?: string }) {
  if (!error) return null;
  return (
    <div className="error" role="alert">
      {title ? <strong>{title}: </strong> : null}
      {error.describe()}
      <span className="error-code">
        {error.code}
        {error.reason ? ` · ${error.reason}` : ''}
        {error.requestId ? ` · request ${error.requestId}` : ''}
      </span>
    </div>
  );
}
