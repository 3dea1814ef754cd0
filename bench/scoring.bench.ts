import { creditTable, generateCredit, scoreModel, trainModel, allMetrics } from '../src/modules/scoring/index.ts';
import type { ModelKind } from '../src/modules/scoring/index.ts';
import { peakRssMB, round } from './support.ts';

/**
 * B5 — train the propensity (default-risk) model on 150k rows; score 1M accounts
 * (BENCHMARKS.md: train ≤ 30 s; score ≥ 200k accounts/s). Data: the seeded UCI-like generator
 * (23 features, ~22% positives). Training is the full fit: binning, inner validation split, early
 * stopping, calibration. Scoring is probability + score points + top-3 reason codes from an
 * in-memory feature table, in chunks of 100k accounts (as a daily run would stream them), timed
 * without the data generation. The holdout AUC shows the model trained is a real one.
 *
 * Run alone: `node bench/scoring.bench.ts [--train 150000 --score 1000000 --kind gbm]`.
 */
export async function benchScoring(opts: { trainRows?: number; scoreRows?: number; kind?: ModelKind } = {}): Promise<Record<string, unknown>> {
  const trainRows = opts.trainRows ?? 150_000;
  const scoreRows = opts.scoreRows ?? 1_000_000;
  const kind = opts.kind ?? 'gbm';
  const train = generateCredit(trainRows, 20_261_123);
  const holdout = generateCredit(50_000, 20_261_124);

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const model = trainModel(creditTable(train), train.target, { kind, target: 'default payment next month', trainedAt: new Date().toISOString() });
  const trainSeconds = (performance.now() - t0) / 1000;
  const trainCpu = process.cpuUsage(cpu0);
  const holdoutMetrics = allMetrics(holdout.target, scoreModel(model, creditTable(holdout), { reasons: 0 }).probability);

  // Scoring: warm the scorer once on the holdout, then 1M accounts in 100k chunks.
  scoreModel(model, creditTable(holdout));
  const chunk = 100_000;
  let scoreMs = 0;
  let scoreCpuUs = 0;
  let scored = 0;
  let withReasons = 0;
  for (let seed = 1; scored < scoreRows; seed++) {
    const d = generateCredit(Math.min(chunk, scoreRows - scored), 30_000 + seed);
    const table = creditTable(d);
    const s0 = performance.now();
    const c0 = process.cpuUsage();
    const r = scoreModel(model, table, { reasons: 3 });
    const c = process.cpuUsage(c0);
    scoreMs += performance.now() - s0;
    scoreCpuUs += c.user + c.system;
    scored += d.rows;
    for (let i = 0; i < d.rows; i++) if ((r.reasons[i * 3] as number) >= 0) withReasons++;
  }
  const scoreRate = Math.round(scored / (scoreMs / 1000));
  const pass = trainSeconds <= 30 && scoreRate >= 200_000;
  return {
    workload: 'B5',
    value: scoreRate,
    unit: 'accounts/s',
    reference: null,
    ratio: null,
    target: 'train ≤ 30 s on 150k rows; score ≥ 200000 accounts/s',
    pass,
    rssMB: peakRssMB(),
    kind,
    trainRows,
    trainSeconds: round(trainSeconds, 2),
    trainCpuSeconds: round((trainCpu.user + trainCpu.system) / 1e6, 2),
    trees: model.kind === 'gbm' ? model.gbm.trees.length : undefined,
    scoredAccounts: scored,
    scoreSeconds: round(scoreMs / 1000, 2),
    scoreRate,
    // Per second of this process's CPU time: what an unshared core would do (the machines are shared).
    cpuScoreRate: Math.round(scored / (scoreCpuUs / 1e6)),
    ...(await scorecardFigures(train, holdout)),
    shareWithReasons: round(withReasons / scored, 3),
    holdoutRows: holdout.rows,
    holdoutAuc: round(holdoutMetrics.auc, 4),
    holdoutKs: round(holdoutMetrics.ks, 4),
    holdoutBrier: round(holdoutMetrics.brier, 4),
    holdoutEce: round(holdoutMetrics.ece, 4),
  };
}

/** The explainable scorecard on the same data, for comparison (train time, holdout AUC, scoring rate). */
async function scorecardFigures(train: ReturnType<typeof generateCredit>, holdout: ReturnType<typeof generateCredit>): Promise<Record<string, number>> {
  const t0 = performance.now();
  const model = trainModel(creditTable(train), train.target, { kind: 'scorecard', target: 'default payment next month', trainedAt: new Date().toISOString() });
  const trainSeconds = (performance.now() - t0) / 1000;
  const table = creditTable(holdout);
  scoreModel(model, table);
  const s0 = performance.now();
  let rows = 0;
  let auc = 0;
  for (let k = 0; k < 5; k++) {
    const r = scoreModel(model, table, { reasons: 3 });
    rows += holdout.rows;
    if (k === 0) auc = allMetrics(holdout.target, r.probability).auc;
  }
  return { scorecardTrainSeconds: round(trainSeconds, 2), scorecardScoreRate: Math.round(rows / ((performance.now() - s0) / 1000)), scorecardHoldoutAuc: round(auc, 4) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { parseArgs } = await import('./support.ts');
  const a = parseArgs(process.argv.slice(2));
  console.log(JSON.stringify(await benchScoring({ trainRows: a.train ? Number(a.train) : undefined, scoreRows: a.score ? Number(a.score) : undefined, kind: a.kind as ModelKind | undefined })));
}
