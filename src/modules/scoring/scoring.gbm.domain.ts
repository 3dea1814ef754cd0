/**
 * Gradient-boosted trees for a binary outcome, histogram based (LightGBM-style):
 * features pre-binned once (≤ maxBins per feature, bin 0 = missing) into a row-major Uint8Array;
 * logistic loss with Newton leaf values and L2 on leaves; leaf-wise growth (best gain first) up
 * to `maxLeaves` and `maxDepth`; histogram subtraction (the larger child = parent − smaller);
 * shrinkage; row and column subsampling per tree; min child weight (hessian) and min rows per
 * leaf; the missing-value direction learned per split; early stopping on an inner validation
 * split of the training rows; monotone constraints per feature (XGBoost's method: a split must
 * order its children's values, and children inherit bounds at the midpoint, so the whole
 * ensemble is monotone); Saabas (path) contributions per score; optional Platt or isotonic
 * calibration fitted on the inner validation split — training rows only.
 *
 * Categorical columns become ordered codes: levels sorted by their (smoothed) event rate on the
 * training rows, rare levels pooled; a level unseen in training follows the missing direction.
 */
import { allMetrics, type Metrics } from './scoring.metrics.domain.ts';
import { fitLogistic, sigmoid } from './scoring.logistic.domain.ts';
import { seededRng, type Rng } from './scoring.rng.domain.ts';
import type { Column, FeatureTable } from './scoring.table.domain.ts';

export type Calibration = { kind: 'none' } | { kind: 'platt'; a: number; b: number } | { kind: 'isotonic'; margins: number[]; probabilities: number[] };

export interface GbmFeature {
  name: string;
  kind: Column['kind'];
  /** Categorical: level → ordered code (unseen levels are missing). */
  categories?: Record<string, number>;
  /** +1: the probability never falls as the value rises; −1: never rises; 0: free. */
  monotone: -1 | 0 | 1;
  /** Total split gain (importance). */
  gain: number;
}

/** One tree in flat arrays; `feature[k] === -1` marks a leaf. Values include the learning rate. */
export interface GbmTree {
  feature: number[];
  /** Go left when value ≤ threshold. */
  threshold: number[];
  /** 1: missing values go left. */
  missingLeft: number[];
  left: number[];
  right: number[];
  /** Node value (leaves: the prediction; inner nodes: the Newton value there, for contributions). */
  value: number[];
}

export interface GbmBody {
  init: number;
  learningRate: number;
  features: GbmFeature[];
  trees: GbmTree[];
  calibration: Calibration;
  training: { rounds: number; bestRound: number; validationRows: number; validation: Metrics | null; options: Required<Omit<GbmOptions, 'monotone'>> & { monotone: Record<string, number> } };
}

export interface GbmOptions {
  rounds?: number;
  learningRate?: number;
  maxLeaves?: number;
  maxDepth?: number;
  minChildWeight?: number;
  minDataInLeaf?: number;
  l2?: number;
  rowSample?: number;
  colSample?: number;
  maxBins?: number;
  earlyStoppingRounds?: number;
  /** Share of training rows held out (stratified) for early stopping and calibration; 0 = none. */
  validationShare?: number;
  monotone?: Record<string, number>;
  calibration?: 'none' | 'platt' | 'isotonic';
  seed?: number;
}

export const GBM_DEFAULTS: Required<Omit<GbmOptions, 'monotone'>> = {
  rounds: 600,
  learningRate: 0.15,
  maxLeaves: 31,
  maxDepth: 6,
  minChildWeight: 5,
  minDataInLeaf: 60,
  l2: 5,
  rowSample: 0.8,
  colSample: 0.8,
  maxBins: 128,
  earlyStoppingRounds: 30,
  validationShare: 0.15,
  calibration: 'platt',
  seed: 1,
};

// ——— feature preparation ———————————————————————————————————————————————

/** Raw column → numbers the trees split on (categorical → ordered codes, NaN = missing). */
const numericView = (col: Column, categories: Record<string, number> | undefined): Float64Array => {
  if (col.kind === 'numeric') return col.values;
  const perCode = col.levels.map((l) => categories?.[l] ?? Number.NaN);
  const out = new Float64Array(col.codes.length);
  for (let i = 0; i < out.length; i++) {
    const c = col.codes[i] as number;
    out[i] = c < 0 ? Number.NaN : (perCode[c] as number);
  }
  return out;
};

