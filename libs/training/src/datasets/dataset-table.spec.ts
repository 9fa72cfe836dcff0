import { parseDataset } from './dataset-table';

const limits = { maxColumns: 10, maxRows: 100 };
const reasonOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return (e as { reason?: string }).reason;
  }
  return undefined;
};

describe('dataset parsing and column types', () => {
  it('types CSV columns and counts missing values', () => {
    const t = parseDataset('CSV', 'a,b,c\n1,x,\n2.5,"y, z",3\nNA,w,4e2\n', limits);
    expect(t.rows).toBe(3);
    expect(t.columns).toEqual([
      { name: 'a', type: 'NUMBER', missing: 1 },
      { name: 'b', type: 'STRING', missing: 0 },
      { name: 'c', type: 'NUMBER', missing: 1 },
    ]);
    expect(t.cells.a).toEqual([1, 2.5, null]);
    expect(t.cells.b).toEqual(['x', 'y, z', 'w']);
    expect(t.cells.c).toEqual([null, 3, 400]);
  });

  it('reads JSON Lines, a key absent from a line being missing there', () => {
    const t = parseDataset('JSONL', '{"x": 1, "label": "a"}\n{"label": "b", "x": null}\n{"x": 3}\n', limits);
    expect(t.columns).toEqual([
      { name: 'x', type: 'NUMBER', missing: 1 },
      { name: 'label', type: 'STRING', missing: 1 },
    ]);
  });

  it.each([
    ['ragged CSV rows', 'CSV', 'a,b\n1,2\n3\n', 'RAGGED_ROWS'],
    ['a malformed CSV quote', 'CSV', 'a,b\n"1,2\n', 'INVALID_FORMAT'],
    ['a JSONL line that is not JSON', 'JSONL', '{"a":1}\nnope\n', 'INVALID_FORMAT'],
    ['a JSONL line that is not an object', 'JSONL', '[1,2]\n', 'INVALID_FORMAT'],
    ['NaN in CSV', 'CSV', 'a\n1\nNaN\n', 'INVALID_VALUE'],
    ['Infinity in CSV', 'CSV', 'a\n-Infinity\n', 'INVALID_VALUE'],
    ['an object cell', 'JSONL', '{"a": {"b": 1}}\n', 'INVALID_VALUE'],
    ['duplicate headers', 'CSV', 'a,a\n1,2\n', 'DUPLICATE_COLUMN'],
    ['no rows', 'CSV', 'a,b\n', 'EMPTY_DATASET'],
    [
      'too many columns',
      'CSV',
      `${Array.from({ length: 11 }, (_, i) => `c${i}`).join(',')}\n${'1,'.repeat(10)}1\n`,
      'TOO_MANY_COLUMNS',
    ],
  ] as const)('refuses %s with a stable reason', (_, format, text, reason) => {
    expect(reasonOf(() => parseDataset(format, text, limits))).toBe(reason);
  });
});
