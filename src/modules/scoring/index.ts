/**
 * Scoring (capability 4): default-risk / propensity models trained from any CSV — an explainable
 * WoE scorecard and histogram gradient-boosted trees — with reason codes, cross-validation and a
 * versioned model file. docs/scoring.md.
 */
export { readFeatureTable, assertTwoClasses, type FeatureTable, type ReadTable, type Column, type ColumnKind } from './scoring.table.domain.ts';
export { trainModel, scoreModel, evaluateModel, type ScoringModel, type ScoreResult, type TrainOptions } from './scoring.model.domain.ts';
export { readCsvFile, saveModel, loadModel, parseModel, scoresCsv, scoreCsvFile } from './scoring.files.ts';
export { MODEL_KINDS, MODEL_FORMAT, MODEL_VERSION, type ModelKind } from './scoring.types.ts';
export { GBM_DEFAULTS, type GbmOptions } from './scoring.gbm.domain.ts';
export { DEFAULT_SCALING, type Scaling } from './scoring.scorecard.domain.ts';
export { allMetrics, type Metrics } from './scoring.metrics.domain.ts';
export type { CrossValidation } from './scoring.evaluate.domain.ts';
export { generateCredit, creditCsv, creditTable, UCI_FEATURES, UCI_TARGET } from './scoring.synthetic.ts';
export { createScoringService, type ScoringService, type ScoringDeps } from './scoring.service.ts';
