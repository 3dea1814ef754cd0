/**
 * The explainable path: bins with weight of evidence per feature, selection by information value
 * (and away from near-duplicate features), logistic regression on the WoE values, points per bin
 * scaled to a base score at base odds with points to double the odds (PDO), and reason codes:
 * the features whose bin cost the most points against that feature's best bin.
 */
import { binIndexer, fitBinning, type BinningOptions, type FeatureBinning } from './scoring.binning.domain.ts';
import { fitLogistic, sigmoid } from './scoring.logistic.domain.ts';
import type { FeatureTable } from './scoring.table.domain.ts';

export interface Scaling {
  /** Score at `baseOdds`. */
  baseScore: number;
  /** Odds of non-event to event (good:bad) that score `baseScore`. */
  baseOdds: number;
  /** Points to double the odds. */
  pdo: number;
}

export const DEFAULT_SCALING: Scaling = { baseScore: 600, baseOdds: 50, pdo: 20 };

/** score = offset − factor · logit(p(event)): higher score, lower risk. */
export const scaleFactor = (s: Scaling): { factor: number; offset: number } => {
  const factor = s.pdo / Math.LN2;
  return { factor, offset: s.baseScore - factor * Math.log(s.baseOdds) };
};

export const scoreFromLogit = (logit: number, s: Scaling): number => {
  const { factor, offset } = scaleFactor(s);
  return offset - factor * logit;
};

export interface ScorecardFeature extends FeatureBinning {
  coefficient: number;
  /** Points per bin (same order as `bins`), and for a neutral value (WoE 0). */
  points: number[];
  neutralPoints: number;
}

export interface ScorecardBody {
  intercept: number;
  scaling: Scaling;
  features: ScorecardFeature[];
  /** Every candidate's information value, selected or not, with why it was left out. */
  candidates: { name: string; iv: number; selected: boolean; reason?: string }[];
}

export interface ScorecardOptions extends BinningOptions {
  /** Features below this information value are left out. */
  minIv?: number;
  /** Of two features whose WoE columns correlate above this, the one with lower IV is left out. */
  maxCorrelation?: number;
  l2?: number;
  scaling?: Scaling;
  maxFeatures?: number;
}

const pearson = (a: Float64Array, b: Float64Array): number => {
  const n = a.length;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < n; i++) {
    sa += a[i] as number;
    sb += b[i] as number;
  }
  const ma = sa / n;
  const mb = sb / n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] as number) - ma;
    const db = (b[i] as number) - mb;
    cov += da * db;
    va += da * da;
    vb += db * db;
  }
  return va === 0 || vb === 0 ? 0 : cov / Math.sqrt(va * vb);
};

const woeColumn = (b: FeatureBinning, idx: Int32Array): Float64Array => {
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const k = idx[i] as number;
    out[i] = k < 0 ? 0 : (b.bins[k]?.woe as number);
  }
  return out;
};

