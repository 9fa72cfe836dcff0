// What a database failure means, whichever driver adapter raised it. PrismaPg reports a unique
// violation as Prisma's P2002; PGlite's adapter, in the built app, passes PostgreSQL's SQLSTATE
// 23505 through as the code with no driverAdapterError in meta. One mapping for both.

interface KnownShape {
  code?: unknown;
  meta?: {
    driverAdapterError?: {
      cause?: {
        kind?: string;
        originalCode?: string;
        originalMessage?: string;
        constraint?: { index?: string; fields?: string[] };
      };
    };
    target?: unknown;
  };
  message?: unknown;
}

const UNIQUE_CODES = new Set(['P2002', '23505']);
// SQLSTATE 22021 (invalid byte sequence, e.g. NUL in text) and 22P02/22007/22008 (bad casts and
// dates): the client's input, not the server, was wrong.
const BAD_INPUT_CODES = new Set(['22021', '22P02', '22007', '22008', '22001']);

function sqlStateOf(e: unknown): string | undefined {
  const k = e as KnownShape | null;
  if (!k || typeof k !== 'object') return undefined;
  const cause = k.meta?.driverAdapterError?.cause;
  if (cause?.originalCode) return cause.originalCode;
  return typeof k.code === 'string' ? k.code : undefined;
}

/** True for a unique-constraint violation from PostgreSQL (PrismaPg) or PGlite alike. */
export function isUniqueViolation(e: unknown): boolean {
  const k = e as KnownShape | null;
  if (!k || typeof k !== 'object') return false;
  if (k.meta?.driverAdapterError?.cause?.kind === 'UniqueConstraintViolation') return true;
  return UNIQUE_CODES.has(String(k.code)) || sqlStateOf(e) === '23505';
}

/** The violated constraint's name when the driver says it (e.g. "users_email_key"). */
export function uniqueConstraintOf(e: unknown): string | undefined {
  if (!isUniqueViolation(e)) return undefined;
  const k = e as KnownShape;
  const index = k.meta?.driverAdapterError?.cause?.constraint?.index;
  if (index) return index;
  const text = `${k.meta?.driverAdapterError?.cause?.originalMessage ?? ''} ${String(k.message ?? '')}`;
  const m = /unique constraint "([^"]+)"/.exec(text);
  return m?.[1];
}

/** True when PostgreSQL refused the value itself (NUL byte, malformed date or number). */
export function isInvalidValue(e: unknown): boolean {
  const state = sqlStateOf(e);
  return state !== undefined && BAD_INPUT_CODES.has(state);
}
