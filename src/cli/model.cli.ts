import type { Command } from 'commander';
import {
  DEFAULT_SCALING,
  GBM_DEFAULTS,
  MODEL_KINDS,
  assertTwoClasses,
  evaluateModel,
  loadModel,
  readCsvFile,
  readFeatureTable,
  saveModel,
  scoreCsvFile,
  trainModel,
  type GbmOptions,
  type ModelKind,
  type Scaling,
} from '../modules/scoring/index.ts';
import type { Context } from '../context.ts';
import { CliError, printJson, printTable } from './output.ts';
import { defaultTenant, tenantIdOf } from './tenants.cli.ts';

type WithContext = <T>(fn: (ctx: Context) => Promise<T>) => Promise<T>;

interface ModelFlags {
  kind: string;
  monotone?: string;
  calibration?: string;
  seed: string;
  learningRate?: string;
  baseScore: string;
  baseOdds: string;
  pdo: string;
}

const kindOf = (k: string): ModelKind => {
  if (!(MODEL_KINDS as readonly string[]).includes(k)) throw new CliError(`--kind must be one of ${MODEL_KINDS.join(', ')}`, 2);
  return k as ModelKind;
};

const intFlag = (name: string, v: string, min: number, max: number): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`${name} must be a whole number from ${min} to ${max}`, 2);
  return n;
};

const numFlag = (name: string, v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`${name} must be a positive number`, 2);
  return n;
};

/** "PAY_0:+1,LIMIT_BAL:-1" → { PAY_0: 1, LIMIT_BAL: -1 } */
const parseMonotone = (s: string | undefined): Record<string, number> => {
  const out: Record<string, number> = {};
  if (!s) return out;
  for (const part of s.split(',').map((x) => x.trim()).filter(Boolean)) {
    const m = /^(.+):\s*([+-]?1)$/.exec(part);
    if (!m) throw new CliError(`--monotone expects COLUMN:+1 or COLUMN:-1 separated by commas, got "${part}"`, 2);
    out[(m[1] as string).trim()] = Number(m[2]);
  }
  return out;
};

const modelOptions = (o: ModelFlags): { kind: ModelKind; scaling: Scaling; gbm: GbmOptions } => {
  const kind = kindOf(o.kind);
  const calibration = o.calibration ?? 'platt';
  if (!['none', 'platt', 'isotonic'].includes(calibration)) throw new CliError('--calibration must be none, platt or isotonic', 2);
  const monotone = parseMonotone(o.monotone);
  if (kind !== 'gbm' && (o.monotone || o.calibration || o.learningRate)) throw new CliError('--monotone, --calibration and --learning-rate apply to --kind gbm (a scorecard is monotone by its binning and calibrated by its regression)', 2);
  const learningRate = o.learningRate === undefined ? undefined : numFlag('--learning-rate', o.learningRate);
  if (learningRate !== undefined && learningRate > 1) throw new CliError('--learning-rate must be at most 1', 2);
  return {
    kind,
    scaling: { baseScore: numFlag('--base-score', o.baseScore), baseOdds: numFlag('--base-odds', o.baseOdds), pdo: numFlag('--pdo', o.pdo) },
    gbm: { monotone, calibration: calibration as GbmOptions['calibration'], seed: intFlag('--seed', o.seed, 0, 2 ** 31), ...(learningRate !== undefined ? { learningRate } : {}) },
  };
};

const withModelFlags = (c: Command): Command =>
  c
    .option('--kind <kind>', 'scorecard (binned WoE + logistic regression) | gbm (gradient-boosted trees)', 'scorecard')
    .option('--monotone <list>', 'gbm: monotone constraints, e.g. "PAY_0:+1,LIMIT_BAL:-1" (+1: risk never falls as the value rises)')
    .option('--calibration <method>', 'gbm: platt | isotonic | none, fitted on the inner validation split (default platt)')
    .option('--learning-rate <x>', `gbm: shrinkage (default ${GBM_DEFAULTS.learningRate}; 0.05 trades 2–3× the trees, and scoring speed, for a little accuracy)`)
    .option('--seed <n>', 'random seed (folds, splits, subsampling)', '1')
    .option('--base-score <n>', 'score at the base odds', String(DEFAULT_SCALING.baseScore))
    .option('--base-odds <n>', 'good:bad odds that score the base score', String(DEFAULT_SCALING.baseOdds))
    .option('--pdo <n>', 'points to double the odds', String(DEFAULT_SCALING.pdo));

const round = (x: number | null): number | null => (x === null || !Number.isFinite(x) ? null : Number(x.toFixed(5)));
const roundMetrics = <T extends object>(m: T): T => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v])) as T;

/**
 * `tacto model …`: train, score and cross-validate default-risk models from CSV files. Files need
 * no database; `--save NAME` / `--name NAME` store and load models per tenant.
 */
