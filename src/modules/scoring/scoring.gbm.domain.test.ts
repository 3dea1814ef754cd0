import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileGbm, fitIsotonic, gbmBins, gbmMargins, trainGbm } from './scoring.gbm.domain.ts';
import { rocAuc } from './scoring.metrics.domain.ts';
import { scoreModel, trainModel, type ScoringModel } from './scoring.model.domain.ts';
import { parseModel } from './scoring.files.ts';
import { creditTable, generateCredit } from './scoring.synthetic.ts';
import { seededRng } from './scoring.rng.domain.ts';
import { subsetTable, type FeatureTable } from './scoring.table.domain.ts';

const data = generateCredit(20_000, 42);
const table = creditTable(data);
const range = (a: number, b: number) => Int32Array.from({ length: b - a }, (_, i) => a + i);
const train = subsetTable(table, range(0, 12_000));
const test = subsetTable(table, range(12_000, 20_000));
const yTrain = data.target.slice(0, 12_000);
const yTest = data.target.slice(12_000);
const trainedAt = '2026-11-23T00:00:00.000Z';

/** The same row with one feature set to `v`. */
const withValue = (t: FeatureTable, row: number, name: string, values: number[]): FeatureTable => ({
  rows: values.length,
  columns: t.columns.map((c) => {
    const src = (c as { values: Float64Array }).values[row] as number;
    return { kind: 'numeric', name: c.name, values: Float64Array.from(values, (v) => (c.name === name ? v : src)) };
  }),
});

