/**
 * Stratified k-fold cross-validation with a seeded shuffle. The trainer sees only the training
 * folds' rows (bins, WoE, trees, calibration are all fitted inside it); the held-out fold is
 * scored by what it returned and measured.
 */
import { allMetrics, meanMetrics, METRIC_KEYS, type Metrics } from './scoring.metrics.domain.ts';
import { seededRng } from './scoring.rng.domain.ts';
import { subsetTable, subsetTarget, type FeatureTable } from './scoring.table.domain.ts';

/** Fold number (0…k−1) per row; each class is dealt round-robin after a seeded shuffle. */
export const stratifiedFolds = (y: Uint8Array, k: number, seed: number): Int32Array => {
  if (!Number.isInteger(k) || k < 2) throw new Error('stratifiedFolds: k must be an integer ≥ 2');
  const rng = seededRng(seed);
  const fold = new Int32Array(y.length);
  let offset = 0;
  for (const cls of [0, 1]) {
    const rows: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] === cls) rows.push(i);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      const t = rows[i] as number;
      rows[i] = rows[j] as number;
      rows[j] = t;
    }
    rows.forEach((r, n) => (fold[r] = (offset + n) % k));
    // The second class continues the round-robin so fold sizes differ by at most one.
    offset = (offset + rows.length) % k;
  }
  return fold;
};

/** Fits on the training rows, returns the function that scores other rows (probabilities). */
export type Trainer = (train: FeatureTable, y: Uint8Array) => (test: FeatureTable) => Float64Array;

export interface CrossValidation {
  folds: number;
  seed: number;
  perFold: Metrics[];
  mean: Metrics;
  /** Standard deviation of each metric across folds. */
  std: Record<(typeof METRIC_KEYS)[number], number>;
}

export const crossValidate = (table: FeatureTable, y: Uint8Array, trainer: Trainer, opts: { folds?: number; seed?: number } = {}): CrossValidation => {
  const k = opts.folds ?? 5;
  const seed = opts.seed ?? 1;
  if (y.length !== table.rows) throw new Error('crossValidate: target and table differ in rows');
  const fold = stratifiedFolds(y, k, seed);
  const perFold: Metrics[] = [];
  for (let f = 0; f < k; f++) {
    const trainIdx: number[] = [];
    const testIdx: number[] = [];
    for (let i = 0; i < y.length; i++) (fold[i] === f ? testIdx : trainIdx).push(i);
    const tr = Int32Array.from(trainIdx);
    const te = Int32Array.from(testIdx);
    const score = trainer(subsetTable(table, tr), subsetTarget(y, tr));
    perFold.push(allMetrics(subsetTarget(y, te), score(subsetTable(table, te))));
  }
  const mean = meanMetrics(perFold);
  const std = Object.fromEntries(METRIC_KEYS.map((key) => [key, Math.sqrt(perFold.reduce((s, m) => s + (m[key] - mean[key]) ** 2, 0) / perFold.length)])) as CrossValidation['std'];
  return { folds: k, seed, perFold, mean, std };
};
