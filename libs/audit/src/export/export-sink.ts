/** Where exports go. `put` stores one finished local file under `key` and returns its URI. */
export interface AuditExportSink {
  put(key: string, localFile: string, contentType: string, sha256Hex: string): Promise<string>;
}

export const AUDIT_EXPORT_SINK = Symbol('AUDIT_EXPORT_SINK');
