/**
 * A seeded stand-in for the UCI "default of credit card clients" data set (Yeh & Lien, 2009):
 * the same columns and codes (ID, LIMIT_BAL, SEX 1/2, EDUCATION 1–4 plus the undocumented 0/5/6,
 * MARRIAGE 0–3, AGE, PAY_0 and PAY_2…PAY_6 with −2 no consumption / −1 paid duly / 0 revolving /
 * 1…8 months late, BILL_AMT1…6, PAY_AMT1…6, `default payment next month`), ~22% positives.
 *
 * Each client has a hidden risk trait. Repayment status follows a persistent monthly state driven
 * by it (so PAY_0 carries most of the signal, as in the real data), limits fall with risk, bills
 * follow utilisation, payments follow habit. Default depends on the trait (only partly visible),
 * on recent delay and utilisation together (an interaction a scorecard cannot express), on age
 * (U-shaped) and on noise, so that a good model reaches an AUC of about 0.77–0.80.
 */
import { normal, seededRng } from './scoring.rng.domain.ts';
import type { FeatureTable } from './scoring.table.domain.ts';

export const UCI_TARGET = 'default payment next month';
export const UCI_FEATURES = [
  'LIMIT_BAL', 'SEX', 'EDUCATION', 'MARRIAGE', 'AGE',
  'PAY_0', 'PAY_2', 'PAY_3', 'PAY_4', 'PAY_5', 'PAY_6',
  'BILL_AMT1', 'BILL_AMT2', 'BILL_AMT3', 'BILL_AMT4', 'BILL_AMT5', 'BILL_AMT6',
  'PAY_AMT1', 'PAY_AMT2', 'PAY_AMT3', 'PAY_AMT4', 'PAY_AMT5', 'PAY_AMT6',
] as const;

export interface SyntheticCredit {
  rows: number;
  /** One column per UCI_FEATURES entry, same order. */
  columns: Float64Array[];
  target: Uint8Array;
}

const pickWeighted = (u: number, values: readonly number[], weights: readonly number[]): number => {
  let x = u;
  for (let k = 0; k < values.length; k++) {
    x -= weights[k] as number;
    if (x < 0) return values[k] as number;
  }
  return values[values.length - 1] as number;
};

const sig = (z: number): number => 1 / (1 + Math.exp(-z));

/** Monthly delinquency state above which a client is late; new lateness this far above starts at 2. */
const LATE = 0.8;
const LATE2 = 2.0;
/** Chance a client already 2+ months late slips one month further. */
const STEP = 0.08;
/** Default model: intercept, hidden-trait weight, delay × utilisation interaction, noise. */
const B0 = -1.9;
const TRAIT = 0.8;
const INTERACTION = 2.0;
const NOISE = 0.5;

