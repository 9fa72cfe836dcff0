export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationMetrics {
  rows: number;
  accuracy: number;
  macroF1: number;
  perClass: ClassMetrics[];
  labels: string[];
  /** confusionMatrix[actual][predicted], in the order of `labels`. */
  confusionMatrix: number[][];
}

export interface RegressionMetrics {
  rows: number;
  mae: number;
  rmse: number;
  r2: number;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** Accuracy, per-class precision / recall / F1 / support, macro F1 and the confusion matrix. */
export function classificationMetrics(labels: string[], actual: number[], predicted: number[]): ClassificationMetrics {
  const k = labels.length;
  const confusionMatrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  actual.forEach((a, i) => confusionMatrix[a][predicted[i]]++);
  const correct = labels.reduce((n, _, c) => n + confusionMatrix[c][c], 0);
  const perClass = labels.map((label, c) => {
    const tp = confusionMatrix[c][c];
    const predictedC = confusionMatrix.reduce((n, row) => n + row[c], 0);
    const support = confusionMatrix[c].reduce((n, v) => n + v, 0);
    const precision = ratio(tp, predictedC);
    const recall = ratio(tp, support);
    return { label, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
  const macroF1 = ratio(
    perClass.reduce((s, c) => s + c.f1, 0),
    k,
  );
  return { rows: actual.length, accuracy: ratio(correct, actual.length), macroF1, perClass, labels, confusionMatrix };
}

/** Mean absolute error, root mean squared error and the coefficient of determination. */
export function regressionMetrics(actual: number[], predicted: number[]): RegressionMetrics {
  const n = actual.length;
  const mean = actual.reduce((s, v) => s + v, 0) / n;
  let abs = 0;
  let sq = 0;
  let tot = 0;
  actual.forEach((a, i) => {
    abs += Math.abs(a - predicted[i]);
    sq += (a - predicted[i]) ** 2;
    tot += (a - mean) ** 2;
  });
  return { rows: n, mae: abs / n, rmse: Math.sqrt(sq / n), r2: tot === 0 ? 0 : 1 - sq / tot };
}

/** Index of the highest score; ties go to the first, as argMax does. */
export function argMax(row: number[]): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}