describe('gradient-boosted trees', () => {
  const gbm = trainModel(train, yTrain, { kind: 'gbm', target: 'y', trainedAt });
  const scorecard = trainModel(train, yTrain, { kind: 'scorecard', target: 'y', trainedAt });

  it('beats the scorecard on held-out rows, and both are useful', () => {
    const aucG = rocAuc(yTest, scoreModel(gbm, test).probability);
    const aucS = rocAuc(yTest, scoreModel(scorecard, test).probability);
    expect(aucS).toBeGreaterThan(0.74);
    expect(aucG).toBeGreaterThan(aucS);
    if (gbm.kind !== 'gbm') throw new Error('kind');
    expect(gbm.gbm.training.bestRound).toBeLessThan(gbm.gbm.training.options.rounds); // early stopping acted
    // 15% of each class held out inside the training rows for early stopping and calibration.
    expect(Math.abs(gbm.gbm.training.validationRows - 1800)).toBeLessThanOrEqual(1);
  });

  it('explains each margin exactly: bias + Σ Saabas contributions', () => {
    if (gbm.kind !== 'gbm') throw new Error('kind');
    const c = compileGbm(gbm.gbm);
    const x = gbmBins(gbm.gbm, c, test);
    const contrib = new Float64Array(200 * c.p);
    const margin = gbmMargins(c, x, 200, contrib);
    let bias = c.init;
    for (const r of c.roots) bias += c.value[r]!;
    for (let i = 0; i < 200; i++) {
      let s = bias;
      for (let j = 0; j < c.p; j++) s += contrib[i * c.p + j]!;
      expect(s).toBeCloseTo(margin[i]!, 9);
    }
    // Reason codes are the largest positive contributions.
    const r = scoreModel(gbm, subsetTable(test, range(0, 200)));
    for (let i = 0; i < 200; i++) {
      const first = r.reasons[i * 3];
      if (first === undefined || first < 0) continue;
      const row = Array.from(contrib.subarray(i * c.p, (i + 1) * c.p));
      expect(row[first]).toBe(Math.max(...row));
    }
  });

  it('the compiled, binned, lock-step scorer equals a plain walk of the file\'s trees, missing values included', () => {
    if (gbm.kind !== 'gbm') throw new Error('kind');
    const r = seededRng(12);
    const holey: FeatureTable = { rows: 500, columns: test.columns.map((col) => ({ kind: 'numeric', name: col.name, values: Float64Array.from({ length: 500 }, (_, i) => (r() < 0.1 ? NaN : (col as { values: Float64Array }).values[i]!)) })) };
    const c = compileGbm(gbm.gbm);
    const margins = gbmMargins(c, gbmBins(gbm.gbm, c, holey), 500);
    for (let i = 0; i < 500; i++) {
      let m = gbm.gbm.init;
      for (const t of gbm.gbm.trees) {
        let node = 0;
        while (t.feature[node]! >= 0) {
          const v = (holey.columns[t.feature[node]!] as { values: Float64Array }).values[i]!;
          node = (Number.isNaN(v) ? t.missingLeft[node] === 1 : v <= t.threshold[node]!) ? t.left[node]! : t.right[node]!;
        }
        m += t.value[node]!;
      }
      expect(margins[i]).toBeCloseTo(m, 10);
    }
  });

  it('respects monotone constraints: raising a +1 feature never lowers the probability, a −1 feature never raises it', () => {
    // AGE has a U-shaped effect in the generator: unconstrained trees learn a dip, constrained ones may not.
    const small = subsetTable(table, range(0, 6000));
    const ys = data.target.slice(0, 6000);
    const constrained = trainModel(small, ys, { kind: 'gbm', target: 'y', trainedAt, gbm: { monotone: { AGE: 1, PAY_0: 1, LIMIT_BAL: -1 }, rounds: 120 } });
    const free = trainModel(small, ys, { kind: 'gbm', target: 'y', trainedAt, gbm: { rounds: 120 } });
    const ages = Array.from({ length: 59 }, (_, k) => 21 + k);
    const dips = (m: ScoringModel, row: number): boolean => {
      const p = scoreModel(m, withValue(test, row, 'AGE', ages), { reasons: 0 }).probability;
      for (let k = 1; k < p.length; k++) if (p[k]! < p[k - 1]! - 1e-12) return true;
      return false;
    };
    expect(Array.from({ length: 40 }, (_, row) => dips(free, row)).some(Boolean)).toBe(true);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: test.rows - 1 }),
        fc.constantFrom(['AGE', 1, 21, 79], ['PAY_0', 1, -2, 8], ['LIMIT_BAL', -1, 10_000, 1_000_000]),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (row, [name, sign, lo, hi], u, v) => {
          const a = (lo as number) + Math.min(u, v) * ((hi as number) - (lo as number));
          const b = (lo as number) + Math.max(u, v) * ((hi as number) - (lo as number));
          const p = scoreModel(constrained, withValue(test, row, name as string, [a, b]), { reasons: 0 }).probability;
          if ((sign as number) > 0) expect(p[1]!).toBeGreaterThanOrEqual(p[0]! - 1e-12);
          else expect(p[1]!).toBeLessThanOrEqual(p[0]! + 1e-12);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('calibrates: isotonic fit is a non-decreasing step function; Platt keeps the ranking', () => {
    const iso = fitIsotonic(Float64Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), Uint8Array.from([0, 1, 0, 0, 1, 1]));
    for (let k = 1; k < iso.probabilities.length; k++) expect(iso.probabilities[k]!).toBeGreaterThanOrEqual(iso.probabilities[k - 1]!);
    expect(iso.probabilities.at(-1)).toBeCloseTo(1 - 1e-4, 9);
    const m = trainModel(train, yTrain, { kind: 'gbm', target: 'y', trainedAt, gbm: { calibration: 'isotonic', rounds: 60 } });
    if (m.kind !== 'gbm') throw new Error('kind');
    expect(m.gbm.calibration.kind).toBe('isotonic');
    expect(rocAuc(yTest, scoreModel(m, test).probability)).toBeGreaterThan(0.74);
  });

  it('handles missing values and categorical columns (unseen levels follow the missing path)', () => {
    const n = 3000;
    const codes = new Int32Array(n);
    const values = new Float64Array(n);
    const y = new Uint8Array(n);
    const r = seededRng(9);
    for (let i = 0; i < n; i++) {
      codes[i] = i % 5 === 4 ? -1 : i % 4;
      values[i] = i % 7 === 0 ? NaN : Math.floor(r() * 100);
      y[i] = r() < (codes[i] === 2 ? 0.7 : Number.isNaN(values[i]!) ? 0.6 : 0.1) ? 1 : 0;
    }
    const t: FeatureTable = { rows: n, columns: [{ kind: 'categorical', name: 'segment', codes, levels: ['a', 'b', 'c', 'd'] }, { kind: 'numeric', name: 'x', values }] };
    const body = trainGbm(t, y, { rounds: 50, minDataInLeaf: 20 });
    expect(Object.keys(body.features[0]!.categories ?? {}).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(body.features[0]!.categories!.c).toBe(3); // the riskiest level is ordered last
    const m = trainModel(t, y, { kind: 'gbm', target: 'y', trainedAt, gbm: { rounds: 50, minDataInLeaf: 20 } });
    expect(m.metadata.trainingMetrics.auc).toBeGreaterThan(0.8);
    const unseen = scoreModel(m, { rows: 2, columns: [{ kind: 'categorical', name: 'segment', codes: Int32Array.from([0, 1]), levels: ['zz', 'c'] }, { kind: 'numeric', name: 'x', values: Float64Array.from([NaN, 5]) }] });
    expect(unseen.probability.every((p) => p > 0 && p < 1)).toBe(true);
  });

  it('round-trips through the model file, and refuses a corrupted one', () => {
    const text = JSON.stringify(gbm);
    const back = parseModel(text);
    expect([...scoreModel(back, test).probability]).toEqual([...scoreModel(gbm, test).probability]);
    const doc = JSON.parse(text);
    doc.gbm.trees[0].left[0] = 0; // a cycle
    expect(() => parseModel(JSON.stringify(doc))).toThrow(/not a valid Tacto scoring model/);
    expect(() => parseModel(JSON.stringify({ ...JSON.parse(text), version: 99 }))).toThrow(/not a valid/);
    const sc = parseModel(JSON.stringify(scorecard));
    expect([...scoreModel(sc, test).score]).toEqual([...scoreModel(scorecard, test).score]);
  });
});