const orderCategories = (col: Column & { kind: 'categorical' }, y: Uint8Array, minRows: number, learning: Int32Array): Record<string, number> => {
  const rows = new Float64Array(col.levels.length);
  const events = new Float64Array(col.levels.length);
  let total = 0;
  for (let k = 0; k < learning.length; k++) {
    const i = learning[k] as number;
    const c = col.codes[i] as number;
    total += y[i] as number;
    if (c < 0) continue;
    rows[c]! += 1;
    events[c]! += y[i] as number;
  }
  const prior = total / Math.max(1, learning.length);
  const rare: string[] = [];
  let rareRows = 0;
  let rareEvents = 0;
  const common: { level: string; rate: number }[] = [];
  col.levels.forEach((level, c) => {
    if ((rows[c] as number) === 0) return;
    if ((rows[c] as number) < minRows) {
      rare.push(level);
      rareRows += rows[c] as number;
      rareEvents += events[c] as number;
    } else common.push({ level, rate: ((events[c] as number) + 10 * prior) / ((rows[c] as number) + 10) });
  });
  const rareRate = (rareEvents + 10 * prior) / (rareRows + 10);
  const ordered = [...common.map((e) => ({ levels: [e.level], rate: e.rate })), ...(rare.length ? [{ levels: rare, rate: rareRate }] : [])].sort((a, b) => a.rate - b.rate);
  const out: Record<string, number> = {};
  ordered.forEach((g, k) => g.levels.forEach((l) => (out[l] = k)));
  return out;
};

/** Upper edges of the value bins (bin b ≥ 1 holds values ≤ edges[b − 1]; the last bin the rest). */
const binEdges = (values: Float64Array, maxBins: number): Float64Array => {
  let m = 0;
  const sorted = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i] as number)) sorted[m++] = values[i] as number;
  const s = sorted.subarray(0, m).sort();
  const distinct: number[] = [];
  for (let i = 0; i < m; i++) if (i === 0 || s[i] !== s[i - 1]) distinct.push(s[i] as number);
  const slots = maxBins - 1; // bin 0 is missing
  if (distinct.length <= slots) return Float64Array.from(distinct.slice(0, -1));
  const edges: number[] = [];
  for (let q = 1; q < slots; q++) {
    const v = s[Math.min(m - 1, Math.floor((q * m) / slots))] as number;
    if (edges.length === 0 || v > (edges[edges.length - 1] as number)) edges.push(v);
  }
  if (edges[edges.length - 1] === s[m - 1]) edges.pop();
  return Float64Array.from(edges);
};

