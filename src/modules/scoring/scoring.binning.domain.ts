/**
 * Scorecard binning, weight of evidence and information value.
 *
 * Continuous numeric columns: quantile pre-bins (at distinct-value boundaries), pooled to a
 * monotone event rate (pool-adjacent-violators, direction from the data), then bins below the
 * minimum size merged into their closest neighbour, then at most `maxBins` by merging the most
 * similar adjacent pair (smallest χ²). Categorical columns, and numeric columns with few distinct
 * values (codes such as UCI's EDUCATION or PAY_x): one bin per level, levels rarer than the
 * minimum level share pooled into an "other" bin, which also receives levels first seen at scoring time.
 * Missing values get their own bin. WoE = ln((events_b/E) / (non-events_b/N)) with 0.5 added to
 * each count, so positive WoE means riskier than average.
 */
import type { Column } from './scoring.table.domain.ts';

export interface Bin {
  label: string;
  /** Interval bins: inclusive upper bound; null = +∞ (the last interval). */
  upper?: number | null;
  /** Level bins: the levels (numeric levels as their decimal text). */
  levels?: string[];
  rows: number;
  events: number;
  woe: number;
}

export interface FeatureBinning {
  name: string;
  kind: Column['kind'];
  method: 'intervals' | 'levels';
  bins: Bin[];
  /** Bin of missing values; null when training had none (missing then scores neutral, WoE 0). */
  missingBin: number | null;
  /** Bin for unseen levels (level binning); null = neutral. */
  otherBin: number | null;
  iv: number;
}

export interface BinningOptions {
  /** Minimum interval bin size as a share of training rows. */
  minBinShare?: number;
  /** Levels rarer than this share of training rows are pooled into the "other" bin. */
  minLevelShare?: number;
  preBins?: number;
  maxBins?: number;
  /** Numeric columns with at most this many distinct values are binned by level. */
  maxLevels?: number;
}

const woeOf = (events: number, rows: number, totalEvents: number, totalNon: number): number =>
  Math.log(((events + 0.5) / (totalEvents + 0.5)) / ((rows - events + 0.5) / (totalNon + 0.5)));

interface Group {
  rows: number;
  events: number;
  upper: number; // interval groups
  levels: string[]; // level groups
}

const rate = (g: Group): number => (g.events + 0.5) / (g.rows + 1);

const merge = (a: Group, b: Group): Group => ({ rows: a.rows + b.rows, events: a.events + b.events, upper: Math.max(a.upper, b.upper), levels: [...a.levels, ...b.levels] });

/** χ² of a 2×2 table of two adjacent groups (how different their event rates are). */
const chi2 = (a: Group, b: Group): number => {
  const n = a.rows + b.rows;
  const e = a.events + b.events;
  if (e === 0 || e === n) return 0;
  let s = 0;
  for (const g of [a, b]) {
    const ee = (g.rows * e) / n;
    const en = (g.rows * (n - e)) / n;
    s += (g.events - ee) ** 2 / ee + (g.rows - g.events - en) ** 2 / en;
  }
  return s;
};

const monotone = (groups: Group[], increasing: boolean): Group[] => {
  const out: Group[] = [];
  for (const g of groups) {
    out.push(g);
    while (out.length > 1) {
      const b = out[out.length - 1] as Group;
      const a = out[out.length - 2] as Group;
      if (increasing ? rate(a) <= rate(b) : rate(a) >= rate(b)) break;
      out.splice(out.length - 2, 2, merge(a, b));
    }
  }
  return out;
};

const mergeSmall = (groups: Group[], minRows: number): Group[] => {
  const gs = [...groups];
  for (;;) {
    if (gs.length <= 1) return gs;
    let smallest = -1;
    for (let i = 0; i < gs.length; i++) if ((gs[i] as Group).rows < minRows && (smallest === -1 || (gs[i] as Group).rows < (gs[smallest] as Group).rows)) smallest = i;
    if (smallest === -1) return gs;
    const g = gs[smallest] as Group;
    const left = smallest > 0 ? (gs[smallest - 1] as Group) : null;
    const right = smallest < gs.length - 1 ? (gs[smallest + 1] as Group) : null;
    const withLeft = left !== null && (right === null || Math.abs(rate(left) - rate(g)) <= Math.abs(rate(right) - rate(g)));
    if (withLeft) gs.splice(smallest - 1, 2, merge(left as Group, g));
    else gs.splice(smallest, 2, merge(g, right as Group));
  }
};

