import { ApiError } from '../../api/api-error';
import { csrfToken } from '../../api/graphql-client';

/** PUTs a file to a signed upload URL (same session and CSRF token), reporting progress. */
export function putWithProgress<T>(url: string, file: Blob, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', new URL(url, window.location.href).pathname);
    xhr.withCredentials = true;
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('x-csrf-token', csrfToken());
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () =>
      reject(new ApiError('the upload was interrupted: check your connection and try again', 'NETWORK'));
    xhr.onload = () => {
      let body: { errors?: { message: string; extensions?: { code?: string; reason?: string } }[] } & T;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        return reject(new ApiError(`the upload failed with status ${xhr.status}`, 'INTERNAL'));
      }
      const err = body.errors?.[0];
      if (err || xhr.status >= 400)
        reject(
          new ApiError(
            err?.message ?? `the upload failed with status ${xhr.status}`,
            err?.extensions?.code ?? 'INTERNAL',
            err?.extensions?.reason,
          ),
        );
      else resolve(body);
    };
    xhr.send(file);
  });
}
