import type { Sql } from '../../db/db.ts';

export interface ModelRow {
  name: string;
  version: number;
  kind: string;
  rows: number;
  auc: number | null;
  trained_at: Date;
  created_at: Date;
}

/** Stores the next version of `name` (1 for a new name) and returns it; one statement, so two concurrent saves cannot take the same number silently (the key refuses the second). */
export const insertModel = async (sql: Sql, m: { tenantId: string; name: string; kind: string; model: unknown; rows: number; auc: number | null; trainedAt: string; now: Date }): Promise<number> => {
  const r = await sql.query<{ version: number }>(
    `INSERT INTO scoring_models (tenant_id, name, version, kind, model, rows, auc, trained_at, created_at)
     SELECT $1, $2, COALESCE(MAX(version), 0) + 1, $3, $4::jsonb, $5, $6, $7, $8 FROM scoring_models WHERE tenant_id = $1 AND name = $2
     RETURNING version`,
    [m.tenantId, m.name, m.kind, JSON.stringify(m.model), m.rows, m.auc, m.trainedAt, m.now],
  );
  return (r.rows[0] as { version: number }).version;
};

/** The model document of a version, or of the latest version when `version` is null. */
export const getModelDocument = async (sql: Sql, tenantId: string, name: string, version: number | null): Promise<{ version: number; model: unknown } | null> => {
  const r = await sql.query<{ version: number; model: unknown }>(
    `SELECT version, model FROM scoring_models WHERE tenant_id = $1 AND name = $2 AND ($3::int IS NULL OR version = $3)
     ORDER BY version DESC LIMIT 1`,
    [tenantId, name, version],
  );
  return r.rows[0] ?? null;
};

export const listModels = async (sql: Sql, tenantId: string): Promise<ModelRow[]> =>
  (
    await sql.query<ModelRow>(
      `SELECT name, version, kind, rows, auc, trained_at, created_at FROM scoring_models WHERE tenant_id = $1 ORDER BY name, version DESC`,
      [tenantId],
    )
  ).rows;