const binOf = (v: number, edges: Float64Array): number => {
  if (Number.isNaN(v)) return 0;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v <= (edges[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo + 1;
};

// ——— tree growth ————————————————————————————————————————————————————

interface Leaf {
  node: number;
  start: number;
  end: number;
  depth: number;
  hist: Float64Array;
  g: number;
  h: number;
  lo: number;
  hi: number;
  /** Best split found: gain ≤ 0 = none. */
  gain: number;
  feature: number;
  bin: number;
  missingLeft: boolean;
  wl: number;
  wr: number;
}

interface Grower {
  p: number;
  bins: Uint8Array;
  nBins: Int32Array;
  offset: Int32Array;
  mono: Int8Array;
  opt: Required<Omit<GbmOptions, 'monotone'>>;
  grad: Float64Array;
  hess: Float64Array;
  idx: Int32Array;
  tmp: Int32Array;
  pool: Float64Array[];
  histSize: number;
  gains: Float64Array;
}

const clamp = (w: number, lo: number, hi: number): number => (w < lo ? lo : w > hi ? hi : w);

const buildHist = (gr: Grower, hist: Float64Array, start: number, end: number, active: Int32Array): void => {
  hist.fill(0);
  const { bins, grad, hess, idx, offset, p } = gr;
  const na = active.length;
  for (let k = start; k < end; k++) {
    const i = idx[k] as number;
    const gi = grad[i] as number;
    const hi = hess[i] as number;
    const base = i * p;
    for (let a = 0; a < na; a++) {
      const f = active[a] as number;
      const o = ((offset[f] as number) + (bins[base + f] as number)) * 3;
      hist[o] = (hist[o] as number) + gi;
      hist[o + 1] = (hist[o + 1] as number) + hi;
      hist[o + 2] = (hist[o + 2] as number) + 1;
    }
  }
};

const findSplit = (gr: Grower, leaf: Leaf, active: Int32Array): void => {
  const { hist } = leaf;
  const { l2, minChildWeight, minDataInLeaf } = gr.opt;
  const G = leaf.g;
  const H = leaf.h;
  const C = leaf.end - leaf.start;
  const wp = clamp(-G / (H + l2), leaf.lo, leaf.hi);
  const parentObj = G * wp + 0.5 * (H + l2) * wp * wp;
  leaf.gain = 0;
  for (let a = 0; a < active.length; a++) {
    const f = active[a] as number;
    const nb = gr.nBins[f] as number;
    if (nb < 3) continue; // missing + one value: nothing to split
    const o = (gr.offset[f] as number) * 3;
    const gm = hist[o] as number;
    const hm = hist[o + 1] as number;
    const cm = hist[o + 2] as number;
    const mono = gr.mono[f] as number;
    let gl = 0;
    let hl = 0;
    let cl = 0;
    for (let b = 1; b < nb - 1; b++) {
      const ob = o + b * 3;
      gl += hist[ob] as number;
      hl += hist[ob + 1] as number;
      cl += hist[ob + 2] as number;
      for (let dir = 0; dir < 2; dir++) {
        if (dir === 1 && cm === 0) break;
        const GL = dir === 1 ? gl + gm : gl;
        const HL = dir === 1 ? hl + hm : hl;
        const CL = dir === 1 ? cl + cm : cl;
        const CR = C - CL;
        if (CL < minDataInLeaf || CR < minDataInLeaf) continue;
        const HR = H - HL;
        if (HL < minChildWeight || HR < minChildWeight) continue;
        const GR = G - GL;
        const wl = clamp(-GL / (HL + l2), leaf.lo, leaf.hi);
        const wr = clamp(-GR / (HR + l2), leaf.lo, leaf.hi);
        if ((mono > 0 && wl > wr) || (mono < 0 && wl < wr)) continue;
        const gain = parentObj - (GL * wl + 0.5 * (HL + l2) * wl * wl) - (GR * wr + 0.5 * (HR + l2) * wr * wr);
        if (gain > leaf.gain + 1e-12) {
          leaf.gain = gain;
          leaf.feature = f;
          leaf.bin = b;
          leaf.missingLeft = dir === 1;
          leaf.wl = wl;
          leaf.wr = wr;
        }
      }
    }
  }
};

interface BinTree {
  feature: Int32Array;
  bin: Int32Array;
  missingLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
  size: number;
}

const growTree = (gr: Grower, sampleCount: number, active: Int32Array): BinTree => {
  const { opt } = gr;
  const maxNodes = 2 * opt.maxLeaves - 1;
  const t: BinTree = { feature: new Int32Array(maxNodes).fill(-1), bin: new Int32Array(maxNodes), missingLeft: new Uint8Array(maxNodes), left: new Int32Array(maxNodes).fill(-1), right: new Int32Array(maxNodes).fill(-1), value: new Float64Array(maxNodes), size: 1 };
  const take = (): Float64Array => gr.pool.pop() ?? new Float64Array(gr.histSize);
  const rootHist = take();
  buildHist(gr, rootHist, 0, sampleCount, active);
  let G = 0;
  let H = 0;
  const f0 = active[0] as number;
  for (let b = 0; b < (gr.nBins[f0] as number); b++) {
    const o = ((gr.offset[f0] as number) + b) * 3;
    G += rootHist[o] as number;
    H += rootHist[o + 1] as number;
  }
  const root: Leaf = { node: 0, start: 0, end: sampleCount, depth: 0, hist: rootHist, g: G, h: H, lo: -Infinity, hi: Infinity, gain: 0, feature: -1, bin: 0, missingLeft: false, wl: 0, wr: 0 };
  t.value[0] = -G / (H + opt.l2);
  findSplit(gr, root, active);
  const leaves: Leaf[] = [root];
  while (leaves.length < opt.maxLeaves) {
    let pick = -1;
    for (let k = 0; k < leaves.length; k++) {
      const l = leaves[k] as Leaf;
      if (l.gain > 0 && l.depth < opt.maxDepth && (pick === -1 || l.gain > (leaves[pick] as Leaf).gain)) pick = k;
    }
    if (pick === -1) break;
    const leaf = leaves[pick] as Leaf;
    const f = leaf.feature;
    // Stable partition of the leaf's rows.
    const { idx, tmp, bins, p } = gr;
    let nl = leaf.start;
    let nr = 0;
    const thr = leaf.bin;
    const missLeft = leaf.missingLeft;
    for (let k = leaf.start; k < leaf.end; k++) {
      const i = idx[k] as number;
      const b = bins[i * p + f] as number;
      if (b === 0 ? missLeft : b <= thr) idx[nl++] = i;
      else tmp[nr++] = i;
    }
    for (let k = 0; k < nr; k++) idx[nl + k] = tmp[k] as number;
    const mid = nl;
    const leftNode = t.size++;
    const rightNode = t.size++;
    t.feature[leaf.node] = f;
    t.bin[leaf.node] = thr;
    t.missingLeft[leaf.node] = missLeft ? 1 : 0;
    t.left[leaf.node] = leftNode;
    t.right[leaf.node] = rightNode;
    t.value[leftNode] = leaf.wl;
    t.value[rightNode] = leaf.wr;
    gr.gains[f]! += leaf.gain;
    const mono = gr.mono[f] as number;
    const m = (leaf.wl + leaf.wr) / 2;
    const lBounds = mono > 0 ? [leaf.lo, m] : mono < 0 ? [m, leaf.hi] : [leaf.lo, leaf.hi];
    const rBounds = mono > 0 ? [m, leaf.hi] : mono < 0 ? [leaf.lo, m] : [leaf.lo, leaf.hi];
    // Histogram of the smaller child by a scan, the larger by subtraction (in the parent's buffer).
    const leftSmaller = mid - leaf.start <= leaf.end - mid;
    const small = take();
    if (leftSmaller) buildHist(gr, small, leaf.start, mid, active);
    else buildHist(gr, small, mid, leaf.end, active);
    const big = leaf.hist;
    for (let k = 0; k < big.length; k++) big[k] = (big[k] as number) - (small[k] as number);
    const sums = (hh: Float64Array): [number, number] => {
      let g = 0;
      let h = 0;
      for (let b = 0; b < (gr.nBins[f] as number); b++) {
        const o = ((gr.offset[f] as number) + b) * 3;
        g += hh[o] as number;
        h += hh[o + 1] as number;
      }
      return [g, h];
    };
    const lh = leftSmaller ? small : big;
    const rh = leftSmaller ? big : small;
    const [lg, lhs] = sums(lh);
    const [rg, rhs] = sums(rh);
    const L: Leaf = { node: leftNode, start: leaf.start, end: mid, depth: leaf.depth + 1, hist: lh, g: lg, h: lhs, lo: lBounds[0] as number, hi: lBounds[1] as number, gain: 0, feature: -1, bin: 0, missingLeft: false, wl: 0, wr: 0 };
    const R: Leaf = { node: rightNode, start: mid, end: leaf.end, depth: leaf.depth + 1, hist: rh, g: rg, h: rhs, lo: rBounds[0] as number, hi: rBounds[1] as number, gain: 0, feature: -1, bin: 0, missingLeft: false, wl: 0, wr: 0 };
    findSplit(gr, L, active);
    findSplit(gr, R, active);
    leaves.splice(pick, 1, L, R);
  }
  for (const l of leaves) gr.pool.push(l.hist);
  // Shrinkage on every node value (inner values serve the contributions).
  for (let k = 0; k < t.size; k++) t.value[k] = (t.value[k] as number) * opt.learningRate;
  return t;
};

const predictBinned = (t: BinTree, bins: Uint8Array, p: number, i: number): number => {
  let node = 0;
  for (;;) {
    const f = t.feature[node] as number;
    if (f < 0) return t.value[node] as number;
    const b = bins[i * p + f] as number;
    node = (b === 0 ? t.missingLeft[node] === 1 : b <= (t.bin[node] as number)) ? (t.left[node] as number) : (t.right[node] as number);
  }
};

const logLossOf = (y: Uint8Array, margin: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const m = margin[i] as number;
    // log(1 + e^m) − y·m, stable
    s += (m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m))) - (y[i] as number) * m;
  }
  return s / Math.max(1, y.length);
};

