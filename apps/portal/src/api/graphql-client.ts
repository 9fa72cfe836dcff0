import { ApiError } from './api-error';
import type { Operation } from './operation';

interface GraphQLErrorBody {
  message: string;
  extensions?: { code?: string; reason?: string; retryAfter?: number; requestId?: string };
}

/** The csrf_token cookie changes after logIn and switchTenant: read it for every request. */
export function csrfToken(): string {
  const match = window.document.cookie.split('; ').find((c) => c.startsWith('csrf_token='));
  return match ? decodeURIComponent(match.slice('csrf_token='.length)) : '';
}

/**
 * Calls the public API at /graphql with the session cookie and the double-submit CSRF header.
 * Any error in the answer becomes an ApiError carrying the server's message and code.
 */
export async function request<TData, TVariables>(
  op: Operation<TData, TVariables>,
  variables: TVariables,
): Promise<TData> {
  let res: Response;
  try {
    res = await window.fetch('/graphql', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken() },
      body: JSON.stringify({ query: op.document, operationName: op.name, variables }),
    });
  } catch {
    throw new ApiError('the server cannot be reached: check your connection', 'NETWORK');
  }
  let body: { data?: TData | null; errors?: GraphQLErrorBody[] };
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`the server answered ${res.status} without JSON`, 'INTERNAL');
  }
  const first = body.errors?.[0];
  if (first) {
    const ext = first.extensions ?? {};
    throw new ApiError(first.message, ext.code ?? 'INTERNAL', ext.reason, ext.retryAfter, ext.requestId);
  }
  if (!body.data) throw new ApiError(`the server answered ${res.status} without data`, 'INTERNAL');
  return body.data;
}
