import http from 'node:http';
import path from 'node:path';

/**
 * The local channel between `npm run backup` and a running embedded platform: a UNIX socket in
 * DATA_DIR, mode 0600. Whoever can open it can already read DATA_DIR (the database itself), so
 * it asks for no token, and nothing outside this machine can reach it.
 */
export const BACKUP_SOCKET = 'backup.sock';

export const backupSocketPath = (dataDir: string) => path.join(path.resolve(dataDir), BACKUP_SOCKET);

export interface LiveBackupAnswer {
  ok: boolean;
  /** ok: files in the backup besides the database; the lock's duration. */
  files?: number;
  ms?: number;
  lockedMs?: number;
  error?: string;
}

/** One JSON request over the socket; rejects with the socket error when nobody listens. */
export function askSocket(
  socketPath: string,
  route: string,
  body: unknown,
  timeoutMs: number,
): Promise<LiveBackupAnswer> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(
      {
        socketPath,
        path: route,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        timeout: timeoutMs,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(text) as LiveBackupAnswer);
          } catch {
            reject(new Error(`unexpected answer from the running platform (${res.statusCode})`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('the running platform did not answer in time')));
    req.on('error', reject);
    req.end(payload);
  });
}