/** Stratified split: a share of each class, chosen by a seeded shuffle. */
export const stratifiedHoldout = (y: Uint8Array, share: number, rng: Rng): { train: Int32Array; holdout: Int32Array } => {
  const byClass: number[][] = [[], []];
  for (let i = 0; i < y.length; i++) (byClass[y[i] as number] as number[]).push(i);
  const train: number[] = [];
  const holdout: number[] = [];
  for (const rows of byClass) {
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      const t = rows[i] as number;
      rows[i] = rows[j] as number;
      rows[j] = t;
    }
    const h = Math.round(rows.length * share);
    holdout.push(...rows.slice(0, h));
    train.push(...rows.slice(h));
  }
  return { train: Int32Array.from(train.sort((a, b) => a - b)), holdout: Int32Array.from(holdout.sort((a, b) => a - b)) };
};

/** Pool-adjacent-violators on outcomes sorted by margin: a non-decreasing step function. */
export const fitIsotonic = (margin: Float64Array, y: Uint8Array): { margins: number[]; probabilities: number[] } => {
  const order = Array.from(margin.keys()).sort((a, b) => (margin[a] as number) - (margin[b] as number));
  const blocks: { sum: number; n: number; upper: number }[] = [];
  for (const i of order) {
    blocks.push({ sum: y[i] as number, n: 1, upper: margin[i] as number });
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1] as (typeof blocks)[number];
      const a = blocks[blocks.length - 2] as (typeof blocks)[number];
      if (a.sum / a.n < b.sum / b.n && a.upper !== b.upper) break;
      blocks.splice(blocks.length - 2, 2, { sum: a.sum + b.sum, n: a.n + b.n, upper: b.upper });
    }
  }
  return { margins: blocks.map((b) => b.upper), probabilities: blocks.map((b) => Math.min(1 - 1e-4, Math.max(1e-4, b.sum / b.n))) };
};

