import { resolve } from 'node:path';
import { z } from 'zod';
import { requiredInProduction } from '@app/common';

export const modelsConfigSchema = z.object({
  DATA_DIR: z.string().default('./.data'),
  // Where uploaded artifacts live: a local folder (default) or an S3-compatible bucket.
  ARTIFACT_STORE: z.enum(['local', 's3']).default('local'),
  ARTIFACT_BUCKET: requiredInProduction(z.string().optional()),
  ARTIFACT_PREFIX: z.string().default('models/'),
  // S3-compatible endpoints (MinIO, R2): an endpoint URL and path-style addressing.
  ARTIFACT_S3_ENDPOINT: z.string().url().optional(),
  ARTIFACT_S3_REGION: z.string().optional(),
  // Signed upload URLs (createModelUpload): the HMAC key, shared by every api instance (unset:
  // a random key per process, so a URL only works on the instance that issued it), and the
  // lifetime of a URL and of a staged file that no version has used yet.
  UPLOAD_SIGNING_SECRET: requiredInProduction(z.string().min(32).optional()),
  UPLOAD_URL_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3_600),
  // Lifetime of a modelVersionDownload URL (the same signing key).
  MODEL_DOWNLOAD_TTL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  // How long a resolved (model, version or alias) stays cached per process. Changes made in this
  // process apply at once; alias moves made elsewhere reach this process within this time.
  MODEL_RESOLVE_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
  PUBLIC_URL: z.string().url().optional(),
  PORT: z.coerce.number().int().default(3000),
});

export interface ModelsConfig {
  dataDir: string;
  /** Local artifact root (DATA_DIR/models) and the built-in catalog folder (DATA_DIR/catalog). */
  modelsDir: string;
  catalogDir: string;
  /** Local copies of remote artifacts, so the runtime can load them from disk. */
  cacheDir: string;
  store: 'local' | 's3';
  bucket?: string;
  prefix: string;
  s3Endpoint?: string;
  s3Region?: string;
  /** Staged uploads (DATA_DIR/uploads/<tenant>/), before publishModelVersion takes them. */
  uploadsDir: string;
  uploadSigningSecret?: string;
  uploadTtlSeconds: number;
  downloadTtlSeconds: number;
  /** Base of the upload URLs handed out. */
  publicUrl: string;
  resolveCacheMs: number;
}

export const MODELS_CONFIG = Symbol('MODELS_CONFIG');

/** Reads this library's settings; a bad value stops the process at start with its name. */
export function modelsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ModelsConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const c = modelsConfigSchema.parse(cleaned);
  if (c.ARTIFACT_STORE === 's3' && !c.ARTIFACT_BUCKET) throw new Error('ARTIFACT_STORE=s3 needs ARTIFACT_BUCKET');
  const dataDir = resolve(c.DATA_DIR);
  return {
    dataDir,
    modelsDir: resolve(dataDir, 'models'),
    catalogDir: resolve(dataDir, 'catalog'),
    cacheDir: resolve(dataDir, 'artifact-cache'),
    store: c.ARTIFACT_STORE,
    bucket: c.ARTIFACT_BUCKET,
    prefix: c.ARTIFACT_PREFIX,
    s3Endpoint: c.ARTIFACT_S3_ENDPOINT,
    s3Region: c.ARTIFACT_S3_REGION,
    uploadsDir: resolve(dataDir, 'uploads'),
    uploadSigningSecret: c.UPLOAD_SIGNING_SECRET,
    uploadTtlSeconds: c.UPLOAD_URL_TTL_SECONDS,
    downloadTtlSeconds: c.MODEL_DOWNLOAD_TTL_SECONDS,
    publicUrl: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, ''),
    resolveCacheMs: c.MODEL_RESOLVE_CACHE_MS,
  };
}
