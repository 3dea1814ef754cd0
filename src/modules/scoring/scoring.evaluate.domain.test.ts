import { describe, expect, it } from 'vitest';
import { crossValidate, stratifiedFolds } from './scoring.evaluate.domain.ts';
import { evaluateModel } from './scoring.model.domain.ts';
import { seededRng } from './scoring.rng.domain.ts';
import { creditTable, generateCredit } from './scoring.synthetic.ts';
import type { FeatureTable } from './scoring.table.domain.ts';

describe('cross-validation', () => {
  it('deals stratified folds: each class spread evenly, sizes within one row', () => {
    const r = seededRng(2);
    const y = Uint8Array.from({ length: 1003 }, () => (r() < 0.22 ? 1 : 0));
    const fold = stratifiedFolds(y, 5, 7);
    const size = [0, 0, 0, 0, 0];
    const pos = [0, 0, 0, 0, 0];
    fold.forEach((f, i) => {
      size[f]!++;
      pos[f]! += y[i]!;
    });
    expect(Math.max(...size) - Math.min(...size)).toBeLessThanOrEqual(1);
    expect(Math.max(...pos) - Math.min(...pos)).toBeLessThanOrEqual(1);
    expect([...stratifiedFolds(y, 5, 7)]).toEqual([...fold]); // seeded
    expect([...stratifiedFolds(y, 5, 8)]).not.toEqual([...fold]);
  });

  it('trains on the training folds only and scores every row exactly once, out of fold', () => {
    const n = 500;
    const r = seededRng(4);
    const table: FeatureTable = { rows: n, columns: [{ kind: 'numeric', name: 'rowId', values: Float64Array.from({ length: n }, (_, i) => i) }] };
    const y = Uint8Array.from({ length: n }, () => (r() < 0.3 ? 1 : 0));
    const seenInTraining: Set<number>[] = [];
    const scored: number[] = [];
    const testSizes: number[] = [];
    crossValidate(
      table,
      y,
      (train, yTrain) => {
        const ids = new Set((train.columns[0] as { values: Float64Array }).values);
        expect(yTrain.length).toBe(ids.size);
        seenInTraining.push(ids);
        return (test) => {
          const testIds = [...(test.columns[0] as { values: Float64Array }).values];
          for (const id of testIds) expect(ids.has(id)).toBe(false); // no test row was trained on
          scored.push(...testIds);
          testSizes.push(testIds.length);
          return new Float64Array(test.rows).fill(0.3);
        };
      },
      { folds: 4, seed: 3 },
    );
    expect(seenInTraining).toHaveLength(4);
    expect(scored.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    seenInTraining.forEach((ids, f) => expect(ids.size + testSizes[f]!).toBe(n));
  });

  it('finds no signal where there is none (bins, WoE, trees and calibration never see the held-out fold)', () => {
    // Real features, random outcomes: anything fitted on held-out rows would show as AUC > 0.5.
    const d = generateCredit(4000, 5);
    const r = seededRng(6);
    const y = Uint8Array.from({ length: d.rows }, () => (r() < 0.22 ? 1 : 0));
    for (const kind of ['scorecard', 'gbm'] as const) {
      const cv = evaluateModel(creditTable(d), y, { kind, folds: 3, seed: 1, scorecard: { minIv: 0 } });
      expect(Math.abs(cv.mean.auc - 0.5)).toBeLessThan(0.04);
    }
  });

  it('reports per-fold and mean metrics on UCI-like data for both model kinds', () => {
    const d = generateCredit(8000, 8);
    const sc = evaluateModel(creditTable(d), d.target, { kind: 'scorecard', folds: 3, seed: 1 });
    const gb = evaluateModel(creditTable(d), d.target, { kind: 'gbm', folds: 3, seed: 1 });
    for (const cv of [sc, gb]) {
      expect(cv.perFold).toHaveLength(3);
      expect(cv.mean.rows).toBe(8000);
      expect(cv.mean.auc).toBeGreaterThan(0.74);
      expect(cv.mean.gini).toBeCloseTo(2 * cv.mean.auc - 1, 9);
      expect(cv.mean.ece).toBeLessThan(0.04);
      expect(cv.std.auc).toBeLessThan(0.03);
    }
  });
});
