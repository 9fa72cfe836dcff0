import { TabularColumn, TabularPreprocessing, tokenize } from '@app/inference';
import { CellValue, ColumnInfo } from '../datasets/dataset-table';

const MAX_CATEGORIES = 64;
const MAX_CATEGORY_WORDS = 3;

/**
 * Learns the column encoding from the training rows only (never the validation rows):
 * numbers are standardised with their mean and standard deviation (missing: the mean);
 * strings with few distinct short values are one-hot categories, any other string column is
 * free text with a bag-of-words vocabulary of its most frequent words.
 */
export function learnPreprocessing(
  columns: ColumnInfo[],
  cells: Record<string, CellValue[]>,
  rows: number[],
  vocabularySize: number,
): TabularPreprocessing {
  return {
    columns: columns.map((c) =>
      learnColumn(
        c,
        rows.map((r) => cells[c.name][r]),
        vocabularySize,
      ),
    ),
  };
}

function learnColumn(c: ColumnInfo, values: CellValue[], vocabularySize: number): TabularColumn {
  if (c.type === 'NUMBER') {
    const present = values.filter((v): v is number => typeof v === 'number');
    const mean = present.length ? present.reduce((s, v) => s + v, 0) / present.length : 0;
    const variance = present.length ? present.reduce((s, v) => s + (v - mean) ** 2, 0) / present.length : 0;
    return { name: c.name, kind: 'number', mean, std: Math.sqrt(variance) || 1 };
  }
  const strings = values.filter((v): v is string => v !== null).map(String);
  const counts = countBy(strings);
  const short = strings.every((s) => tokenize(s).length <= MAX_CATEGORY_WORDS);
  if (counts.size <= MAX_CATEGORIES && short)
    return { name: c.name, kind: 'category', categories: byFrequency(counts) };
  // Document frequency: a word counts once per row, so one long row cannot fill the vocabulary.
  const df = countBy(strings.flatMap((s) => [...new Set(tokenize(s))]));
  for (const [word, n] of df) if (n < 2) df.delete(word);
  return { name: c.name, kind: 'text', vocabulary: byFrequency(df).slice(0, vocabularySize) };
}

function countBy(values: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

/** Most frequent first, ties by value: the same data always gives the same encoding. */
function byFrequency(counts: Map<string, number>): string[] {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([v]) => v);
}
