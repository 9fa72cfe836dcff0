/**
 * @app/storage: the blob store port. Model artifacts, staged uploads and datasets are objects
 * under keys in a local folder (`LocalBlobStore`) or an S3 bucket (`S3BlobStore`); presigned
 * PUT/GET URLs let a client move bytes without the api in between (S3) or through a signed api
 * URL (local). `SignedTokens` is the HMAC token format every signed URL of the platform uses.
 */
export { BlobExists, BlobNotFound, isSafeKey, assertSafeKey, joinKey } from './blob-store';
export type { BlobStore, BlobInfo, PresignedRequest, PresignPutOptions, PutOptions } from './blob-store';
export { LocalBlobStore, PresignedBodyRejected } from './local-blob-store';
export type { LocalBlobStoreOptions, LocalPresignGrant } from './local-blob-store';
export { S3BlobStore } from './s3-blob-store';
export type { S3BlobStoreOptions } from './s3-blob-store';
export { SignedTokens } from './signed-token';