export const generateCredit = (rows: number, seed = 1): SyntheticCredit => {
  const r = seededRng(seed);
  const columns = UCI_FEATURES.map(() => new Float64Array(rows));
  const target = new Uint8Array(rows);
  const col = (name: (typeof UCI_FEATURES)[number]): Float64Array => columns[UCI_FEATURES.indexOf(name)] as Float64Array;
  const [limit, sex, edu, mar, age] = [col('LIMIT_BAL'), col('SEX'), col('EDUCATION'), col('MARRIAGE'), col('AGE')];
  const pay = [col('PAY_0'), col('PAY_2'), col('PAY_3'), col('PAY_4'), col('PAY_5'), col('PAY_6')];
  const bill = [col('BILL_AMT1'), col('BILL_AMT2'), col('BILL_AMT3'), col('BILL_AMT4'), col('BILL_AMT5'), col('BILL_AMT6')];
  const paid = [col('PAY_AMT1'), col('PAY_AMT2'), col('PAY_AMT3'), col('PAY_AMT4'), col('PAY_AMT5'), col('PAY_AMT6')];
  const state = new Float64Array(6);

  for (let i = 0; i < rows; i++) {
    const z = normal(r); // hidden risk trait
    const s = r() < 0.6 ? 2 : 1;
    const e = pickWeighted(r(), [1, 2, 3, 4, 5, 6, 0], [0.353, 0.468, 0.164, 0.004, 0.009, 0.0017, 0.0003]);
    const a = Math.round(Math.min(79, Math.max(21, 22 + Math.exp(2.4 + 0.45 * normal(r)))));
    const m = a < 30 ? (r() < 0.7 ? 2 : 1) : pickWeighted(r(), [1, 2, 3, 0], [0.55, 0.43, 0.016, 0.004]);
    const eduRisk = e === 3 ? 0.15 : e === 1 ? -0.15 : e >= 4 || e === 0 ? -0.8 : 0;
    const lim = Math.round(Math.min(1_000_000, Math.max(10_000, Math.exp(11.7 - 0.3 * z - 0.3 * eduRisk + 0.006 * (a - 35) + 0.75 * normal(r)))) / 10_000) * 10_000;
    limit[i] = lim;
    sex[i] = s;
    edu[i] = e;
    mar[i] = m;
    age[i] = a;

    // Habit: no consumption (−2), transactor (−1) or revolver (0) when not late.
    const habit = pickWeighted(r(), [-2, -1, 0], [0.12 * sig(-0.5 * z) * 1.8, 0.27 * sig(-0.6 * z) * 1.8, 1]);
    let util = sig(-0.6 + 0.7 * z + 0.8 * normal(r));
    // Months from oldest (index 5, PAY_6) to newest (index 0, PAY_0).
    let d = 0.8 * z + 0.6 * normal(r);
    let delay = 0;
    for (let t = 5; t >= 0; t--) {
      d = 0.75 * d + 0.25 * (0.9 * z) + 0.45 * normal(r);
      state[t] = d;
      let status: number;
      if (d > LATE) {
        delay = delay === 0 ? (d > LATE2 ? 2 : 1) : delay === 1 ? (r() < 0.5 ? 2 : 1) : Math.min(8, delay + (r() < STEP ? 1 : 0));
        status = delay;
      } else {
        delay = 0;
        status = habit === -2 && r() < 0.8 ? -2 : habit === -1 && r() < 0.85 ? -1 : habit === 0 || r() < 0.5 ? 0 : -1;
      }
      (pay[t] as Float64Array)[i] = status;
      util = Math.min(1.15, Math.max(-0.02, 0.8 * util + 0.2 * sig(-0.6 + 0.7 * z + 0.6 * normal(r)) + (status >= 1 ? 0.05 : 0)));
      const b = status === -2 ? (r() < 0.7 ? 0 : Math.round(lim * 0.01 * r())) : Math.round(lim * util * (0.9 + 0.2 * r()));
      (bill[t] as Float64Array)[i] = b;
    }
    for (let t = 5; t >= 0; t--) {
      const status = (pay[t] as Float64Array)[i] as number;
      const prevBill = t < 5 ? ((bill[t + 1] as Float64Array)[i] as number) : ((bill[t] as Float64Array)[i] as number);
      let amount: number;
      if (status === -2) amount = r() < 0.6 ? 0 : Math.round(prevBill * r());
      else if (status === -1) amount = Math.max(0, Math.round(prevBill * (0.95 + 0.1 * r())));
      else if (status === 0) amount = Math.max(0, Math.round(prevBill * Math.exp(-2.8 - 0.4 * z + 0.7 * normal(r))));
      else amount = r() < 0.6 ? 0 : Math.max(0, Math.round(prevBill * 0.04 * r()));
      (paid[t] as Float64Array)[i] = amount;
    }

    const recentDelay = Math.max(0, (pay[0] as Float64Array)[i] as number);
    const recentUtil = Math.max(0, ((bill[0] as Float64Array)[i] as number) / lim);
    const ageEffect = 0.0012 * (a - 38) ** 2 - 0.15;
    const logit =
      B0 + TRAIT * z + 0.55 * Math.min(recentDelay, 3) + INTERACTION * (recentDelay >= 1 ? 1 : 0) * (recentUtil - 0.5) +
      0.35 * (state[1] as number) * (recentDelay === 0 ? 1 : 0) + ageEffect + (s === 1 ? 0.1 : 0) + 0.6 * eduRisk * 0.3 + NOISE * normal(r);
    target[i] = r() < sig(logit) ? 1 : 0;
  }
  return { rows, columns, target };
};

/** The synthetic data as a feature table (every column numeric, as a CSV read would detect). */
export const creditTable = (d: SyntheticCredit): FeatureTable => ({
  rows: d.rows,
  columns: UCI_FEATURES.map((name, j) => ({ kind: 'numeric' as const, name, values: d.columns[j] as Float64Array })),
});

/** The synthetic data as the CSV the UCI archive's converted copies have (ID first, target last). */
export const creditCsv = (d: SyntheticCredit, opts: { target?: boolean } = {}): string => {
  const withTarget = opts.target ?? true;
  const lines: string[] = [['ID', ...UCI_FEATURES, ...(withTarget ? [UCI_TARGET] : [])].join(',')];
  for (let i = 0; i < d.rows; i++) {
    const cells: (string | number)[] = [i + 1];
    for (const c of d.columns) cells.push(c[i] as number);
    if (withTarget) cells.push(d.target[i] as number);
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
};
