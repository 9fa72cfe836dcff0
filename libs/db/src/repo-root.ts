import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root (where prisma/ lives), from source or from dist/. */
export function findRepoRoot(start = __dirname): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'prisma', 'schema.prisma'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`repository root not found above ${start}`);
    dir = up;
  }
  return dir;
}