export const registerModelCommands = (program: Command, withContext: WithContext): void => {
  const m = program.command('model').description('Default-risk / propensity models from CSV: train, score, evaluate (docs/scoring.md)');

  withModelFlags(
    m
      .command('train')
      .description('Train a model on a CSV with a binary target column and write it as versioned JSON')
      .requiredOption('--csv <file>', 'training data: a header row, one row per account')
      .requiredOption('--target <column>', 'binary outcome column (1/0, true/false, yes/no); 1 = the event (e.g. default)')
      .option('--id <column>', 'id column, not a feature (default: a column named "id", any case)')
      .option('--out <file>', 'model file to write')
      .option('--save <name>', "also store the model in the tenant's database as the next version of <name>")
      .option('--tenant <slug>', 'tenant for --save', defaultTenant()),
  ).action(async (o: ModelFlags & { csv: string; target: string; id?: string; out?: string; save?: string; tenant: string }) => {
    if (!o.out && !o.save) throw new CliError('give --out <file>, --save <name> or both', 2);
    const opts = modelOptions(o);
    const started = performance.now();
    const t = readFeatureTable(readCsvFile(o.csv), { target: o.target, ...(o.id ? { id: o.id } : {}) });
    assertTwoClasses(t.target as Uint8Array, o.target);
    const model = trainModel(t.features, t.target as Uint8Array, { ...opts, target: o.target, idColumn: t.idColumn, trainedAt: new Date().toISOString() });
    if (o.out) saveModel(o.out, model);
    const stored = o.save ? await withContext(async (ctx) => ({ tenant: o.tenant, ...(await ctx.services.scoring.saveModel(await tenantIdOf(ctx, o.tenant), o.save as string, model)) })) : undefined;
    printJson({
      ...(o.out ? { model: o.out } : {}),
      ...(stored ? { stored } : {}),
      kind: model.kind,
      rows: model.metadata.rows,
      positives: model.metadata.positives,
      features: model.kind === 'scorecard' ? model.scorecard.features.map((f) => ({ name: f.name, iv: round(f.iv), bins: f.bins.length, coefficient: round(f.coefficient) })) : model.gbm.features.filter((f) => f.gain > 0).sort((a, b) => b.gain - a.gain).map((f) => ({ name: f.name, gain: round(f.gain) })),
      ...(model.kind === 'gbm' ? { trees: model.gbm.trees.length, calibration: model.gbm.calibration.kind, innerValidation: model.gbm.training.validation ? roundMetrics(model.gbm.training.validation) : null } : {}),
      trainingMetrics: roundMetrics(model.metadata.trainingMetrics),
      seconds: round((performance.now() - started) / 1000),
    });
  });

  m.command('score')
    .description('Score a CSV with a model: writes id, probability, score, reason_1..reason_3')
    .option('--model <file>', 'model JSON from `tacto model train`')
    .option('--name <name>', "a model stored with --save (the tenant's latest version unless --version)")
    .option('--version <n>', 'stored version to use with --name')
    .option('--tenant <slug>', 'tenant for --name', defaultTenant())
    .requiredOption('--csv <file>', 'accounts to score (the model\'s input columns; extra columns are ignored)')
    .option('--id <column>', 'id column (default: the model\'s id column if present, else a column named "id", else the line number)')
    .requiredOption('--out <file>', 'scores CSV to write ("-" for standard output)')
    .option('--reasons <n>', 'reason columns', '3')
    .action(async (o: { model?: string; name?: string; version?: string; tenant: string; csv: string; id?: string; out: string; reasons: string }) => {
      if (!o.model === !o.name) throw new CliError('give either --model <file> or --name <stored model>', 2);
      const version = o.version === undefined ? null : intFlag('--version', o.version, 1, 2 ** 31);
      const model = o.model ? loadModel(o.model) : await withContext(async (ctx) => (await ctx.services.scoring.getModel(await tenantIdOf(ctx, o.tenant), o.name as string, version)).model);
      const reasons = intFlag('--reasons', o.reasons, 0, 10);
      // A reader that stops early (`| head`) ends the run quietly.
      if (o.out === '-') process.stdout.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' ? process.exit(0) : undefined));
      // Streamed in batches: a portfolio of millions of rows scores in flat memory.
      const { rows } = await scoreCsvFile(model, o.csv, o.out, { reasons, ...(o.id ? { id: o.id } : {}) });
      if (o.out !== '-') printJson({ scores: o.out, rows, kind: model.kind });
    });

  m.command('list')
    .description("The tenant's stored models, every version")
    .option('--tenant <slug>', 'tenant slug', defaultTenant())
    .action((o: { tenant: string }) =>
      withContext(async (ctx) => {
        const rows = await ctx.services.scoring.listModels(await tenantIdOf(ctx, o.tenant));
        printTable(rows.map((r) => ({ name: r.name, version: r.version, kind: r.kind, rows: r.rows, trainingAuc: r.auc === null ? '' : r.auc.toFixed(4), trainedAt: r.trained_at, storedAt: r.created_at })));
      }),
    );

  withModelFlags(
    m
      .command('evaluate')
      .description('Stratified k-fold cross-validation: everything is fitted on the training folds; prints metrics per fold and their mean as JSON')
      .requiredOption('--csv <file>', 'data with the target column')
      .requiredOption('--target <column>', 'binary outcome column')
      .option('--id <column>', 'id column, not a feature')
      .option('--folds <k>', 'number of folds', '5'),
  ).action((o: ModelFlags & { csv: string; target: string; id?: string; folds: string }) => {
    const opts = modelOptions(o);
    const folds = intFlag('--folds', o.folds, 2, 20);
    const started = performance.now();
    const t = readFeatureTable(readCsvFile(o.csv), { target: o.target, ...(o.id ? { id: o.id } : {}) });
    const y = t.target as Uint8Array;
    assertTwoClasses(y, o.target);
    let pos = 0;
    for (const v of y) pos += v;
    if (Math.min(pos, y.length - pos) < folds) throw new CliError(`--folds ${folds} needs at least ${folds} rows of each class; the target has ${pos} positive and ${y.length - pos} negative`, 2);
    const cv = evaluateModel(t.features, y, { ...opts, folds, seed: opts.gbm.seed ?? 1 });
    printJson({
      kind: opts.kind,
      csv: o.csv,
      target: o.target,
      rows: y.length,
      positives: pos,
      features: t.features.columns.length,
      folds,
      seed: cv.seed,
      mean: roundMetrics(cv.mean),
      std: roundMetrics(cv.std),
      perFold: cv.perFold.map(roundMetrics),
      seconds: round((performance.now() - started) / 1000),
    });
  });
};
