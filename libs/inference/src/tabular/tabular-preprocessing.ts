/**
 * The column encoding a version trained on the platform learned from its training data, stored
 * with the version (model_versions.preprocessing) and applied by the runtime, so that callers
 * send raw columns. One definition serves training and serving: what a model was fitted on is
 * exactly what it is fed later.
 */
export type TabularColumn =
  /** Standardised (x - mean) / std; a missing value is imputed with the mean (so becomes 0). */
  | { name: string; kind: 'number'; mean: number; std: number }
  /** One-hot over the categories seen in training; missing or unseen: all zeros. */
  | { name: string; kind: 'category'; categories: string[] }
  /** Bag of words over a vocabulary (1 when the word occurs); missing: all zeros. */
  | { name: string; kind: 'text'; vocabulary: string[] };

export interface TabularPreprocessing {
  columns: TabularColumn[];
}

/** The name of the one [-1, width] tensor the underlying TF.js model takes. */
export const TABULAR_FEATURES = 'features';

export function columnWidth(c: TabularColumn): number {
  if (c.kind === 'number') return 1;
  return c.kind === 'category' ? c.categories.length : c.vocabulary.length;
}

export function tabularWidth(p: TabularPreprocessing): number {
  return p.columns.reduce((n, c) => n + columnWidth(c), 0);
}

const WORD = /[\p{L}\p{N}][\p{L}\p{N}'_-]*/gu;

/** Lower-cased words of a text: the tokens of a bag-of-words vocabulary. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/** A raw cell as the encoder sees it: a number, a string, or missing. */
export type Cell = number | string | null;

/**
 * Encodes `rows` rows of raw columns into one row-major float32 matrix [rows, width]. Cells are
 * already checked (numbers finite, strings strings); the encoder itself never throws.
 */
export function encodeTabular(p: TabularPreprocessing, columns: Record<string, Cell[]>, rows: number): Float32Array {
  const width = tabularWidth(p);
  const out = new Float32Array(rows * width);
  let offset = 0;
  for (const c of p.columns) {
    const cells = columns[c.name];
    if (c.kind === 'number') {
      for (let r = 0; r < rows; r++) {
        const v = cells[r];
        out[r * width + offset] = typeof v === 'number' ? (v - c.mean) / c.std : 0;
      }
    } else {
      const index = new Map((c.kind === 'category' ? c.categories : c.vocabulary).map((v, i) => [v, i]));
      for (let r = 0; r < rows; r++) {
        const v = cells[r];
        if (v === null || v === undefined) continue;
        const keys = c.kind === 'category' ? [String(v)] : tokenize(String(v));
        for (const k of keys) {
          const i = index.get(k);
          if (i !== undefined) out[r * width + offset + i] = 1;
        }
      }
    }
    offset += columnWidth(c);
  }
  return out;
}
