import { classificationMetrics, regressionMetrics } from './metrics';

describe('evaluation metrics', () => {
  it('computes accuracy, per-class precision / recall / F1, macro F1 and the confusion matrix', () => {
    // actual:    a a a b b c
    // predicted: a a b b c c
    const m = classificationMetrics(['a', 'b', 'c'], [0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2]);
    expect(m.confusionMatrix).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
    expect(m.accuracy).toBeCloseTo(4 / 6);
    expect(m.perClass[0]).toMatchObject({ label: 'a', precision: 1, support: 3 });
    expect(m.perClass[0].recall).toBeCloseTo(2 / 3);
    expect(m.perClass[1].precision).toBeCloseTo(0.5);
    expect(m.perClass[2].f1).toBeCloseTo(2 / 3);
    expect(m.macroF1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3);
  });

  it('gives 0 (not NaN) for a class never predicted', () => {
    const m = classificationMetrics(['a', 'b'], [0, 1], [0, 0]);
    expect(m.perClass[1]).toMatchObject({ precision: 0, recall: 0, f1: 0 });
  });

  it('computes MAE, RMSE and R²', () => {
    const m = regressionMetrics([1, 2, 3, 4], [1, 2, 3, 8]);
    expect(m.mae).toBe(1);
    expect(m.rmse).toBe(2);
    expect(m.r2).toBeCloseTo(1 - 16 / 5);
  });
});
