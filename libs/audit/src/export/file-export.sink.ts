import { chmod, copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AuditExportSink } from './export-sink';

/** Exports as read-only files under a folder (default DATA_DIR/audit). */
export class FileExportSink implements AuditExportSink {
  constructor(private readonly dir: string) {}

  async put(key: string, localFile: string): Promise<string> {
    const target = path.join(this.dir, key);
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(localFile, target);
    await chmod(target, 0o444);
    return pathToFileURL(target).href;
  }
}
