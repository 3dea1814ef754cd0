/**
 * The model file: versioned JSON, validated on load. `format` + `version` identify the layout;
 * `kind` says which body (`scorecard` or `gbm`) it carries. docs/scoring.md documents it.
 */
import { z } from 'zod';

export const MODEL_FORMAT = 'tacto.scoring.model';
export const MODEL_VERSION = 1;
export const MODEL_KINDS = ['scorecard', 'gbm'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

const num = z.number().finite();
/** Metrics can be undefined (NaN) on a one-class sample; JSON carries that as null. */
const metric = z.number().nullable();
const Metrics = z.object({ rows: z.number().int(), positives: z.number().int(), auc: metric, gini: metric, ks: metric, brier: metric, logLoss: metric, ece: metric });

const Scaling = z.object({ baseScore: num, baseOdds: num.positive(), pdo: num.positive() });
const FeatureKind = z.enum(['numeric', 'categorical']);

const Bin = z.object({ label: z.string(), upper: num.nullable().optional(), levels: z.array(z.string()).optional(), rows: z.number().int().nonnegative(), events: z.number().int().nonnegative(), woe: num });

const ScorecardFeature = z
  .object({
    name: z.string(),
    kind: FeatureKind,
    method: z.enum(['intervals', 'levels']),
    bins: z.array(Bin).min(1),
    missingBin: z.number().int().nullable(),
    otherBin: z.number().int().nullable(),
    iv: num,
    coefficient: num,
    points: z.array(num),
    neutralPoints: num,
  })
  .superRefine((f, ctx) => {
    if (f.points.length !== f.bins.length) ctx.addIssue({ code: 'custom', message: `${f.name}: ${f.points.length} points for ${f.bins.length} bins`, path: ['points'] });
    for (const [key, k] of [['missingBin', f.missingBin], ['otherBin', f.otherBin]] as const) if (k !== null && (k < 0 || k >= f.bins.length)) ctx.addIssue({ code: 'custom', message: `${f.name}: ${key} ${k} out of range`, path: [key] });
    if (f.method === 'intervals') {
      const uppers = f.bins.filter((b) => b.upper !== undefined).map((b) => b.upper);
      for (let i = 1; i < uppers.length; i++) if (uppers[i - 1] === null || (uppers[i] !== null && (uppers[i] as number) <= (uppers[i - 1] as number))) ctx.addIssue({ code: 'custom', message: `${f.name}: interval bounds must increase`, path: ['bins'] });
    }
  });

const ScorecardBody = z.object({
  intercept: num,
  scaling: Scaling,
  features: z.array(ScorecardFeature),
  candidates: z.array(z.object({ name: z.string(), iv: num, selected: z.boolean(), reason: z.string().optional() })),
});

const Tree = z
  .object({ feature: z.array(z.number().int()), threshold: z.array(num), missingLeft: z.array(z.union([z.literal(0), z.literal(1)])), left: z.array(z.number().int()), right: z.array(z.number().int()), value: z.array(num) })
  .superRefine((t, ctx) => {
    const n = t.feature.length;
    if (n === 0) ctx.addIssue({ code: 'custom', message: 'empty tree' });
    for (const k of ['threshold', 'missingLeft', 'left', 'right', 'value'] as const) if (t[k].length !== n) ctx.addIssue({ code: 'custom', message: `tree arrays differ in length (${k})`, path: [k] });
    for (let i = 0; i < n; i++) {
      if ((t.feature[i] as number) < 0) continue;
      const l = t.left[i] as number;
      const r = t.right[i] as number;
      // Children come after their parent: no cycles, traversal always ends.
      if (!(l > i && l < n && r > i && r < n)) {
        ctx.addIssue({ code: 'custom', message: `node ${i} has children out of range`, path: ['left', i] });
        return;
      }
    }
  });

const Calibration = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('platt'), a: num, b: num }),
  z.object({ kind: z.literal('isotonic'), margins: z.array(num).min(1), probabilities: z.array(num.min(0).max(1)).min(1) }),
]);

const GbmBody = z
  .object({
    init: num,
    learningRate: num,
    features: z.array(z.object({ name: z.string(), kind: FeatureKind, categories: z.record(z.string(), z.number().int()).optional(), monotone: z.union([z.literal(-1), z.literal(0), z.literal(1)]), gain: num })),
    trees: z.array(Tree),
    calibration: Calibration,
    training: z.object({ rounds: z.number().int(), bestRound: z.number().int(), validationRows: z.number().int(), validation: Metrics.nullable(), options: z.record(z.string(), z.unknown()) }),
  })
  .superRefine((g, ctx) => {
    const p = g.features.length;
    g.trees.forEach((t, k) => {
      if (t.feature.some((f) => f >= p)) ctx.addIssue({ code: 'custom', message: `tree ${k} splits on a feature the model does not have`, path: ['trees', k] });
    });
  });

const Common = {
  format: z.literal(MODEL_FORMAT),
  version: z.literal(MODEL_VERSION),
  target: z.string(),
  idColumn: z.string().nullable(),
  /** The input columns scoring needs, with the kind they are read as. */
  inputs: z.array(z.object({ name: z.string(), kind: FeatureKind })),
  scaling: Scaling,
  metadata: z.object({
    trainedAt: z.string(),
    rows: z.number().int().positive(),
    positives: z.number().int().nonnegative(),
    /** Fitted rows scored by the model itself (optimistic; cross-validate for honest figures). */
    trainingMetrics: Metrics,
  }),
};

export const ScoringModel = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('scorecard'), ...Common, scorecard: ScorecardBody }),
  z.object({ kind: z.literal('gbm'), ...Common, gbm: GbmBody }),
]);
export type ScoringModelJson = z.infer<typeof ScoringModel>;