export const calibrate = (c: Calibration, margin: number): number => {
  if (c.kind === 'none') return sigmoid(margin);
  if (c.kind === 'platt') return sigmoid(c.a * margin + c.b);
  const xs = c.margins;
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (margin <= (xs[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return c.probabilities[lo] as number;
};

export const trainGbm = (table: FeatureTable, y: Uint8Array, options: GbmOptions = {}): GbmBody => {
  const opt = { ...GBM_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as Required<Omit<GbmOptions, 'monotone'>> & { monotone?: Record<string, number> };
  if (opt.maxBins > 256 || opt.maxBins < 3) throw new Error('trainGbm: maxBins must be 3–256');
  const rng = seededRng(opt.seed);
  const n = table.rows;
  const p = table.columns.length;
  const monotone = opt.monotone ?? {};
  for (const name of Object.keys(monotone)) if (!table.columns.some((c) => c.name === name)) throw new Error(`trainGbm: monotone constraint on unknown feature ${name}`);

  // Split rows: inner validation (early stopping, calibration) vs rows the trees learn from.
  const all = new Int32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  const split = opt.validationShare > 0 ? stratifiedHoldout(y, opt.validationShare, rng) : { train: all, holdout: new Int32Array(0) };
  const trainRows = split.train;
  const valRows = split.holdout;

  // Category orders and bin edges come from the learning rows only.
  const features: GbmFeature[] = table.columns.map((c) => {
    const m = Math.sign(monotone[c.name] ?? 0) as -1 | 0 | 1;
    return c.kind === 'categorical' ? { name: c.name, kind: c.kind, categories: orderCategories(c, y, opt.minDataInLeaf, trainRows), monotone: m, gain: 0 } : { name: c.name, kind: c.kind, monotone: m, gain: 0 };
  });
  const views = table.columns.map((c, f) => numericView(c, (features[f] as GbmFeature).categories));
  const nt = trainRows.length;
  const nv = valRows.length;

  const edges = views.map((v) => {
    const sub = new Float64Array(nt);
    for (let k = 0; k < nt; k++) sub[k] = v[trainRows[k] as number] as number;
    return binEdges(sub, opt.maxBins);
  });
  const nBins = Int32Array.from(edges.map((e) => e.length + 2));
  const offset = new Int32Array(p);
  for (let f = 1; f < p; f++) offset[f] = (offset[f - 1] as number) + (nBins[f - 1] as number);
  const histSize = ((offset[p - 1] ?? 0) + (nBins[p - 1] ?? 0)) * 3;
  const binRows = (rows: Int32Array): Uint8Array => {
    const out = new Uint8Array(rows.length * p);
    for (let f = 0; f < p; f++) {
      const v = views[f] as Float64Array;
      const e = edges[f] as Float64Array;
      for (let k = 0; k < rows.length; k++) out[k * p + f] = binOf(v[rows[k] as number] as number, e);
    }
    return out;
  };
  const bins = binRows(trainRows);
  const vbins = binRows(valRows);
  const yt = new Uint8Array(nt);
  for (let k = 0; k < nt; k++) yt[k] = y[trainRows[k] as number] as number;
  const yv = new Uint8Array(nv);
  for (let k = 0; k < nv; k++) yv[k] = y[valRows[k] as number] as number;

  let pos = 0;
  for (let k = 0; k < nt; k++) pos += yt[k] as number;
  const base = Math.min(1 - 1e-6, Math.max(1e-6, pos / Math.max(1, nt)));
  const init = Math.log(base / (1 - base));
  const margin = new Float64Array(nt).fill(init);
  const vmargin = new Float64Array(nv).fill(init);

  const gr: Grower = { p, bins, nBins, offset, mono: Int8Array.from(features.map((f) => f.monotone)), opt, grad: new Float64Array(nt), hess: new Float64Array(nt), idx: new Int32Array(nt), tmp: new Int32Array(nt), pool: [], histSize, gains: new Float64Array(p) };
  const trees: BinTree[] = [];
  let best = Infinity;
  let bestRound = 0;
  const colCount = Math.max(1, Math.round(opt.colSample * p));
  const order = new Int32Array(p);
  for (let round = 0; round < opt.rounds; round++) {
    for (let i = 0; i < nt; i++) {
      const q = sigmoid(margin[i] as number);
      gr.grad[i] = q - (yt[i] as number);
      gr.hess[i] = Math.max(q * (1 - q), 1e-16);
    }
    let count = 0;
    if (opt.rowSample < 1) {
      for (let i = 0; i < nt; i++) if (rng() < opt.rowSample) gr.idx[count++] = i;
    } else for (let i = 0; i < nt; i++) gr.idx[count++] = i;
    for (let f = 0; f < p; f++) order[f] = f;
    for (let f = p - 1; f > 0; f--) {
      const j = Math.floor(rng() * (f + 1));
      const t = order[f] as number;
      order[f] = order[j] as number;
      order[j] = t;
    }
    const active = order.slice(0, colCount).sort();
    const tree = growTree(gr, count, active);
    trees.push(tree);
    for (let i = 0; i < nt; i++) margin[i]! += predictBinned(tree, bins, p, i);
    if (nv > 0) {
      for (let i = 0; i < nv; i++) vmargin[i]! += predictBinned(tree, vbins, p, i);
      const loss = logLossOf(yv, vmargin);
      if (loss < best - 1e-7) {
        best = loss;
        bestRound = round + 1;
      } else if (round + 1 - bestRound >= opt.earlyStoppingRounds) break;
    } else bestRound = round + 1;
  }
  const kept = trees.slice(0, bestRound);

  const flat: GbmTree[] = kept.map((t) => {
    const out: GbmTree = { feature: [], threshold: [], missingLeft: [], left: [], right: [], value: [] };
    for (let k = 0; k < t.size; k++) {
      const f = t.feature[k] as number;
      out.feature.push(f);
      out.threshold.push(f < 0 ? 0 : ((edges[f] as Float64Array)[(t.bin[k] as number) - 1] as number));
      out.missingLeft.push(t.missingLeft[k] as number);
      out.left.push(t.left[k] as number);
      out.right.push(t.right[k] as number);
      out.value.push(t.value[k] as number);
    }
    return out;
  });
  features.forEach((f, j) => (f.gain = gr.gains[j] as number));

  // Validation margins of the kept trees, then calibration on them.
  const vm = new Float64Array(nv).fill(init);
  for (const t of kept) for (let i = 0; i < nv; i++) vm[i]! += predictBinned(t, vbins, p, i);
  let calibration: Calibration = { kind: 'none' };
  if (opt.calibration !== 'none') {
    if (nv === 0) throw new Error('trainGbm: calibration needs a validation share above 0');
    if (opt.calibration === 'platt') {
      const fit = fitLogistic(vm, yv, 1, { l2: 0 });
      calibration = { kind: 'platt', a: fit.coefficients[0] as number, b: fit.intercept };
    } else calibration = { kind: 'isotonic', ...fitIsotonic(vm, yv) };
  }
  const vp = new Float64Array(nv);
  for (let i = 0; i < nv; i++) vp[i] = calibrate(calibration, vm[i] as number);
  return {
    init,
    learningRate: opt.learningRate,
    features,
    trees: flat,
    calibration,
    training: { rounds: trees.length, bestRound, validationRows: nv, validation: nv > 0 ? allMetrics(yv, vp) : null, options: { ...opt, monotone } as GbmBody['training']['options'] },
  };
};

// ——— scoring ————————————————————————————————————————————————————————

/**
 * A model compiled for scoring. Inputs are first binned against the thresholds the trees use
 * (per feature, bin 0 = missing, bin b ≥ 1 = above b − 1 of the sorted thresholds), so one step
 * of a walk is integer work on one packed word per node:
 *   word = cut | shift << 8 | feature << 16, right child = left + 1,
 *   go right ⇔ ((bin + shift) & 255) > cut.
 * shift 0 sends missing (bin 0) left; shift 255 turns bin 0 into 255 (right) and every other bin
 * into bin − 1 (with cut − 1, the same test). Leaves loop onto themselves (cut 255: never right),
 * so every row takes exactly `depth[t]` steps in tree t and the rows of a block walk a tree in
 * lock-step without branches: the CPU overlaps many independent walks.
 */
export interface CompiledGbm {
  p: number;
  init: number;
  /** Per node: [packed word, left child] (interleaved: one cache line holds both). */
  nodes: Int32Array;
  value: Float64Array;
  roots: Int32Array;
  depth: Int32Array;
  /** Per feature, the sorted distinct thresholds its splits use. */
  cuts: Float64Array[];
  /**
   * Saabas contributions depend only on the leaf a row reaches: leaf j of tree t holds its path's
   * (feature, summed value change) pairs at pathFeature/pathDelta[pathStart[j] …], exactly
   * depth[t] entries (padded with feature 0, change 0) so the adding loop has a fixed length.
   */
  pathStart: Int32Array;
  pathFeature: Int32Array;
  pathDelta: Float64Array;
}

export const compileGbm = (m: GbmBody): CompiledGbm => {
  const p = m.features.length;
  if (p >= 1 << 15) throw new Error('compileGbm: too many features');
  const total = m.trees.reduce((s, t) => s + t.feature.length, 0);
  const perFeature: Set<number>[] = m.features.map(() => new Set<number>());
  for (const t of m.trees) t.feature.forEach((f, j) => f >= 0 && perFeature[f]?.add(t.threshold[j] as number));
  const cuts = perFeature.map((set) => Float64Array.from(set).sort());
  cuts.forEach((c, f) => {
    if (c.length > 253) throw new Error(`compileGbm: feature ${m.features[f]?.name} has more than 253 split thresholds`);
  });
  const c: CompiledGbm = { p, init: m.init, nodes: new Int32Array(total * 2), value: new Float64Array(total), roots: new Int32Array(m.trees.length), depth: new Int32Array(m.trees.length), cuts, pathStart: new Int32Array(total + 1), pathFeature: new Int32Array(0), pathDelta: new Float64Array(0) };
  const paths: [number, number][][] = new Array(total);
  let at = 0;
  m.trees.forEach((t, k) => {
    c.roots[k] = at;
    const depthOf = (j: number): number => ((t.feature[j] as number) < 0 ? 0 : 1 + Math.max(depthOf(t.left[j] as number), depthOf(t.right[j] as number)));
    c.depth[k] = depthOf(0);
    for (let j = 0; j < t.feature.length; j++) {
      const f = t.feature[j] as number;
      c.value[at + j] = t.value[j] as number;
      if (f < 0) {
        c.nodes[(at + j) * 2] = 255;
        c.nodes[(at + j) * 2 + 1] = at + j;
        continue;
      }
      if (t.right[j] !== (t.left[j] as number) + 1) throw new Error('compileGbm: a right child must follow its left sibling');
      // v ≤ cuts[f][i] ⇔ bin(v) ≤ i + 1
      const bin = (cuts[f] as Float64Array).indexOf(t.threshold[j] as number) + 1;
      const missingRight = t.missingLeft[j] !== 1;
      c.nodes[(at + j) * 2] = (missingRight ? bin - 1 : bin) | ((missingRight ? 255 : 0) << 8) | (f << 16);
      c.nodes[(at + j) * 2 + 1] = at + (t.left[j] as number);
    }
    // Each leaf's path: (feature, value change) per split, summed per feature.
    const walk = (j: number, path: Map<number, number>): void => {
      const f = t.feature[j] as number;
      if (f < 0) {
        paths[at + j] = [...path.entries()];
        return;
      }
      for (const child of [t.left[j] as number, t.right[j] as number]) {
        const next = new Map(path);
        next.set(f, (next.get(f) ?? 0) + (t.value[child] as number) - (t.value[j] as number));
        walk(child, next);
      }
    };
    walk(0, new Map());
    at += t.feature.length;
  });
  let size = 0;
  const depthOfNode = new Int32Array(total);
  m.trees.forEach((t, k) => depthOfNode.fill(c.depth[k] as number, c.roots[k] as number, (c.roots[k] as number) + t.feature.length));
  for (let j = 0; j < total; j++) {
    c.pathStart[j] = size;
    if (paths[j]) size += depthOfNode[j] as number;
  }
  c.pathStart[total] = size;
  c.pathFeature = new Int32Array(size);
  c.pathDelta = new Float64Array(size);
  for (let j = 0; j < total; j++) {
    (paths[j] ?? []).forEach(([f, delta], k) => {
      c.pathFeature[(c.pathStart[j] as number) + k] = f;
      c.pathDelta[(c.pathStart[j] as number) + k] = delta;
    });
  }
  return c;
};

/** Row-major n × p bins of the model's features against the compiled cuts (0 = missing). */
export const gbmBins = (m: GbmBody, c: CompiledGbm, table: FeatureTable): Uint8Array => {
  const p = m.features.length;
  const n = table.rows;
  const out = new Uint8Array(n * p);
  m.features.forEach((f, j) => {
    const col = table.columns.find((x) => x.name === f.name);
    if (!col) throw new Error(`gbmBins: no column ${f.name}`);
    const v = numericView(col, f.categories);
    // Branch-free search: cuts padded with +∞ to a power of two; `at` = how many cuts are < x.
    const cuts = c.cuts[j] as Float64Array;
    let size = 1;
    while (size < cuts.length + 1) size <<= 1;
    const pad = new Float64Array(size).fill(Infinity);
    pad.set(cuts);
    for (let i = 0; i < n; i++) {
      const x = v[i] as number;
      let at = 0;
      for (let step = size >> 1; step > 0; step >>= 1) at += +((pad[at + step - 1] as number) < x) * step;
      const b = x === x ? at + 1 : 0;
      out[i * p + j] = b;
    }
  });
  return out;
};

const BLOCK = 64;

/**
 * Margins (log-odds before calibration) for binned rows; with `contributions` (n × p, zeroed by
 * the caller) also each feature's Saabas contribution: margin = bias + Σ contributions, where
 * bias = init + Σ root values. With `onBlock`, `contributions` is instead a scratch of BLOCK × p
 * rows, zeroed here before each block of rows and handed to `onBlock(firstRow, rows, scratch)`
 * after it (reason codes without an n × p matrix).
 */
export const GBM_BLOCK = 64;

export const gbmMargins = (c: CompiledGbm, bins: Uint8Array, rows: number, contributions?: Float64Array, onBlock?: (start: number, rows: number, scratch: Float64Array) => void): Float64Array => {
  const out = new Float64Array(rows).fill(c.init);
  const relative = onBlock !== undefined;
  const { nodes, value, roots, depth, p, pathStart, pathFeature, pathDelta } = c;
  const nTrees = roots.length;
  const at = new Int32Array(BLOCK);
  for (let start = 0; start < rows; start += BLOCK) {
    const nb = Math.min(BLOCK, rows - start);
    if (relative) (contributions as Float64Array).fill(0);
    for (let t = 0; t < nTrees; t++) {
      at.fill(roots[t] as number);
      const steps = depth[t] as number;
      // Four rows at a time in registers: four independent chains of loads for the CPU to overlap.
      let k = 0;
      for (; k + 4 <= nb; k += 4) {
        const b0 = (start + k) * p;
        const b1 = b0 + p;
        const b2 = b1 + p;
        const b3 = b2 + p;
        let n0 = at[k] as number;
        let n1 = n0;
        let n2 = n0;
        let n3 = n0;
        for (let d = 0; d < steps; d++) {
          const w0 = nodes[n0 * 2] as number;
          const w1 = nodes[n1 * 2] as number;
          const w2 = nodes[n2 * 2] as number;
          const w3 = nodes[n3 * 2] as number;
          n0 = (nodes[n0 * 2 + 1] as number) + +((((bins[b0 + (w0 >>> 16)] as number) + ((w0 >>> 8) & 255)) & 255) > (w0 & 255));
          n1 = (nodes[n1 * 2 + 1] as number) + +((((bins[b1 + (w1 >>> 16)] as number) + ((w1 >>> 8) & 255)) & 255) > (w1 & 255));
          n2 = (nodes[n2 * 2 + 1] as number) + +((((bins[b2 + (w2 >>> 16)] as number) + ((w2 >>> 8) & 255)) & 255) > (w2 & 255));
          n3 = (nodes[n3 * 2 + 1] as number) + +((((bins[b3 + (w3 >>> 16)] as number) + ((w3 >>> 8) & 255)) & 255) > (w3 & 255));
        }
        at[k] = n0;
        at[k + 1] = n1;
        at[k + 2] = n2;
        at[k + 3] = n3;
      }
      for (; k < nb; k++) {
        const base = (start + k) * p;
        let node = at[k] as number;
        for (let d = 0; d < steps; d++) {
          const word = nodes[node * 2] as number;
          node = (nodes[node * 2 + 1] as number) + +((((bins[base + (word >>> 16)] as number) + ((word >>> 8) & 255)) & 255) > (word & 255));
        }
        at[k] = node;
      }
      if (contributions !== undefined) {
        for (let k = 0; k < nb; k++) {
          const leaf = at[k] as number;
          const base = (relative ? k : start + k) * p;
          for (let q = pathStart[leaf] as number, e = q + steps; q < e; q++) {
            const i = base + (pathFeature[q] as number);
            contributions[i] = (contributions[i] as number) + (pathDelta[q] as number);
          }
        }
      }
      for (let k = 0; k < nb; k++) out[start + k] = (out[start + k] as number) + (value[at[k] as number] as number);
    }
    if (onBlock) onBlock(start, nb, contributions as Float64Array);
  }
  return out;
};

export interface GbmScored {
  probability: Float64Array;
  margin: Float64Array;
  contributions: Float64Array | null;
}

export const scoreGbm = (m: GbmBody, table: FeatureTable, opts: { contributions?: boolean; compiled?: CompiledGbm } = {}): GbmScored => {
  const c = opts.compiled ?? compileGbm(m);
  const x = gbmBins(m, c, table);
  const contributions = opts.contributions ? new Float64Array(table.rows * c.p) : null;
  const margin = gbmMargins(c, x, table.rows, contributions ?? undefined);
  const probability = new Float64Array(table.rows);
  for (let i = 0; i < table.rows; i++) probability[i] = calibrate(m.calibration, margin[i] as number);
  return { probability, margin, contributions };
};
