import type { Sql } from '../../db/db.ts';
import { DEFAULT_BUCKETS, type BucketDef } from './ledger.domain.ts';

export interface TransactionRow {
  tenant_id: string;
  id: string;
  account_id: string;
  kind: 'payment' | 'charge' | 'adjustment' | 'reversal';
  component: 'principal' | 'interest' | 'fees' | null;
  amount_minor: number;
  currency: string;
  occurred_at: Date;
  external_id: string | null;
  reverses_id: string | null;
  allocation: Record<string, number>;
  method: string | null;
  note: string | null;
  created_at: Date;
}

/** The account columns the ledger reads, locked for the length of the caller's transaction. */
export interface LedgerAccountRow {
  id: string;
  creditor_id: string;
  currency: string;
  principal_minor: number;
  interest_minor: number;
  fees_minor: number;
  credit_minor: number;
  status: 'active' | 'paid' | 'settled' | 'charged_off' | 'closed' | 'recalled';
  charged_off_at: string | null;
}

export const lockAccount = async (sql: Sql, tenantId: string, id: string): Promise<LedgerAccountRow | undefined> =>
  (
    await sql.query<LedgerAccountRow>(
      `SELECT id, creditor_id, currency, principal_minor, interest_minor, fees_minor, credit_minor, status, charged_off_at
       FROM accounts WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
      [tenantId, id],
    )
  ).rows[0];

/** The account's schedule (kept on its row as parallel arrays), as instalments numbered from 1. */
export const loadSchedule = async (sql: Sql, tenantId: string, accountId: string): Promise<{ seq: number; dueDate: string; amount: number; paid: number }[]> =>
  (
    await sql.query<{ seq: number; dueDate: string; amount: number; paid: number }>(
      `SELECT u.seq::int AS seq, u.due_date AS "dueDate", u.amount, u.paid
       FROM accounts a CROSS JOIN LATERAL unnest(a.schedule_due_dates, a.schedule_amounts_minor, a.schedule_paid_minor) WITH ORDINALITY AS u(due_date, amount, paid, seq)
       WHERE a.tenant_id = $1 AND a.id = $2 ORDER BY u.seq`,
      [tenantId, accountId],
    )
  ).rows;

export const findTransaction = async (sql: Sql, tenantId: string, id: string): Promise<TransactionRow | undefined> =>
  (await sql.query<TransactionRow>('SELECT * FROM transactions WHERE tenant_id = $1 AND id = $2', [tenantId, id])).rows[0];

export const findTransactionByExternalId = async (sql: Sql, tenantId: string, externalId: string): Promise<TransactionRow | undefined> =>
  (await sql.query<TransactionRow>('SELECT * FROM transactions WHERE tenant_id = $1 AND external_id = $2', [tenantId, externalId])).rows[0];

export const findReversalOf = async (sql: Sql, tenantId: string, id: string): Promise<TransactionRow | undefined> =>
  (await sql.query<TransactionRow>('SELECT * FROM transactions WHERE tenant_id = $1 AND reverses_id = $2', [tenantId, id])).rows[0];

export const insertTransaction = async (sql: Sql, t: Omit<TransactionRow, 'created_at'>): Promise<TransactionRow> =>
  (
    await sql.query<TransactionRow>(
      `INSERT INTO transactions (tenant_id, id, account_id, kind, component, amount_minor, currency, occurred_at, external_id, reverses_id, allocation, method, note)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11::jsonb,$12,$13) RETURNING *`,
      [t.tenant_id, t.id, t.account_id, t.kind, t.component, t.amount_minor, t.currency, t.occurred_at, t.external_id, t.reverses_id, JSON.stringify(t.allocation), t.method, t.note],
    )
  ).rows[0]!;

export const listTransactions = async (
  sql: Sql,
  tenantId: string,
  f: { accountId?: string | undefined; kind?: string | undefined; cursor?: string | undefined; limit: number; from?: string | undefined; to?: string | undefined },
): Promise<TransactionRow[]> =>
  (
    await sql.query<TransactionRow>(
      `SELECT * FROM transactions WHERE tenant_id = $1 AND ($2::text IS NULL OR account_id = $2) AND ($3::text IS NULL OR kind = $3)
         AND ($4::text IS NULL OR id > $4) AND ($6::timestamptz IS NULL OR occurred_at >= $6) AND ($7::timestamptz IS NULL OR occurred_at < $7)
       ORDER BY id LIMIT $5`,
      [tenantId, f.accountId ?? null, f.kind ?? null, f.cursor ?? null, f.limit, f.from ?? null, f.to ?? null],
    )
  ).rows;

/** Saves the account's new balance, derived delinquency and status after one transaction. */
export const saveAccountBalance = async (
  sql: Sql,
  tenantId: string,
  accountId: string,
  s: { principal: number; interest: number; fees: number; credit: number; status: string; dpd: number; bucket: string; asOf: string; oldestUnpaid: string | null; at: Date },
): Promise<void> => {
  await sql.query(
    `UPDATE accounts SET principal_minor = $3, interest_minor = $4, fees_minor = $5, credit_minor = $6, status = $7, days_past_due = $8,
       bucket = $9, dpd_as_of = $10, oldest_unpaid_due_date = $11, updated_at = $12, version = version + 1
     WHERE tenant_id = $1 AND id = $2`,
    [tenantId, accountId, s.principal, s.interest, s.fees, s.credit, s.status, s.dpd, s.bucket, s.asOf, s.oldestUnpaid, s.at],
  );
};

/** Saves what is paid of each instalment (element i of `paid` is instalment i + 1). */
export const savePaidAmounts = async (sql: Sql, tenantId: string, accountId: string, paid: readonly number[]): Promise<void> => {
  if (paid.length === 0) return;
  await sql.query(
    `UPDATE accounts SET schedule_paid_minor = $3::bigint[]
     WHERE tenant_id = $1 AND id = $2 AND schedule_paid_minor IS DISTINCT FROM $3::bigint[]`,
    [tenantId, accountId, paid],
  );
};

/** The SQL form of bucketFor: a CASE over `dpdExpr` built from the same bucket definitions. */
export const bucketCaseSql = (dpdExpr: string, buckets: readonly BucketDef[]): string =>
  `CASE ${buckets
    .map((b) => (b.maxDays === null ? `ELSE '${b.name.replaceAll("'", "''")}'` : `WHEN ${dpdExpr} <= ${Number(b.maxDays)} THEN '${b.name.replaceAll("'", "''")}'`))
    .join(' ')} END`;

/**
 * Recomputes days past due and bucket for every open account of every tenant as of `asOf`, in
 * one set-based statement (the nightly refresh), writing only rows that change.
 */
export const refreshDaysPastDue = async (sql: Sql, asOf: string, buckets: readonly BucketDef[] = DEFAULT_BUCKETS): Promise<number> =>
  (
    await sql.query(
      `WITH oldest AS (
         SELECT a.tenant_id, a.id, oldest_unpaid_due(a.schedule_due_dates, a.schedule_amounts_minor, a.schedule_paid_minor, $1::date) AS due
         FROM accounts a WHERE a.status IN ('active', 'charged_off')
       ), d AS (SELECT tenant_id, id, due, COALESCE($1::date - due, 0) AS dpd FROM oldest)
       UPDATE accounts a SET days_past_due = d.dpd, oldest_unpaid_due_date = d.due, dpd_as_of = $1::date,
         bucket = ${bucketCaseSql('d.dpd', buckets)}
       FROM d WHERE a.tenant_id = d.tenant_id AND a.id = d.id
         AND (a.days_past_due IS DISTINCT FROM d.dpd OR a.dpd_as_of IS DISTINCT FROM $1::date)`,
      [asOf],
    )
  ).rowCount;
