import { ApiError } from '../../api/api-error';
import { csrfToken } from '../../api/graphql-client';

/** An upload URL of the api itself (local mode), as opposed to a presigned URL of the bucket (S3 mode). */
export const isApiUploadUrl = (url: string) => new URL(url, window.location.href).pathname.startsWith('/uploads/');

/**
 * PUTs a file to a signed upload URL, reporting progress: to the api with the session and CSRF
 * token (local mode; resolves with its JSON answer), or straight to a presigned bucket URL with
 * exactly its signed headers and no credentials (S3 mode; resolves with undefined).
 */
export function putWithProgress<T>(
  url: string,
  file: Blob,
  onProgress: (fraction: number) => void,
  headers: { name: string; value: string }[] = [],
): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const api = isApiUploadUrl(url);
    if (api) {
      xhr.open('PUT', new URL(url, window.location.href).pathname);
      xhr.withCredentials = true;
      xhr.setRequestHeader('content-type', 'application/octet-stream');
      xhr.setRequestHeader('x-csrf-token', csrfToken());
    } else {
      xhr.open('PUT', url);
      // The browser sets Content-Length itself, from the file: the signed value.
      for (const h of headers) if (h.name.toLowerCase() !== 'content-length') xhr.setRequestHeader(h.name, h.value);
    }
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () =>
      reject(new ApiError('the upload was interrupted: check your connection and try again', 'NETWORK'));
    xhr.onload = () => {
      if (!api) {
        if (xhr.status >= 200 && xhr.status < 300) return resolve(undefined as T);
        return reject(new ApiError(`the upload failed with status ${xhr.status}`, 'INTERNAL'));
      }
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
