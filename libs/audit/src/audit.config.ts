import path from 'node:path';
import { z } from 'zod';
import { requiredInProduction, type AppConfig } from '@app/common';

/** Settings of the audit library only (see the report / README for each variable). */
export const auditConfigSchema = z.object({
  /** Ed25519 private key, PKCS#8 PEM (literal "\n" allowed). Required outside embedded mode. */
  AUDIT_SIGNING_KEY: requiredInProduction(z.string().optional()),
  /** A file holding that PEM, instead of the variable. */
  AUDIT_SIGNING_KEY_FILE: z.string().optional(),
  /** Folder for JSON Lines exports; default DATA_DIR/audit. */
  AUDIT_EXPORT_DIR: z.string().optional(),
  /** When set, exports go to this S3 bucket (it must have Object Lock enabled). */
  AUDIT_EXPORT_S3_BUCKET: requiredInProduction(z.string().optional()),
  AUDIT_EXPORT_S3_PREFIX: z.string().default('audit/'),
  AUDIT_EXPORT_S3_REGION: z.string().optional(),
  /** Only for S3-compatible stores and tests; AWS needs none. */
  AUDIT_EXPORT_S3_ENDPOINT: z.string().url().optional(),
  /** Object Lock retain-until, in days after the upload (compliance mode: nobody can shorten it). */
  AUDIT_OBJECT_LOCK_DAYS: z.coerce.number().int().min(1).max(36_500).default(2192),
  /**
   * How often the workers export each tenant with new events (libs/duties AuditExportScheduler),
   * so the retention purge, which removes only exported ranges, can free them. 0 turns it off.
   */
  AUDIT_EXPORT_INTERVAL_MS: z.coerce.number().int().min(0).default(86_400_000),
  /** How long an export's download link (signed api link, or S3 presigned GET) works. */
  AUDIT_DOWNLOAD_LINK_TTL_SECONDS: z.coerce.number().int().min(30).max(604_800).default(900),
  /** Rows read per page while verifying: bounds memory, whatever the chain length. */
  AUDIT_VERIFY_PAGE_SIZE: z.coerce.number().int().min(10).max(10_000).default(2000),
});

export type AuditConfig = z.infer<typeof auditConfigSchema> & {
  exportDir: string;
  embedded: boolean;
  dataDir: string;
  /** Where the api answers (PUBLIC_URL, or localhost:PORT): the base of local-export download links. */
  publicUrl: string;
};

export function loadAuditConfig(
  app: Pick<AppConfig, 'DATA_DIR' | 'DATABASE_URL' | 'NODE_ENV'> & Partial<Pick<AppConfig, 'PUBLIC_URL' | 'PORT'>>,
  env: NodeJS.ProcessEnv = process.env,
): AuditConfig {
  const parsed = auditConfigSchema.parse(
    Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('AUDIT_') && v !== '')),
  );
  const dataDir = path.resolve(app.DATA_DIR);
  return {
    ...parsed,
    dataDir,
    exportDir: path.resolve(parsed.AUDIT_EXPORT_DIR ?? path.join(dataDir, 'audit')),
    embedded: !app.DATABASE_URL,
    publicUrl: (app.PUBLIC_URL ?? `http://localhost:${app.PORT ?? 3000}`).replace(/\/+$/, ''),
  };
}

export const AUDIT_CONFIG = Symbol('AUDIT_CONFIG');
