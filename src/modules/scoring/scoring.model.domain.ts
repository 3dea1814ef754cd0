/**
 * One interface over both model kinds: train from a feature table, score with probability, score
 * points and reason codes, cross-validate. The model object is what the JSON file holds.
 */
import { invalid } from '../../lib/errors.ts';
import { crossValidate, type CrossValidation } from './scoring.evaluate.domain.ts';
import { GBM_BLOCK, compileGbm, gbmBins, gbmMargins, calibrate, trainGbm, type CompiledGbm, type GbmBody, type GbmOptions } from './scoring.gbm.domain.ts';
import { allMetrics, type Metrics } from './scoring.metrics.domain.ts';
import { sigmoid } from './scoring.logistic.domain.ts';
import { DEFAULT_SCALING, scaleFactor, scoreScorecard, topReasons, trainScorecard, type ScorecardBody, type ScorecardOptions, type Scaling } from './scoring.scorecard.domain.ts';
import type { ColumnKind, FeatureTable } from './scoring.table.domain.ts';
import { MODEL_FORMAT, MODEL_VERSION, type ModelKind } from './scoring.types.ts';

interface ModelCommon {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_VERSION;
  target: string;
  idColumn: string | null;
  inputs: { name: string; kind: ColumnKind }[];
  scaling: Scaling;
  metadata: { trainedAt: string; rows: number; positives: number; trainingMetrics: Metrics };
}

export type ScoringModel = (ModelCommon & { kind: 'scorecard'; scorecard: ScorecardBody }) | (ModelCommon & { kind: 'gbm'; gbm: GbmBody });

export interface TrainOptions {
  kind: ModelKind;
  target: string;
  idColumn?: string | null;
  /** ISO instant recorded in the model (domain code takes the time as an argument). */
  trainedAt: string;
  scaling?: Scaling;
  scorecard?: ScorecardOptions;
  gbm?: GbmOptions;
}

export interface ScoreResult {
  probability: Float64Array;
  /** Points: higher is lower risk (base score at base odds, PDO points to double the odds). */
  score: Float64Array;
  /** Row-major n × reasonCount indexes into `reasonNames`; −1 where fewer reasons apply. */
  reasons: Int32Array;
  reasonCount: number;
  reasonNames: string[];
}

const logit = (p: number): number => {
  const q = Math.min(1 - 1e-12, Math.max(1e-12, p));
  return Math.log(q / (1 - q));
};

/** Fits the model's body only (no training metrics): what cross-validation repeats per fold. */
const fitBody = (table: FeatureTable, y: Uint8Array, opts: TrainOptions): { scorecard: ScorecardBody } | { gbm: GbmBody } => {
  if (table.columns.length === 0) throw invalid('SCORING.NO_FEATURES', 'the file has no feature columns besides the target and id');
  if (opts.kind === 'scorecard') return { scorecard: trainScorecard(table, y, { ...opts.scorecard, scaling: opts.scaling ?? DEFAULT_SCALING }) };
  const mono = opts.gbm?.monotone ?? {};
  for (const name of Object.keys(mono)) if (!table.columns.some((c) => c.name === name)) throw invalid('SCORING.UNKNOWN_COLUMN', `monotone constraint on "${name}", which is not a feature column`, [{ field: name, message: 'not a feature' }]);
  return { gbm: trainGbm(table, y, opts.gbm) };
};

export const trainModel = (table: FeatureTable, y: Uint8Array, opts: TrainOptions): ScoringModel => {
  const body = fitBody(table, y, opts);
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i] as number;
  const common: Omit<ModelCommon, 'metadata'> = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    target: opts.target,
    idColumn: opts.idColumn ?? null,
    inputs: table.columns.map((c) => ({ name: c.name, kind: c.kind })),
    scaling: opts.scaling ?? DEFAULT_SCALING,
  };
  // Scoring needs only the body and the scaling; the training metrics then complete the metadata.
  const scored = scoreModel(('scorecard' in body ? { kind: 'scorecard', scaling: common.scaling, ...body } : { kind: 'gbm', scaling: common.scaling, ...body }) as ScoringModel, table, { reasons: 0 });
  const metadata = { trainedAt: opts.trainedAt, rows: table.rows, positives, trainingMetrics: allMetrics(y, scored.probability) };
  return 'scorecard' in body ? { kind: 'scorecard', ...common, metadata, scorecard: body.scorecard } : { kind: 'gbm', ...common, metadata, gbm: body.gbm };
};

const compiledCache = new WeakMap<GbmBody, CompiledGbm>();

export const scoreModel = (model: ScoringModel, table: FeatureTable, opts: { reasons?: number } = {}): ScoreResult => {
  const k = opts.reasons ?? 3;
  if (model.kind === 'scorecard') {
    const s = scoreScorecard(model.scorecard, table, Math.max(1, k));
    return k === 0 ? { ...s, reasons: new Int32Array(0), reasonCount: 0 } : s;
  }
  const g = model.gbm;
  let c = compiledCache.get(g);
  if (!c) {
    c = compileGbm(g);
    compiledCache.set(g, c);
  }
  const n = table.rows;
  const x = gbmBins(g, c, table);
  // Reasons block by block: contributions live in a small scratch, never an n × p matrix.
  const reasons = new Int32Array(n * k);
  const p = c.p;
  const margin = k > 0 ? gbmMargins(c, x, n, new Float64Array(GBM_BLOCK * p), (start, rows, scratch) => topReasons(scratch, rows, p, k, 1e-9, { out: reasons, row: start })) : gbmMargins(c, x, n);
  const probability = new Float64Array(n);
  const score = new Float64Array(n);
  const { factor, offset } = scaleFactor(model.scaling);
  const cal = g.calibration;
  for (let i = 0; i < n; i++) {
    // The calibrated log-odds: exact for none and Platt, from the probability for isotonic.
    const z = cal.kind === 'platt' ? cal.a * (margin[i] as number) + cal.b : cal.kind === 'none' ? (margin[i] as number) : logit(calibrate(cal, margin[i] as number));
    probability[i] = cal.kind === 'isotonic' ? calibrate(cal, margin[i] as number) : sigmoid(z);
    score[i] = offset - factor * z;
  }
  return {
    probability,
    score,
    // Reasons: the features that pushed this row's risk up the most (positive contributions).
    reasons,
    reasonCount: k,
    reasonNames: g.features.map((f) => f.name),
  };
};

/** k-fold cross-validation of a model kind: everything is refitted on each fold's training rows. */
export const evaluateModel = (table: FeatureTable, y: Uint8Array, opts: Omit<TrainOptions, 'trainedAt' | 'target'> & { folds?: number; seed?: number }): CrossValidation =>
  crossValidate(
    table,
    y,
    (train, yTrain) => {
      const body = fitBody(train, yTrain, { ...opts, target: '', trainedAt: '' });
      const model = { kind: opts.kind, scaling: opts.scaling ?? DEFAULT_SCALING, ...body } as ScoringModel;
      return (test) => scoreModel(model, test, { reasons: 0 }).probability;
    },
    { folds: opts.folds ?? 5, seed: opts.seed ?? 1 },
  );
