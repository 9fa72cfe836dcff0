/** Most rows of one call looked at for drift: a large batch is sampled, not walked whole. */
const MAX_ROWS = 256;
const MAX_COLUMNS = 64;

/**
 * The numeric columns of a call's inputs: `name` for a [-1] input, `name[i]` for each column of
 * a [-1, n] input (nested rows or OIP `{ shape, data }`). Anything else (images, strings, deeper
 * tensors) is not a column and is skipped.
 */
export function inputColumns(inputs: unknown): Map<string, number[]> {
  const out = new Map<string, number[]>();
  if (!inputs || typeof inputs !== 'object' || Array.isArray(inputs)) return out;
  for (const [name, value] of Object.entries(inputs as Record<string, unknown>)) {
    const rows = rowsOf(value);
    if (!rows) continue;
    for (const row of rows.slice(0, MAX_ROWS)) {
      if (typeof row === 'number') push(out, name, row);
      else if (Array.isArray(row) && row.length <= MAX_COLUMNS)
        row.forEach((v, i) => typeof v === 'number' && push(out, `${name}[${i}]`, v));
    }
  }
  return out;
}

function rowsOf(value: unknown): unknown[] | null {
  if (Array.isArray(value)) return value;
  const t = value as { shape?: unknown; data?: unknown };
  if (t && Array.isArray(t.shape) && Array.isArray(t.data)) {
    if (t.shape.length === 1) return t.data;
    const width = Number(t.shape[1]);
    if (t.shape.length !== 2 || !Number.isInteger(width) || width < 1) return null;
    const rows: unknown[] = [];
    for (let i = 0; i < t.data.length && rows.length < MAX_ROWS; i += width) rows.push(t.data.slice(i, i + width));
    return rows;
  }
  return null;
}

function push(out: Map<string, number[]>, key: string, v: number): void {
  if (!Number.isFinite(v)) return;
  const list = out.get(key);
  if (list) list.push(v);
  else out.set(key, [v]);
}
