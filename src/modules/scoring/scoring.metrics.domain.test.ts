import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { allMetrics, brier, expectedCalibrationError, gini, ks, logLoss, meanMetrics, rocAuc } from './scoring.metrics.domain.ts';

describe('metrics against hand-computed cases', () => {
  it('AUC counts pairs, ties as one half', () => {
    // positives 0.35, 0.8 vs negatives 0.1, 0.4: 3 of 4 pairs ordered
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12);
    // positives 0.5, 0.9 vs negatives 0.5, 0.2: one tie → 3.5 / 4
    expect(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBeCloseTo(0.875, 12);
    expect(rocAuc([0, 1, 0, 1], [0.3, 0.3, 0.3, 0.3])).toBe(0.5);
    expect(rocAuc([1, 1, 0], [0.2, 0.3, 0.9])).toBe(0);
    expect(rocAuc([1, 1], [0.2, 0.3])).toBeNaN();
    expect(gini([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.5, 12);
  });

  it('AUC equals the brute-force pair count on arbitrary data with ties', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 6 })), { minLength: 2, maxLength: 60 }), (rows) => {
        const y = rows.map((r) => r[0]);
        const p = rows.map((r) => r[1] / 6);
        let num = 0;
        let den = 0;
        for (let i = 0; i < rows.length; i++) for (let j = 0; j < rows.length; j++) {
          if (y[i] !== 1 || y[j] !== 0) continue;
          den++;
          num += p[i]! > p[j]! ? 1 : p[i] === p[j] ? 0.5 : 0;
        }
        if (den === 0) expect(rocAuc(y, p)).toBeNaN();
        else expect(rocAuc(y, p)).toBeCloseTo(num / den, 10);
      }),
      { numRuns: 200 },
    );
  });

  it('KS is the largest gap between the cumulative distributions, ties moving together', () => {
    expect(ks([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.5, 12);
    expect(ks([0, 1], [0.5, 0.5])).toBe(0);
    expect(ks([0, 0, 1, 1], [0.1, 0.2, 0.7, 0.9])).toBe(1);
    // cumulative after 0.2: negatives 2/3, positives 0 → 2/3
    expect(ks([0, 0, 1, 0, 1], [0.1, 0.2, 0.3, 0.4, 0.5])).toBeCloseTo(2 / 3, 12);
  });

  it('Brier and log loss', () => {
    expect(brier([1, 0], [0.8, 0.3])).toBeCloseTo((0.04 + 0.09) / 2, 12);
    expect(logLoss([1, 0], [0.8, 0.3])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7)) / 2, 12);
    expect(Number.isFinite(logLoss([1, 0], [0, 1]))).toBe(true);
  });

  it('ECE over 10 equal-width bins, weighted by rows', () => {
    // bin 0: |0 − 0.05|; bin 1: two rows, mean p 0.15 vs mean y 0.5; bin 9: |1 − 0.95|
    expect(expectedCalibrationError([0, 1, 0, 1], [0.05, 0.15, 0.15, 0.95])).toBeCloseTo((0.05 + 2 * 0.35 + 0.05) / 4, 12);
    // p = 1 falls in the last bin
    expect(expectedCalibrationError([1, 0], [1, 0])).toBe(0);
    expect(expectedCalibrationError([0, 0, 1, 1], [0.5, 0.5, 0.5, 0.5])).toBe(0);
  });

  it('allMetrics and fold means', () => {
    const m = allMetrics([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
    expect(m).toMatchObject({ rows: 4, positives: 2, auc: 0.75 });
    const mean = meanMetrics([m, { ...m, auc: 0.85 }]);
    expect(mean.auc).toBeCloseTo(0.8, 12);
    expect(mean.rows).toBe(8);
  });
});
