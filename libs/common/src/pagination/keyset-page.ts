import { AppError } from '../errors/app-error';

export const MAX_PAGE_SIZE = 100;

export interface KeysetPosition {
  createdAt: Date;
  id: string;
}

/**
 * Keyset pagination over (createdAt desc, id desc), the order every "newest first" list uses:
 * stable under inserts, and an index walk instead of an OFFSET scan. Cursors are opaque to
 * clients (base64url of the last row's position).
 */
export const keysetPage = {
  assertSize(first: number): void {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
      throw AppError.badInput(`first must be between 1 and ${MAX_PAGE_SIZE}`, { field: 'first' });
    }
  },

  encode(r: KeysetPosition): string {
    return Buffer.from(`${r.createdAt.toISOString()}|${r.id}`).toString('base64url');
  },

  decode(cursor: string): KeysetPosition {
    const [iso, id] = Buffer.from(cursor, 'base64url').toString().split('|');
    const createdAt = new Date(iso ?? '');
    if (!id || Number.isNaN(createdAt.getTime()))
      throw AppError.badInput('invalid cursor', { field: 'after' }, 'INVALID_CURSOR');
    return { createdAt, id };
  },

  /** The Prisma filter for rows after `after` in (createdAt desc, id desc) order. */
  after(after?: string | null) {
    if (!after) return undefined;
    const c = keysetPage.decode(after);
    return { OR: [{ createdAt: { lt: c.createdAt } }, { createdAt: c.createdAt, id: { lt: c.id } }] };
  },

  orderBy: [{ createdAt: 'desc' as const }, { id: 'desc' as const }],
};
