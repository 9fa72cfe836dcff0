import { ApiError } from '../../api/api-error';
import { csrfToken } from '../../api/graphql-client';
import type { Operation } from '../../api/operation';

/**
 * The same call as request(), over XMLHttpRequest because fetch reports no upload progress:
 * an artifact of several megabytes deserves a progress bar.
 */
export function postWithProgress<TData, TVariables>(
  op: Operation<TData, TVariables>,
  variables: TVariables,
  onProgress: (fraction: number) => void,
): Promise<TData> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/graphql');
    xhr.withCredentials = true;
    xhr.setRequestHeader('content-type', 'application/json');
    xhr.setRequestHeader('x-csrf-token', csrfToken());
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () =>
      reject(new ApiError('the upload was interrupted: check your connection and try again', 'NETWORK'));
    xhr.onload = () => {
      let body: {
        data?: TData;
        errors?: { message: string; extensions?: { code?: string; reason?: string; requestId?: string } }[];
      } = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // Reported by status below.
      }
      const err = body.errors?.[0];
      if (err)
        reject(
          new ApiError(
            err.message,
            err.extensions?.code ?? 'INTERNAL',
            err.extensions?.reason,
            undefined,
            err.extensions?.requestId,
          ),
        );
      else if (xhr.status >= 400 || !body.data)
        reject(
          new ApiError(
            `the upload failed with status ${xhr.status}`,
            xhr.status === 413 ? 'BAD_USER_INPUT' : 'INTERNAL',
          ),
        );
      else resolve(body.data);
    };
    xhr.send(JSON.stringify({ query: op.document, operationName: op.name, variables }));
  });
}
