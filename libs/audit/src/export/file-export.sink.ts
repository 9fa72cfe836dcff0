import { createReadStream } from 'node:fs';
import { chmod, copyFile, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { AuditExportSink } from './export-sink';

/** Keys are `<tenantId>/<exportId>.<ext>`: ids and a fixed extension, nothing that climbs out of the folder. */
const SAFE_KEY = /^[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+\.(jsonl|digest\.json)$/;

/** Exports as read-only files under a folder (default DATA_DIR/audit), served by signed api links. */
export class FileExportSink implements AuditExportSink {
  readonly kind = 'file' as const;

  constructor(private readonly dir: string) {}

  async put(key: string, localFile: string): Promise<string> {
    const target = this.pathOf(key);
    try {
      await mkdir(path.dirname(target), { recursive: true });
      await copyFile(localFile, target);
      await chmod(target, 0o444);
    } catch (e) {
      // An fs error's message names the paths: what reaches logs and answers names only the key
      // (not even as `cause`, which log serializers print).
      // eslint-disable-next-line preserve-caught-error
      throw new Error(`could not store audit export ${key} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    return `local:${key}`;
  }

  presignGet(): Promise<null> {
    return Promise.resolve(null);
  }

  async open(key: string): Promise<Readable | null> {
    const file = this.pathOf(key);
    try {
      if (!(await stat(file)).isFile()) return null;
    } catch {
      return null;
    }
    return createReadStream(file);
  }

  private pathOf(key: string): string {
    if (!SAFE_KEY.test(key)) throw new Error('not an audit export key');
    return path.join(this.dir, key);
  }
}