const capBins = (groups: Group[], maxBins: number): Group[] => {
  const gs = [...groups];
  while (gs.length > maxBins) {
    let best = 0;
    let bestChi = Infinity;
    for (let i = 0; i + 1 < gs.length; i++) {
      const c = chi2(gs[i] as Group, gs[i + 1] as Group);
      if (c < bestChi) {
        bestChi = c;
        best = i;
      }
    }
    gs.splice(best, 2, merge(gs[best] as Group, gs[best + 1] as Group));
  }
  return gs;
};

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6))));

const intervalGroups = (values: Float64Array, y: Uint8Array, preBins: number): Group[] => {
  const idx: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i] as number)) idx.push(i);
  idx.sort((a, b) => (values[a] as number) - (values[b] as number));
  const m = idx.length;
  const groups: Group[] = [];
  let start = 0;
  for (let q = 1; q <= preBins && start < m; q++) {
    let end = q === preBins ? m : Math.max(start + 1, Math.round((q * m) / preBins));
    // Never split equal values across bins.
    while (end < m && values[idx[end] as number] === values[idx[end - 1] as number]) end++;
    if (end <= start) continue;
    let events = 0;
    for (let k = start; k < end; k++) events += y[idx[k] as number] as number;
    groups.push({ rows: end - start, events, upper: values[idx[end - 1] as number] as number, levels: [] });
    start = end;
  }
  return groups;
};

export const fitBinning = (col: Column, y: Uint8Array, opts: BinningOptions = {}): FeatureBinning => {
  const n = y.length;
  const minRows = Math.max(1, Math.ceil((opts.minBinShare ?? 0.05) * n));
  const minLevelRows = Math.max(1, Math.ceil((opts.minLevelShare ?? 0.01) * n));
  const maxBins = opts.maxBins ?? 8;
  let totalEvents = 0;
  for (let i = 0; i < n; i++) totalEvents += y[i] as number;
  const totalNon = n - totalEvents;

  let missRows = 0;
  let missEvents = 0;
  let groups: Group[];
  let method: FeatureBinning['method'];
  let otherBin: number | null = null;

  // Level counts (categorical codes, or distinct numeric values when there are few of them).
  const levelCounts = new Map<string, { rows: number; events: number }>();
  let levelsFit = true;
  for (let i = 0; i < n; i++) {
    let key: string | null;
    if (col.kind === 'numeric') {
      const v = col.values[i] as number;
      key = Number.isNaN(v) ? null : fmt(v);
    } else {
      const c = col.codes[i] as number;
      key = c < 0 ? null : (col.levels[c] as string);
    }
    if (key === null) {
      missRows++;
      missEvents += y[i] as number;
      continue;
    }
    if (!levelsFit) continue;
    let e = levelCounts.get(key);
    if (!e) {
      e = { rows: 0, events: 0 };
      levelCounts.set(key, e);
      if (col.kind === 'numeric' && levelCounts.size > (opts.maxLevels ?? 12)) levelsFit = false;
    }
    e.rows++;
    e.events += y[i] as number;
  }

  if (col.kind === 'categorical' || levelsFit) {
    method = 'levels';
    const common: Group[] = [];
    const other: Group = { rows: 0, events: 0, upper: 0, levels: [] };
    const entries = [...levelCounts.entries()];
    if (col.kind === 'numeric') entries.sort((a, b) => Number(a[0]) - Number(b[0]));
    for (const [level, c] of entries) {
      if (c.rows >= minLevelRows) common.push({ rows: c.rows, events: c.events, upper: 0, levels: [level] });
      else {
        other.rows += c.rows;
        other.events += c.events;
        other.levels.push(level);
      }
    }
    // Too many common levels: fold the smallest into "other".
    common.sort((a, b) => b.rows - a.rows);
    while (common.length > maxBins + 4) {
      const g = common.pop() as Group;
      other.rows += g.rows;
      other.events += g.events;
      other.levels.push(...g.levels);
    }
    if (col.kind === 'numeric') common.sort((a, b) => Number(a.levels[0]) - Number(b.levels[0]));
    groups = common;
    if (other.rows > 0 || col.kind === 'categorical') {
      otherBin = groups.length;
      groups.push(other);
    }
  } else {
    method = 'intervals';
    const values = (col as { values: Float64Array }).values;
    const pre = intervalGroups(values, y, opts.preBins ?? 20);
    // Direction: the one whose monotone pooling keeps more information.
    const up = mergeSmall(monotone(pre, true), minRows);
    const down = mergeSmall(monotone(pre, false), minRows);
    const ivOf = (gs: Group[]) => gs.reduce((s, g) => s + ((g.events + 0.5) / (totalEvents + 0.5) - (g.rows - g.events + 0.5) / (totalNon + 0.5)) * woeOf(g.events, g.rows, totalEvents, totalNon), 0);
    groups = capBins(ivOf(up) >= ivOf(down) ? up : down, maxBins);
  }

  const bins: Bin[] = groups.map((g, k) => {
    const woe = woeOf(g.events, g.rows, totalEvents, totalNon);
    if (method === 'levels') {
      const label = k === otherBin ? (g.levels.length ? `other (${g.levels.slice(0, 6).join(', ')}${g.levels.length > 6 ? ', …' : ''})` : 'other') : (g.levels[0] as string);
      return { label, levels: g.levels, rows: g.rows, events: g.events, woe };
    }
    const lower = k === 0 ? '-inf' : fmt((groups[k - 1] as Group).upper);
    const last = k === groups.length - 1;
    return { label: last ? `> ${lower}` : k === 0 ? `<= ${fmt(g.upper)}` : `(${lower}, ${fmt(g.upper)}]`, upper: last ? null : g.upper, rows: g.rows, events: g.events, woe };
  });
  let missingBin: number | null = null;
  if (missRows > 0) {
    missingBin = bins.length;
    bins.push({ label: 'missing', rows: missRows, events: missEvents, woe: woeOf(missEvents, missRows, totalEvents, totalNon) });
  }
  let iv = 0;
  for (const b of bins) if (b.rows > 0) iv += ((b.events + 0.5) / (totalEvents + 0.5) - (b.rows - b.events + 0.5) / (totalNon + 0.5)) * b.woe;
  return { name: col.name, kind: col.kind, method, bins, missingBin, otherBin, iv };
};

