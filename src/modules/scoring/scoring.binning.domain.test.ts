import { describe, expect, it } from 'vitest';
import { binIndexer, fitBinning } from './scoring.binning.domain.ts';
import { seededRng } from './scoring.rng.domain.ts';
import type { Column } from './scoring.table.domain.ts';

const categorical = (values: (string | null)[]): Column => {
  const levels: string[] = [];
  const codes = Int32Array.from(values.map((v) => {
    if (v === null) return -1;
    if (!levels.includes(v)) levels.push(v);
    return levels.indexOf(v);
  }));
  return { kind: 'categorical', name: 'c', codes, levels };
};
const numeric = (values: number[]): Column => ({ kind: 'numeric', name: 'x', values: Float64Array.from(values) });

/** rows × (level, events) → columns */
const build = (spec: [string | null, number, number][]): { col: Column; y: Uint8Array } => {
  const vals: (string | null)[] = [];
  const y: number[] = [];
  for (const [level, rows, events] of spec) for (let i = 0; i < rows; i++) {
    vals.push(level);
    y.push(i < events ? 1 : 0);
  }
  return { col: categorical(vals), y: Uint8Array.from(y) };
};

describe('weight of evidence and information value', () => {
  // WoE = ln(((e + ½)/(E + ½)) / ((n − e + ½)/(N + ½))), computed by hand for each table.
  const cases: { name: string; spec: [string | null, number, number][]; woe: Record<string, number>; iv: number }[] = [
    { name: 'two levels', spec: [['A', 100, 10], ['B', 100, 50]], woe: { A: -1.311410469805398, B: 0.8425641237370047 }, iv: 1.0175701819498357 },
    // Equal rates: the ½ smoothing leaves a small positive WoE, ln((20.5/40.5)/(80.5/160.5)).
    { name: 'no signal', spec: [['A', 100, 20], ['B', 100, 20]], woe: { A: 0.009159670177422136, B: 0.009159670177422136 }, iv: 0.0000845475 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { col, y } = build(c.spec);
      const b = fitBinning(col, y);
      expect(b.method).toBe('levels');
      for (const [level, woe] of Object.entries(c.woe)) {
        const bin = b.bins.find((x) => x.levels?.includes(level));
        expect(bin?.woe).toBeCloseTo(woe, 9);
      }
      expect(b.iv).toBeCloseTo(c.iv, 7);
    });
  }

  it('pools rare levels into "other", which also takes unseen levels; missing has its own bin', () => {
    const { col, y } = build([['A', 500, 50], ['B', 480, 200], ['rare1', 5, 5], ['rare2', 4, 4], [null, 40, 30]]);
    const b = fitBinning(col, y, { minLevelShare: 0.01 });
    const other = b.bins[b.otherBin as number]!;
    expect(other.levels).toEqual(['rare1', 'rare2']);
    expect(other.rows).toBe(9);
    expect(b.bins[b.missingBin as number]).toMatchObject({ label: 'missing', rows: 40, events: 30 });
    const idx = binIndexer(b)({ kind: 'categorical', name: 'c', codes: Int32Array.from([0, 1, 2, -1]), levels: ['A', 'never seen', 'rare2'] });
    expect([...idx]).toEqual([b.bins.findIndex((x) => x.levels?.includes('A')), b.otherBin, b.otherBin, b.missingBin]);
  });

  it('continuous values get monotone WoE intervals of at least the minimum size', () => {
    const r = seededRng(3);
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const x = r() * 100;
      xs.push(x);
      ys.push(r() < 0.05 + 0.004 * x ? 1 : 0);
    }
    const b = fitBinning(numeric(xs), Uint8Array.from(ys), { minBinShare: 0.05 });
    expect(b.method).toBe('intervals');
    expect(b.bins.length).toBeGreaterThanOrEqual(3);
    for (let k = 1; k < b.bins.length; k++) expect(b.bins[k]!.woe).toBeGreaterThan(b.bins[k - 1]!.woe);
    for (const bin of b.bins) expect(bin.rows).toBeGreaterThanOrEqual(250);
    expect(b.bins.at(-1)!.upper).toBeNull();
    // The indexer puts each value in the interval that contains it.
    const idx = binIndexer(b)(numeric(xs));
    for (let i = 0; i < 200; i++) {
      const k = idx[i]!;
      const upper = b.bins[k]!.upper;
      const lower = k === 0 ? -Infinity : (b.bins[k - 1]!.upper as number);
      expect(xs[i]!).toBeGreaterThan(lower);
      if (upper !== null && upper !== undefined) expect(xs[i]!).toBeLessThanOrEqual(upper);
    }
  });

  it('few-valued numeric codes (UCI PAY_x) keep one bin per common code, rare codes pooled', () => {
    const r = seededRng(5);
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const u = r();
      const x = u < 0.1 ? -2 : u < 0.3 ? -1 : u < 0.8 ? 0 : u < 0.9 ? 1 : u < 0.995 ? 2 : 7;
      xs.push(x);
      ys.push(r() < (x >= 1 ? 0.55 : x === -2 ? 0.2 : 0.12) ? 1 : 0);
    }
    const b = fitBinning(numeric(xs), Uint8Array.from(ys));
    expect(b.method).toBe('levels');
    expect(b.bins.map((x) => x.levels)).toEqual([['-2'], ['-1'], ['0'], ['1'], ['2'], ['7']]);
    expect(b.otherBin).toBe(5);
    expect(b.bins[3]!.woe).toBeGreaterThan(0.9);
  });
});