export const trainScorecard = (table: FeatureTable, y: Uint8Array, opts: ScorecardOptions = {}): ScorecardBody => {
  const minIv = opts.minIv ?? 0.02;
  const maxCorrelation = opts.maxCorrelation ?? 0.8;
  const scaling = opts.scaling ?? DEFAULT_SCALING;
  const n = table.rows;

  const fitted = table.columns.map((c) => {
    const binning = fitBinning(c, y, opts);
    return { binning, woe: woeColumn(binning, binIndexer(binning)(c)) };
  });
  const candidates = fitted.map((f) => ({ name: f.binning.name, iv: f.binning.iv, selected: false, reason: undefined as string | undefined }));
  const order = fitted.map((_, j) => j).sort((a, b) => (fitted[b] as (typeof fitted)[number]).binning.iv - (fitted[a] as (typeof fitted)[number]).binning.iv);
  let chosen: number[] = [];
  for (const j of order) {
    const f = fitted[j] as (typeof fitted)[number];
    const cand = candidates[j] as (typeof candidates)[number];
    if (f.binning.iv < minIv) {
      cand.reason = `information value ${f.binning.iv.toFixed(4)} < ${minIv}`;
      continue;
    }
    if (opts.maxFeatures !== undefined && chosen.length >= opts.maxFeatures) {
      cand.reason = `more than ${opts.maxFeatures} features`;
      continue;
    }
    const twin = chosen.find((k) => Math.abs(pearson(f.woe, (fitted[k] as (typeof fitted)[number]).woe)) > maxCorrelation);
    if (twin !== undefined) {
      cand.reason = `WoE correlates above ${maxCorrelation} with ${(fitted[twin] as (typeof fitted)[number]).binning.name}`;
      continue;
    }
    chosen.push(j);
  }

  // Fit; a negative coefficient on a WoE column means the feature only corrects others (its bins
  // would score backwards): drop the weakest such feature and refit.
  let fit = fitLogistic(new Float64Array(0), y, 0, { l2: opts.l2 ?? 1 });
  for (;;) {
    const p = chosen.length;
    const x = new Float64Array(n * p);
    chosen.forEach((j, c) => {
      const w = (fitted[j] as (typeof fitted)[number]).woe;
      for (let i = 0; i < n; i++) x[i * p + c] = w[i] as number;
    });
    fit = fitLogistic(x, y, p, { l2: opts.l2 ?? 1 });
    const negative = chosen.map((j, c) => ({ j, c, beta: fit.coefficients[c] as number })).filter((e) => e.beta < 0);
    if (negative.length === 0) break;
    const worst = negative.reduce((a, b) => ((fitted[a.j] as (typeof fitted)[number]).binning.iv <= (fitted[b.j] as (typeof fitted)[number]).binning.iv ? a : b));
    (candidates[worst.j] as (typeof candidates)[number]).reason = 'negative coefficient alongside the other features';
    chosen = chosen.filter((j) => j !== worst.j);
  }

  const { factor, offset } = scaleFactor(scaling);
  const m = Math.max(1, chosen.length);
  const share = (offset - factor * fit.intercept) / m;
  const features: ScorecardFeature[] = chosen.map((j, c) => {
    const b = (fitted[j] as (typeof fitted)[number]).binning;
    const beta = fit.coefficients[c] as number;
    (candidates[j] as (typeof candidates)[number]).selected = true;
    return { ...b, coefficient: beta, points: b.bins.map((bin) => share - factor * beta * bin.woe), neutralPoints: share };
  });
  return {
    intercept: fit.intercept,
    scaling,
    features,
    candidates: candidates.map((c) => (c.reason === undefined ? { name: c.name, iv: c.iv, selected: c.selected } : { name: c.name, iv: c.iv, selected: c.selected, reason: c.reason })),
  };
};

export interface Scored {
  probability: Float64Array;
  score: Float64Array;
  /** Top reasons per row, `reasonCount` per row (row-major), −1 where fewer apply; indexes `reasonNames`. */
  reasons: Int32Array;
  reasonCount: number;
  reasonNames: string[];
}

/** Scores rows; `table` columns are looked up by feature name. */
export const scoreScorecard = (model: ScorecardBody, table: FeatureTable, reasonCount = 3): Scored => {
  const n = table.rows;
  const p = model.features.length;
  const logit = new Float64Array(n).fill(model.intercept);
  const lost = new Float64Array(n * p);
  model.features.forEach((f, j) => {
    const col = table.columns.find((c) => c.name === f.name);
    if (!col) throw new Error(`scoreScorecard: no column ${f.name}`);
    const idx = binIndexer(f)(col);
    const best = Math.max(f.neutralPoints, ...f.points);
    for (let i = 0; i < n; i++) {
      const k = idx[i] as number;
      const woe = k < 0 ? 0 : (f.bins[k]?.woe as number);
      logit[i]! += f.coefficient * woe;
      lost[i * p + j] = best - (k < 0 ? f.neutralPoints : (f.points[k] as number));
    }
  });
  const probability = new Float64Array(n);
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    probability[i] = sigmoid(logit[i] as number);
    score[i] = scoreFromLogit(logit[i] as number, model.scaling);
  }
  return { probability, score, reasons: topReasons(lost, n, p, reasonCount, 1e-9), reasonCount, reasonNames: model.features.map((f) => f.name) };
};

/**
 * For each row the `k` columns with the largest values above `floor`, largest first (row-major
 * n × p input); −1 fills rows with fewer. `into` writes rows first… of a larger output.
 */
export const topReasons = (values: Float64Array, n: number, p: number, k: number, floor: number, into?: { out: Int32Array; row: number }): Int32Array => {
  const out = into?.out ?? new Int32Array(n * k);
  const first = into?.row ?? 0;
  out.fill(-1, first * k, (first + n) * k);
  const bestV = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    bestV.fill(-Infinity);
    const o = (first + i) * k;
    const off = i * p;
    for (let j = 0; j < p; j++) {
      const v = values[off + j] as number;
      if (v <= floor || v <= (bestV[k - 1] as number)) continue;
      let s = k - 1;
      while (s > 0 && v > (bestV[s - 1] as number)) {
        bestV[s] = bestV[s - 1] as number;
        out[o + s] = out[o + s - 1] as number;
        s--;
      }
      bestV[s] = v;
      out[o + s] = j;
    }
  }
  return out;
};