/** A per-row bin lookup for a fitted binning; −1 = neutral (unseen, or missing never seen in training). */
export const binIndexer = (b: FeatureBinning): ((col: Column) => Int32Array) => {
  if (b.method === 'intervals') {
    const uppers = b.bins.filter((x) => x.upper !== undefined).map((x) => (x.upper === null ? Infinity : (x.upper as number)));
    return (col) => {
      const out = new Int32Array(col.kind === 'numeric' ? col.values.length : col.codes.length);
      if (col.kind !== 'numeric') return out.fill(b.missingBin ?? -1);
      for (let i = 0; i < out.length; i++) {
        const v = col.values[i] as number;
        if (Number.isNaN(v)) {
          out[i] = b.missingBin ?? -1;
          continue;
        }
        let lo = 0;
        let hi = uppers.length - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (v <= (uppers[mid] as number)) hi = mid;
          else lo = mid + 1;
        }
        out[i] = lo;
      }
      return out;
    };
  }
  const byLevel = new Map<string, number>();
  b.bins.forEach((bin, k) => bin.levels?.forEach((l) => byLevel.set(l, k)));
  const unseen = b.otherBin ?? -1;
  return (col) => {
    if (col.kind === 'numeric') {
      const out = new Int32Array(col.values.length);
      for (let i = 0; i < out.length; i++) {
        const v = col.values[i] as number;
        out[i] = Number.isNaN(v) ? (b.missingBin ?? -1) : (byLevel.get(fmt(v)) ?? unseen);
      }
      return out;
    }
    const perCode = col.levels.map((l) => byLevel.get(l) ?? unseen);
    const out = new Int32Array(col.codes.length);
    for (let i = 0; i < out.length; i++) {
      const c = col.codes[i] as number;
      out[i] = c < 0 ? (b.missingBin ?? -1) : (perCode[c] as number);
    }
    return out;
  };
};
