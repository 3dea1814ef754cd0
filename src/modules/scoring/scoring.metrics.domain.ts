/**
 * Discrimination and calibration metrics for a binary outcome (1 = the event, e.g. default) and
 * predicted probabilities of that event. Pure functions over typed arrays.
 */

const check = (y: ArrayLike<number>, p: ArrayLike<number>): void => {
  if (y.length !== p.length) throw new Error(`metrics: ${y.length} outcomes but ${p.length} predictions`);
};

const countPositives = (y: ArrayLike<number>): number => {
  let pos = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === 1) pos++;
  return pos;
};

/** Row indices ordered by prediction, ascending. */
const orderBy = (p: ArrayLike<number>): Int32Array => {
  const idx = new Int32Array(p.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  const keys = Float64Array.from(p);
  return idx.sort((a, b) => (keys[a] as number) - (keys[b] as number));
};

/** The rows ordered by prediction with the class counts; null when one class is absent. */
const ranked = (y: ArrayLike<number>, p: ArrayLike<number>): { n: number; pos: number; neg: number; order: Int32Array } | null => {
  check(y, p);
  const n = y.length;
  const pos = countPositives(y);
  const neg = n - pos;
  return pos === 0 || neg === 0 ? null : { n, pos, neg, order: orderBy(p) };
};

/**
 * ROC AUC by the Mann–Whitney statistic with average ranks for ties: the probability that a
 * random positive is ranked above a random negative, ties counting one half. NaN when one class
 * is absent.
 */
export const rocAuc = (y: ArrayLike<number>, p: ArrayLike<number>): number => {
  const r = ranked(y, p);
  if (!r) return Number.NaN;
  const { n, pos, neg, order } = r;
  let rankSumPos = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    const v = p[order[i] as number] as number;
    while (j + 1 < n && p[order[j + 1] as number] === v) j++;
    const avgRank = (i + j) / 2 + 1; // ranks are 1-based
    for (let k = i; k <= j; k++) if (y[order[k] as number] === 1) rankSumPos += avgRank;
    i = j + 1;
  }
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
};

/** Gini (accuracy ratio) = 2·AUC − 1. */
export const gini = (y: ArrayLike<number>, p: ArrayLike<number>): number => 2 * rocAuc(y, p) - 1;

/**
 * Kolmogorov–Smirnov: the largest gap between the cumulative distributions of the predictions
 * of positives and of negatives, evaluated only between distinct prediction values (tied rows
 * move together).
 */
export const ks = (y: ArrayLike<number>, p: ArrayLike<number>): number => {
  const r = ranked(y, p);
  if (!r) return Number.NaN;
  const { n, pos, neg, order } = r;
  let cumPos = 0;
  let cumNeg = 0;
  let best = 0;
  let i = 0;
  while (i < n) {
    const v = p[order[i] as number];
    while (i < n && p[order[i] as number] === v) {
      if (y[order[i] as number] === 1) cumPos++;
      else cumNeg++;
      i++;
    }
    best = Math.max(best, Math.abs(cumPos / pos - cumNeg / neg));
  }
  return best;
};

/** Brier score: mean squared error of the probabilities. */
export const brier = (y: ArrayLike<number>, p: ArrayLike<number>): number => {
  check(y, p);
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const d = (p[i] as number) - (y[i] as number);
    s += d * d;
  }
  return s / y.length;
};

/** Mean negative log-likelihood; probabilities are clipped to [1e-15, 1 − 1e-15]. */
export const logLoss = (y: ArrayLike<number>, p: ArrayLike<number>): number => {
  check(y, p);
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const q = Math.min(1 - 1e-15, Math.max(1e-15, p[i] as number));
    s -= y[i] === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return s / y.length;
};

/**
 * Expected calibration error over `bins` equal-width probability bins: Σ (n_b / n)·|mean(y_b) −
 * mean(p_b)|. A prediction of exactly 1 falls in the last bin.
 */
export const expectedCalibrationError = (y: ArrayLike<number>, p: ArrayLike<number>, bins = 10): number => {
  check(y, p);
  const cnt = new Float64Array(bins);
  const sy = new Float64Array(bins);
  const sp = new Float64Array(bins);
  for (let i = 0; i < y.length; i++) {
    const q = p[i] as number;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(q * bins)));
    cnt[b]! += 1;
    sy[b]! += y[i] as number;
    sp[b]! += q;
  }
  let e = 0;
  for (let b = 0; b < bins; b++) if ((cnt[b] as number) > 0) e += Math.abs((sy[b] as number) - (sp[b] as number));
  return e / y.length;
};

export interface Metrics {
  rows: number;
  positives: number;
  auc: number;
  gini: number;
  ks: number;
  brier: number;
  logLoss: number;
  ece: number;
}

export const allMetrics = (y: ArrayLike<number>, p: ArrayLike<number>): Metrics => {
  const auc = rocAuc(y, p);
  return {
    rows: y.length,
    positives: countPositives(y),
    auc,
    gini: 2 * auc - 1,
    ks: ks(y, p),
    brier: brier(y, p),
    logLoss: logLoss(y, p),
    ece: expectedCalibrationError(y, p, 10),
  };
};

export const METRIC_KEYS = ['auc', 'gini', 'ks', 'brier', 'logLoss', 'ece'] as const;

/** Mean of each metric over folds. */
export const meanMetrics = (folds: readonly Metrics[]): Metrics => {
  const out: Metrics = { rows: 0, positives: 0, auc: 0, gini: 0, ks: 0, brier: 0, logLoss: 0, ece: 0 };
  for (const f of folds) {
    out.rows += f.rows;
    out.positives += f.positives;
    for (const k of METRIC_KEYS) out[k] += f[k] / folds.length;
  }
  return out;
};
