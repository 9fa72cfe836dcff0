import { parse } from 'csv-parse/sync';
import { TrainingError, TrainingErrorReason } from '../training.error';

export type DatasetFormat = 'CSV' | 'JSONL';
export type CellValue = number | string | null;

export interface ColumnInfo {
  name: string;
  type: 'NUMBER' | 'STRING';
  missing: number;
}

/** A parsed dataset: cells by column, numbers already numbers, missing cells null. */
export interface DatasetTable {
  columns: ColumnInfo[];
  rows: number;
  cells: Record<string, CellValue[]>;
}

export interface TableLimits {
  maxColumns: number;
  maxRows: number;
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;
const MISSING = new Set(['', 'NA', 'N/A', 'null', 'NULL', '?']);

/**
 * Parses CSV (header row) or JSON Lines (one object per line) and infers each column's type:
 * NUMBER when every present value is a finite number, else STRING. Ragged rows, duplicate
 * headers, NaN / Infinity and objects or arrays in cells are refused with a stable reason.
 */
export function parseDataset(format: DatasetFormat, text: string, limits: TableLimits): DatasetTable {
  const { header, records } = format === 'CSV' ? csvRecords(text) : jsonlRecords(text);
  if (!header.length || !records.length)
    throw TrainingError.invalid(TrainingErrorReason.EMPTY_DATASET, 'the dataset has no rows');
  if (header.length > limits.maxColumns) {
    throw TrainingError.invalid(TrainingErrorReason.TOO_MANY_COLUMNS, `at most ${limits.maxColumns} columns`, {
      limit: limits.maxColumns,
      columns: header.length,
    });
  }
  if (records.length > limits.maxRows)
    throw TrainingError.invalid(TrainingErrorReason.DATASET_TOO_LARGE, `at most ${limits.maxRows} rows`, {
      limit: limits.maxRows,
    });
  const seen = new Set<string>();
  for (const h of header) {
    if (!h.trim() || seen.has(h))
      throw TrainingError.invalid(
        TrainingErrorReason.DUPLICATE_COLUMN,
        `column names must be unique and non-empty: "${h}"`,
        { column: h },
      );
    seen.add(h);
  }
  const cells: Record<string, CellValue[]> = {};
  const columns = header.map((name, j) => {
    const raw = records.map((r, i) => cellOf(name, i, r[j]));
    const present = raw.filter((v): v is string | number => v !== null);
    const numeric = present.length > 0 && present.every((v) => typeof v === 'number' || NUMERIC.test(v.trim()));
    cells[name] = numeric
      ? raw.map((v) => (v === null ? null : Number(v)))
      : raw.map((v) => (v === null ? null : String(v)));
    return { name, type: numeric ? 'NUMBER' : 'STRING', missing: raw.length - present.length } as ColumnInfo;
  });
  return { columns, rows: records.length, cells };
}

function cellOf(column: string, row: number, v: unknown): CellValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw nonFinite(column, row);
    return v;
  }
  if (typeof v === 'boolean') return String(v);
  if (typeof v !== 'string')
    throw TrainingError.invalid(
      TrainingErrorReason.INVALID_VALUE,
      `column "${column}", row ${row + 1}: objects and arrays are not cells`,
      { column, row: row + 1 },
    );
  if (MISSING.has(v.trim())) return null;
  if (NON_FINITE.test(v.trim())) throw nonFinite(column, row);
  return v;
}

const nonFinite = (column: string, row: number) =>
  TrainingError.invalid(
    TrainingErrorReason.INVALID_VALUE,
    `column "${column}", row ${row + 1}: NaN and Infinity are not values`,
    { column, row: row + 1 },
  );

function csvRecords(text: string): { header: string[]; records: unknown[][] } {
  let rows: string[][];
  try {
    // relax_column_count off: a ragged row is an error with its line number.
    rows = parse(text, { bom: true, skip_empty_lines: true, relax_quotes: false, trim: false }) as string[][];
  } catch (e) {
    const code = (e as { code?: string }).code;
    const reason =
      code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH'
        ? TrainingErrorReason.RAGGED_ROWS
        : TrainingErrorReason.INVALID_FORMAT;
    const line = (e as { lines?: number }).lines;
    throw TrainingError.invalid(
      reason,
      `not valid CSV${line ? ` (line ${line})` : ''}: ${reason === TrainingErrorReason.RAGGED_ROWS ? 'rows have different numbers of fields' : 'malformed'}`,
      { line },
    );
  }
  const [header = [], ...records] = rows;
  return { header: header.map((h) => h.trim()), records };
}

function jsonlRecords(text: string): { header: string[]; records: unknown[][] } {
  const objects = text
    .split(/\r?\n/)
    .map((line, i) => ({ line: line.trim(), n: i + 1 }))
    .filter((l) => l.line)
    .map(({ line, n }) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw TrainingError.invalid(TrainingErrorReason.INVALID_FORMAT, `not valid JSON Lines (line ${n})`, {
          line: n,
        });
      }
      if (!value || typeof value !== 'object' || Array.isArray(value))
        throw TrainingError.invalid(TrainingErrorReason.INVALID_FORMAT, `line ${n} is not a JSON object`, { line: n });
      return value as Record<string, unknown>;
    });
  const header = [...new Set(objects.flatMap((o) => Object.keys(o)))];
  // A key absent from a line is a missing value there (JSON Lines has no header to be ragged against).
  return { header, records: objects.map((o) => header.map((h) => o[h])) };
}
