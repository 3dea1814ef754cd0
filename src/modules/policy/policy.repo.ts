import type { Sql } from '../../db/db.ts';

export interface PolicyDecisionRow {
  id: string;
  debtor_id: string | null;
  account_id: string | null;
  channel: string;
  proposed_at: Date;
  allowed: boolean;
  reasons: unknown[];
  next_allowed_at: Date | null;
  pack_id: string;
  pack_version: string;
  decided_at: Date;
}

/** Audit trail of decisions the platform acted on (Reg F 1006.100: keep records 3 years). */
export const insertDecision = async (
  sql: Sql,
  d: Omit<PolicyDecisionRow, 'decided_at'> & { tenant_id: string; decided_at: Date },
): Promise<void> => {
  await sql.query(
    `INSERT INTO policy_decisions (tenant_id, id, debtor_id, account_id, channel, proposed_at, allowed, reasons, next_allowed_at, pack_id, pack_version, decided_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8::jsonb,$9,$10,$11,$12)`,
    [d.tenant_id, d.id, d.debtor_id, d.account_id, d.channel, d.proposed_at, d.allowed, JSON.stringify(d.reasons), d.next_allowed_at, d.pack_id, d.pack_version, d.decided_at],
  );
};

export const listDecisions = async (
  sql: Sql,
  tenantId: string,
  f: { debtorId?: string | undefined; accountId?: string | undefined; cursor?: string | undefined; limit: number },
): Promise<PolicyDecisionRow[]> =>
  (
    await sql.query<PolicyDecisionRow>(
      `SELECT id, debtor_id, account_id, channel, proposed_at, allowed, reasons, next_allowed_at, pack_id, pack_version, decided_at
       FROM policy_decisions WHERE tenant_id = $1 AND ($2::text IS NULL OR debtor_id = $2) AND ($3::text IS NULL OR account_id = $3)
         AND ($4::text IS NULL OR id < $4)
       ORDER BY id DESC LIMIT $5`,
      [tenantId, f.debtorId ?? null, f.accountId ?? null, f.cursor ?? null, f.limit],
    )
  ).rows;

/** Many decisions in one statement (the dispatcher records one per contact of a batch). */
export const insertDecisions = async (sql: Sql, tenantId: string, rows: readonly (Omit<PolicyDecisionRow, 'decided_at'> & { decided_at: Date })[]): Promise<void> => {
  if (rows.length === 0) return;
  const col = <T>(f: (r: (typeof rows)[number]) => T) => rows.map(f);
  await sql.query(
    `INSERT INTO policy_decisions (tenant_id, id, debtor_id, account_id, channel, proposed_at, allowed, reasons, next_allowed_at, pack_id, pack_version, decided_at)
     SELECT $1, v.id, v.debtor_id, v.account_id, v.channel, v.proposed_at::timestamptz, v.allowed, v.reasons::jsonb, v.next_allowed_at::timestamptz, v.pack_id, v.pack_version, v.decided_at::timestamptz
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
       AS v(id, debtor_id, account_id, channel, proposed_at, allowed, reasons, next_allowed_at, pack_id, pack_version, decided_at)`,
    [tenantId, col((r) => r.id), col((r) => r.debtor_id), col((r) => r.account_id), col((r) => r.channel), col((r) => r.proposed_at.toISOString()), col((r) => r.allowed),
      col((r) => JSON.stringify(r.reasons)), col((r) => r.next_allowed_at?.toISOString() ?? null), col((r) => r.pack_id), col((r) => r.pack_version), col((r) => r.decided_at.toISOString())],
  );
};
