/** Models stored per tenant: each save of a name is a new version; loads are validated. */
import type { Database } from '../../db/db.ts';
import type { Clock } from '../../lib/clock.ts';
import { invalid, notFound } from '../../lib/errors.ts';
import { parseModel } from './scoring.files.ts';
import type { ScoringModel } from './scoring.model.domain.ts';
import * as repo from './scoring.repo.ts';

export interface ScoringDeps {
  db: Database;
  clock: Clock;
}

const NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

export const createScoringService = ({ db, clock }: ScoringDeps) => ({
  /** Stores the model as the next version of `name`; returns that version. */
  async saveModel(tenantId: string, name: string, model: ScoringModel): Promise<{ name: string; version: number }> {
    if (!NAME.test(name)) throw invalid('SCORING.MODEL_NAME', 'a model name is 1–64 characters: lower-case letters, digits, "_", "." or "-", starting with a letter or digit', [{ field: 'name', value: name, message: 'invalid name' }]);
    const auc = model.metadata.trainingMetrics.auc;
    const version = await repo.insertModel(db, { tenantId, name, kind: model.kind, model, rows: model.metadata.rows, auc: Number.isFinite(auc) ? auc : null, trainedAt: model.metadata.trainedAt, now: clock.now() });
    return { name, version };
  },

  /** A stored model (the latest version unless one is given), validated as a file would be. */
  async getModel(tenantId: string, name: string, version: number | null = null): Promise<{ version: number; model: ScoringModel }> {
    const row = await repo.getModelDocument(db, tenantId, name, version);
    if (!row) throw notFound('model', version === null ? name : `${name} version ${version}`);
    return { version: row.version, model: parseModel(JSON.stringify(row.model), `model ${name} version ${row.version}`) };
  },

  listModels: (tenantId: string) => repo.listModels(db, tenantId),
});

export type ScoringService = ReturnType<typeof createScoringService>;
