import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { chmod, unlink } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { APP_CONFIG, AppConfig } from '@app/common';
import { PrismaService } from '@app/db';
import { loadAuditConfig } from '@app/audit';
import { BackupError } from '../backup-manifest';
import { createBackup } from '../create-backup';
import { askSocket, backupSocketPath, LiveBackupAnswer } from './backup-socket';

/**
 * Embedded mode: PGlite belongs to this process, so `npm run backup` asks it, over a UNIX socket
 * in DATA_DIR, to write the snapshot itself (database dump and artifact list taken together,
 * see createBackup). One backup at a time. With PostgreSQL nothing listens: pg_dump takes its
 * snapshot beside the running platform.
 */
@Injectable()
export class LiveBackupServer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('LiveBackup');
  private server?: http.Server;
  private running?: Promise<unknown>;
  private readonly socket: string;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly app: AppConfig,
  ) {
    this.socket = backupSocketPath(app.DATA_DIR);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.prisma.mode !== 'embedded' || !this.prisma.embedded) return;
    // A socket file left by a process that died: nobody answers on it, so it is taken over.
    const alive = await askSocket(this.socket, '/ping', {}, 2000).then(
      () => true,
      () => false,
    );
    if (alive) {
      this.log.warn(`another process serves backups of ${this.app.DATA_DIR}; this one does not`);
      return;
    }
    await unlink(this.socket).catch(() => undefined);
    const server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.socket, () => resolve());
    }).catch((e: Error) => {
      this.log.warn(`backup socket ${this.socket} not opened (${e.message}): back up with the platform stopped`);
      return undefined;
    });
    if (!server.listening) return;
    await chmod(this.socket, 0o600);
    this.server = server;
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.server) return;
    await new Promise((r) => this.server!.close(r));
    await this.running?.catch(() => undefined);
    await unlink(this.socket).catch(() => undefined);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const answer = (status: number, body: LiveBackupAnswer): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    let text = '';
    for await (const chunk of req) text += chunk;
    if (req.method !== 'POST') return answer(405, { ok: false, error: 'POST only' });
    if (req.url === '/ping') return answer(200, { ok: true });
    if (req.url !== '/backup') return answer(404, { ok: false, error: 'no such request' });
    let dir: unknown;
    try {
      dir = (JSON.parse(text || '{}') as { dir?: unknown }).dir;
    } catch {
      return answer(400, { ok: false, error: 'the request is not JSON' });
    }
    if (typeof dir !== 'string' || !path.isAbsolute(dir))
      return answer(400, { ok: false, error: 'dir must be an absolute path' });
    if (this.running) return answer(409, { ok: false, error: 'a backup is already being written' });
    const job = createBackup(
      { dataDir: path.resolve(this.app.DATA_DIR), auditExportDir: loadAuditConfig(this.app).exportDir },
      dir,
      {
        live: this.prisma.embedded!,
      },
    );
    this.running = job;
    try {
      const { manifest, ms, lockedMs } = await job;
      this.log.log(
        `backup written to ${dir} (${manifest.files.length - 1} files, writes held ${lockedMs?.toFixed(0)} ms)`,
      );
      answer(200, { ok: true, files: manifest.files.length - 1, ms, lockedMs });
    } catch (e) {
      const message = e instanceof BackupError ? e.message : `backup failed: ${(e as Error).message}`;
      this.log.warn(message);
      answer(e instanceof BackupError ? 400 : 500, { ok: false, error: message });
    } finally {
      this.running = undefined;
    }
  }
}
