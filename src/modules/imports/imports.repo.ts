/**
 * All SQL of the import. Rows reach PostgreSQL by COPY into per-session temporary staging tables,
 * then move into the real tables with set-based statements — a handful of statements per batch
 * of thousands of rows, never one per row.
 */
import type { Sql } from '../../db/db.ts';
import type { LedgerAccountRow } from '../ledger/index.ts';
import { bucketCaseSql, DEFAULT_BUCKETS } from '../ledger/index.ts';
import type { ImportError, ImportStatus } from './imports.types.ts';

export type CopyValue = string | number | boolean | null | readonly (string | number)[];

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const escapeCopy = (s: string): string => (/[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : s);

/** Rows in COPY's text format (tab-separated, `\N` for null, arrays as `{a,b}` literals). */
export const copyText = (rows: readonly (readonly CopyValue[])[]): string => {
  const lines = new Array<string>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    let line = '';
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      const cell = v === null || v === undefined ? '\\N' : typeof v === 'string' ? escapeCopy(v) : typeof v === 'boolean' ? (v ? 't' : 'f') : typeof v === 'number' ? String(v) : `{${v.join(',')}}`;
      line = i === 0 ? cell : `${line}\t${cell}`;
    }
    lines[r] = line;
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
};

// Staging tables live for the session and are emptied at each commit; batches also truncate them
// first, because all-or-nothing and dry runs write many batches in one transaction.
//
// Every join from a staged row to a portfolio table is a correlated LATERAL (… LIMIT 1) probe of a
// unique index. Planned as ordinary joins, the planner may read the tenant's whole table once per
// batch (a hash join), or worse: during a bulk load the table statistics are stale (autovacuum
// has not analysed the rows just added), and a plan built for "312 debtors" against 300k real ones
// ran for minutes per batch. A probe per staged row keeps a batch's cost proportional to the batch.
const STAGING = `DO $$ BEGIN
  IF to_regclass('pg_temp.imp_transactions') IS NULL THEN
    CREATE TEMP TABLE imp_accounts (row_number int, creditor_id text, debtor_ref text, external_ref text, id text, product text, currency text,
      original_principal_minor bigint, principal_minor bigint, interest_minor bigint, fees_minor bigint, status text, status_on_insert text,
      opened_at date, charged_off_at date, has_schedule boolean, due_dates date[], amounts bigint[], paids bigint[], days_past_due int, bucket text,
      oldest_unpaid_due_date date, existing_id text, pre boolean, existing_currency text) ON COMMIT DELETE ROWS;
    CREATE TEMP TABLE imp_debtors (creditor_id text, external_ref text, id text, kind text, given_name text, family_name text, company_name text,
      national_id text, birth_date date, language text, language_default text, country text, country_default text, region text, timezone text,
      timezone_default text) ON COMMIT DELETE ROWS;
    CREATE TEMP TABLE imp_contacts (creditor_id text, debtor_ref text, id text, kind text, value text, address jsonb, label text, is_primary boolean,
      consent text) ON COMMIT DELETE ROWS;
    CREATE TEMP TABLE imp_transactions (id text, account_id text, kind text, component text, amount_minor bigint, currency text, occurred_at timestamptz,
      external_id text, reverses_id text, allocation jsonb, method text, note text) ON COMMIT DELETE ROWS;
  END IF;
END $$`;

export const prepareStaging = async (sql: Sql): Promise<void> => {
  await sql.query(STAGING);
  await sql.query('TRUNCATE imp_accounts, imp_debtors, imp_contacts, imp_transactions');
};

/** Asks the server not to wait for the WAL flush at each batch commit (see service for why). */
export const relaxCommit = async (sql: Sql): Promise<void> => {
  await sql.query('SET LOCAL synchronous_commit = off');
};

export const copyAccounts = (sql: Sql, rows: readonly (readonly CopyValue[])[]): Promise<void> =>
  sql.copyIn(
    `COPY imp_accounts (row_number, creditor_id, debtor_ref, external_ref, id, product, currency, original_principal_minor, principal_minor, interest_minor,
       fees_minor, status, status_on_insert, opened_at, charged_off_at, has_schedule, due_dates, amounts, paids, days_past_due, bucket, oldest_unpaid_due_date) FROM STDIN`,
    copyText(rows),
  );

export const copyDebtors = (sql: Sql, rows: readonly (readonly CopyValue[])[]): Promise<void> =>
  sql.copyIn(
    `COPY imp_debtors (creditor_id, external_ref, id, kind, given_name, family_name, company_name, national_id, birth_date, language, language_default,
       country, country_default, region, timezone, timezone_default) FROM STDIN`,
    copyText(rows),
  );

export const copyContacts = (sql: Sql, rows: readonly (readonly CopyValue[])[]): Promise<void> =>
  rows.length === 0 ? Promise.resolve() : sql.copyIn('COPY imp_contacts (creditor_id, debtor_ref, id, kind, value, address, label, is_primary, consent) FROM STDIN', copyText(rows));

/**
 * Marks staged accounts that already exist (keeping their id) and returns them: the caller refuses
 * those whose file currency differs from the stored one (the ledger holds amounts in it) and
 * replaces the schedules of the others by id.
 */
export const classifyAccounts = async (
  sql: Sql,
  tenantId: string,
  importStart: Date,
): Promise<{ row_number: number; id: string; currency: string; existing: string; has_schedule: boolean }[]> =>
  (
    await sql.query<{ row_number: number; id: string; currency: string; existing: string; has_schedule: boolean }>(
      `WITH u AS (
         UPDATE imp_accounts s SET (existing_id, pre, existing_currency) = (
           SELECT a.id, a.created_at < $2, a.currency::text FROM accounts a
           WHERE a.tenant_id = $1 AND a.creditor_id = s.creditor_id AND a.external_ref = s.external_ref)
         RETURNING s.row_number, s.existing_id, s.currency, s.existing_currency, s.has_schedule)
       SELECT row_number, existing_id AS id, currency, existing_currency AS existing, has_schedule FROM u WHERE existing_id IS NOT NULL`,
      [tenantId, importStart],
    )
  ).rows;

export const dropStagedAccounts = async (sql: Sql, rowNumbers: readonly number[]): Promise<void> => {
  await sql.query('DELETE FROM imp_accounts WHERE row_number = ANY($1::int[])', [rowNumbers]);
};

const DEBTOR_FIELDS = ['kind', 'given_name', 'family_name', 'company_name', 'national_id', 'birth_date', 'language', 'country', 'region', 'timezone'] as const;
const DEBTOR_DEFAULTS: Partial<Record<(typeof DEBTOR_FIELDS)[number], string>> = { kind: "'person'", language: 's.language_default', country: 's.country_default', timezone: 's.timezone_default' };

/**
 * Upserts the staged debtors. An existing one (matched by creditor and reference) keeps its id and
 * every value the file leaves empty, and is rewritten only when something differs; a new one gets
 * the defaults. `updated` counts debtors that existed before this import began. (A debtor another
 * session inserts between the lookup and the insert is merged with the file's values over it.)
 */
export const upsertDebtors = async (sql: Sql, tenantId: string, importStart: Date): Promise<{ created: number; updated: number }> => {
  const merged = DEBTOR_FIELDS.map((f) => `COALESCE(s.${f}, x.${f}${DEBTOR_DEFAULTS[f] ? `, ${DEBTOR_DEFAULTS[f]}` : ''}) AS ${f}`);
  const r = await sql.query<{ created: number; updated: number }>(
    `WITH src AS MATERIALIZED (
       SELECT s.id, s.creditor_id, s.external_ref, x.created_at < $2 AS pre, ${merged.join(', ')}
       FROM imp_debtors s
       LEFT JOIN LATERAL (SELECT * FROM debtors d WHERE d.tenant_id = $1 AND d.creditor_id = s.creditor_id AND d.external_ref = s.external_ref LIMIT 1) x ON true
     ), ins AS (
       INSERT INTO debtors (tenant_id, id, creditor_id, external_ref, ${DEBTOR_FIELDS.join(', ')})
       SELECT $1, id, creditor_id, external_ref, ${DEBTOR_FIELDS.join(', ')} FROM src ORDER BY id
       ON CONFLICT (tenant_id, creditor_id, external_ref) DO UPDATE SET
         ${DEBTOR_FIELDS.map((f) => `${f} = EXCLUDED.${f}`).join(', ')}, updated_at = now(), version = debtors.version + 1
       WHERE (${DEBTOR_FIELDS.map((f) => `debtors.${f}`).join(', ')}) IS DISTINCT FROM (${DEBTOR_FIELDS.map((f) => `EXCLUDED.${f}`).join(', ')})
       RETURNING (xmax = 0) AS created
     )
     SELECT (SELECT count(*) FROM ins WHERE created)::int AS created, (SELECT count(*) FROM src WHERE pre)::int AS updated`,
    [tenantId, importStart],
  );
  return r.rows[0]!;
};

/**
 * Upserts staged contact points by (debtor, kind, value). An existing one keeps its opt-out and,
 * unless the file states a consent, its consent; the consent time is the import's.
 */
export const upsertContacts = async (sql: Sql, tenantId: string, at: Date): Promise<number> =>
  (
    await sql.query<{ created: number }>(
      `WITH ins AS (
         INSERT INTO contact_points (tenant_id, id, debtor_id, kind, value, address, label, is_primary, consent, consent_at)
         SELECT $1, c.id, d.id, c.kind, c.value, c.address, c.label, c.is_primary, COALESCE(c.consent, 'unknown'),
           CASE WHEN c.consent IS NOT NULL THEN $2::timestamptz END
         FROM imp_contacts c
         JOIN LATERAL (SELECT d.id FROM debtors d WHERE d.tenant_id = $1 AND d.creditor_id = c.creditor_id AND d.external_ref = c.debtor_ref LIMIT 1) d ON true
         ORDER BY d.id, c.kind, c.value
         ON CONFLICT (tenant_id, debtor_id, kind, value) DO UPDATE SET
           label = COALESCE(EXCLUDED.label, contact_points.label),
           address = COALESCE(EXCLUDED.address, contact_points.address),
           consent = CASE WHEN EXCLUDED.consent_at IS NULL THEN contact_points.consent ELSE EXCLUDED.consent END,
           consent_at = CASE WHEN EXCLUDED.consent_at IS NULL OR EXCLUDED.consent = contact_points.consent THEN contact_points.consent_at ELSE EXCLUDED.consent_at END
         WHERE (EXCLUDED.label IS NOT NULL AND EXCLUDED.label IS DISTINCT FROM contact_points.label)
            OR (EXCLUDED.address IS NOT NULL AND EXCLUDED.address IS DISTINCT FROM contact_points.address)
            OR (EXCLUDED.consent_at IS NOT NULL AND EXCLUDED.consent <> contact_points.consent)
         RETURNING (xmax = 0) AS created)
       SELECT count(*) FILTER (WHERE created)::int AS created FROM ins`,
      [tenantId, at],
    )
  ).rows[0]!.created;

/**
 * The SQL form of the ledger's statusAfter, over a balance the file may give only in part:
 * a balance of zero makes an active or charged-off account paid; a paid one owing again reopens.
 */
const statusSql = (st: string, owed: string, chargedOff: string): string =>
  `CASE WHEN ${st} IN ('active', 'charged_off') AND ${owed} = 0 THEN 'paid'
        WHEN ${st} = 'paid' AND ${owed} > 0 THEN CASE WHEN ${chargedOff} IS NOT NULL THEN 'charged_off' ELSE 'active' END
        ELSE ${st} END`;

const ACCOUNT_FIELDS = [
  'debtor_id', 'product', 'original_principal_minor', 'principal_minor', 'interest_minor', 'fees_minor', 'status', 'opened_at', 'charged_off_at',
  'days_past_due', 'bucket', 'oldest_unpaid_due_date', 'schedule_due_dates', 'schedule_amounts_minor', 'schedule_paid_minor',
] as const;

/**
 * Upserts staged accounts (debtor resolved by reference), merging a file's partial balance with
 * the stored one. Rows with a schedule carry their delinquency computed from it; for the others
 * it is recomputed from the stored schedule as of `asOf` in the same statement. Returns how many
 * were written: a shortfall means a row lost its debtor or a race (an account created meanwhile in
 * another currency), and the caller redoes the batch row by row.
 */
export const upsertAccounts = async (sql: Sql, tenantId: string, asOf: string): Promise<{ written: number; staged: number; created: number; updated: number }> => {
  const dpd = 'COALESCE($2::date - o.due, 0)';
  const interest = 'COALESCE(s.interest_minor, x.interest_minor, 0)';
  const fees = 'COALESCE(s.fees_minor, x.fees_minor, 0)';
  const chargedOff = 'COALESCE(s.charged_off_at, x.charged_off_at)';
  const st = `COALESCE(s.status, CASE WHEN x.status = 'active' AND s.charged_off_at IS NOT NULL THEN 'charged_off' ELSE x.status END)`;
  const r = await sql.query<{ written: number; staged: number; created: number; updated: number }>(
    `WITH src AS MATERIALIZED (
       SELECT s.id, s.creditor_id, s.external_ref, s.currency, d.id AS debtor_id,
         COALESCE(s.product, x.product, 'unspecified') AS product,
         COALESCE(s.original_principal_minor, x.original_principal_minor, s.principal_minor) AS original_principal_minor,
         s.principal_minor, ${interest} AS interest_minor, ${fees} AS fees_minor,
         CASE WHEN x.id IS NULL THEN s.status_on_insert ELSE ${statusSql(st, `s.principal_minor + ${interest} + ${fees}`, chargedOff)} END AS status,
         COALESCE(s.opened_at, x.opened_at) AS opened_at, ${chargedOff} AS charged_off_at,
         CASE WHEN s.has_schedule OR x.id IS NULL THEN s.days_past_due ELSE ${dpd} END AS days_past_due,
         CASE WHEN s.has_schedule OR x.id IS NULL THEN s.bucket ELSE ${bucketCaseSql(dpd, DEFAULT_BUCKETS)} END AS bucket,
         CASE WHEN s.has_schedule OR x.id IS NULL THEN s.oldest_unpaid_due_date ELSE o.due END AS oldest_unpaid_due_date,
         CASE WHEN s.has_schedule OR x.id IS NULL THEN COALESCE(s.due_dates, '{}') ELSE x.schedule_due_dates END AS schedule_due_dates,
         CASE WHEN s.has_schedule OR x.id IS NULL THEN COALESCE(s.amounts, '{}') ELSE x.schedule_amounts_minor END AS schedule_amounts_minor,
         CASE WHEN s.has_schedule OR x.id IS NULL THEN COALESCE(s.paids, '{}') ELSE x.schedule_paid_minor END AS schedule_paid_minor
       FROM imp_accounts s
       JOIN LATERAL (SELECT d.id FROM debtors d WHERE d.tenant_id = $1 AND d.creditor_id = s.creditor_id AND d.external_ref = s.debtor_ref LIMIT 1) d ON true
       LEFT JOIN LATERAL (SELECT * FROM accounts a WHERE a.tenant_id = $1 AND a.id = s.existing_id LIMIT 1) x ON true
       CROSS JOIN LATERAL (SELECT CASE WHEN x.id IS NOT NULL AND NOT s.has_schedule
         THEN oldest_unpaid_due(x.schedule_due_dates, x.schedule_amounts_minor, x.schedule_paid_minor, $2::date) END AS due) o
     ), ins AS (
       INSERT INTO accounts (tenant_id, id, creditor_id, external_ref, currency, dpd_as_of, ${ACCOUNT_FIELDS.join(', ')})
       SELECT $1, id, creditor_id, external_ref, currency, $2::date, ${ACCOUNT_FIELDS.join(', ')} FROM src ORDER BY id
       ON CONFLICT (tenant_id, creditor_id, external_ref) DO UPDATE SET
         ${ACCOUNT_FIELDS.map((f) => `${f} = EXCLUDED.${f}`).join(', ')}, dpd_as_of = EXCLUDED.dpd_as_of, updated_at = now(), version = accounts.version + 1
       WHERE accounts.currency = EXCLUDED.currency
       RETURNING (xmax = 0) AS created
     )
     SELECT (SELECT count(*) FROM ins)::int AS written, (SELECT count(*) FROM imp_accounts)::int AS staged,
       (SELECT count(*) FROM ins WHERE created)::int AS created, (SELECT count(*) FROM imp_accounts WHERE pre)::int AS updated`,
    [tenantId, asOf],
  );
  return r.rows[0]!;
};

// ---- transactions files ----

/** The ledger's view of an account, plus the reference a transactions file names it by. */
export interface LockedAccount extends LedgerAccountRow {
  external_ref: string;
}

/**
 * Locks the batch's accounts, one unique-index probe each, in the order given: callers sort the
 * references, so two imports touching the same accounts take their locks in the same order.
 */
export const lockAccountsByRef = async (sql: Sql, tenantId: string, creditorIds: readonly string[], refs: readonly string[]): Promise<LockedAccount[]> =>
  (
    await sql.query<LockedAccount>(
      `SELECT a.* FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS r(creditor_id, external_ref, n)
       CROSS JOIN LATERAL (
         SELECT a.id, a.creditor_id, a.external_ref, a.currency::text AS currency, a.principal_minor, a.interest_minor, a.fees_minor, a.credit_minor,
           a.status, a.charged_off_at
         FROM accounts a WHERE a.tenant_id = $1 AND a.creditor_id = r.creditor_id AND a.external_ref = r.external_ref LIMIT 1 FOR UPDATE) a
       ORDER BY r.n`,
      [tenantId, creditorIds, refs],
    )
  ).rows;

/** The schedules of these accounts, one row per instalment (seq from 1). */
export const loadSchedules = async (sql: Sql, tenantId: string, accountIds: readonly string[]): Promise<{ account_id: string; seq: number; due_date: string; amount_minor: number; paid_minor: number }[]> =>
  (
    await sql.query<{ account_id: string; seq: number; due_date: string; amount_minor: number; paid_minor: number }>(
      `SELECT a.id AS account_id, u.seq::int AS seq, u.due_date, u.amount_minor, u.paid_minor
       FROM accounts a CROSS JOIN LATERAL unnest(a.schedule_due_dates, a.schedule_amounts_minor, a.schedule_paid_minor) WITH ORDINALITY AS u(due_date, amount_minor, paid_minor, seq)
       WHERE a.tenant_id = $1 AND a.id = ANY($2::text[]) ORDER BY a.id, u.seq`,
      [tenantId, accountIds],
    )
  ).rows;

export interface RecordedTransaction {
  id: string;
  account_id: string;
  kind: 'payment' | 'charge' | 'adjustment' | 'reversal';
  component: 'principal' | 'interest' | 'fees' | null;
  amount_minor: number;
  external_id: string;
  allocation: Record<string, number>;
  reversed: boolean;
}

/** Transactions already recorded under these external ids, and whether each was reversed. */
export const findTransactionsByExternalId = async (sql: Sql, tenantId: string, externalIds: readonly string[]): Promise<RecordedTransaction[]> =>
  (
    await sql.query<RecordedTransaction>(
      `SELECT t.id, t.account_id, t.kind, t.component, t.amount_minor, t.external_id, t.allocation,
         EXISTS (SELECT 1 FROM transactions r WHERE r.tenant_id = $1 AND r.reverses_id = t.id) AS reversed
       FROM transactions t WHERE t.tenant_id = $1 AND t.external_id = ANY($2::text[])`,
      [tenantId, externalIds],
    )
  ).rows;

export interface NewTransaction {
  id: string;
  accountId: string;
  kind: string;
  component: string | null;
  amountMinor: number;
  currency: string;
  occurredAt: Date;
  externalId: string;
  reversesId: string | null;
  allocation: Record<string, number | undefined>;
  method: string | null;
  note: string | null;
}

export const insertTransactions = async (sql: Sql, tenantId: string, rows: readonly NewTransaction[]): Promise<void> => {
  if (rows.length === 0) return;
  await sql.copyIn(
    'COPY imp_transactions (id, account_id, kind, component, amount_minor, currency, occurred_at, external_id, reverses_id, allocation, method, note) FROM STDIN',
    copyText(rows.map((t) => [t.id, t.accountId, t.kind, t.component, t.amountMinor, t.currency, t.occurredAt.toISOString(), t.externalId, t.reversesId, JSON.stringify(t.allocation), t.method, t.note])),
  );
  await sql.query(
    `INSERT INTO transactions (tenant_id, id, account_id, kind, component, amount_minor, currency, occurred_at, external_id, reverses_id, allocation, method, note)
     SELECT $1, id, account_id, kind, component, amount_minor, currency, occurred_at, external_id, reverses_id, allocation, method, note
     FROM imp_transactions ORDER BY id`,
    [tenantId],
  );
};

export interface AccountBalance {
  id: string;
  principal: number;
  interest: number;
  fees: number;
  credit: number;
  status: string;
  dpd: number;
  bucket: string;
  oldestUnpaid: string | null;
}

/** Saves the balances and delinquency of the accounts a batch of transactions touched. */
export const saveBalances = async (sql: Sql, tenantId: string, asOf: string, rows: readonly AccountBalance[]): Promise<void> => {
  if (rows.length === 0) return;
  await sql.query(
    `UPDATE accounts a SET principal_minor = u.principal, interest_minor = u.interest, fees_minor = u.fees, credit_minor = u.credit, status = u.status,
       days_past_due = u.dpd, bucket = u.bucket, oldest_unpaid_due_date = u.oldest, dpd_as_of = $2::date, updated_at = now(), version = a.version + 1
     FROM unnest($3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::text[], $9::int[], $10::text[], $11::date[])
       AS u(id, principal, interest, fees, credit, status, dpd, bucket, oldest)
     WHERE a.tenant_id = $1 AND a.id = u.id`,
    [
      tenantId, asOf, rows.map((r) => r.id), rows.map((r) => r.principal), rows.map((r) => r.interest), rows.map((r) => r.fees),
      rows.map((r) => r.credit), rows.map((r) => r.status), rows.map((r) => r.dpd), rows.map((r) => r.bucket), rows.map((r) => r.oldestUnpaid),
    ],
  );
};

/** Saves what is paid of each instalment of these accounts (`paid[i]` is instalment i + 1). */
export const savePaid = async (sql: Sql, tenantId: string, rows: readonly { accountId: string; paid: readonly number[] }[]): Promise<void> => {
  if (rows.length === 0) return;
  // A two-dimensional array parameter would need equal lengths; each schedule travels as a literal.
  await sql.query(
    `UPDATE accounts a SET schedule_paid_minor = u.paid::bigint[] FROM unnest($2::text[], $3::text[]) AS u(account_id, paid)
     WHERE a.tenant_id = $1 AND a.id = u.account_id`,
    [tenantId, rows.map((r) => r.accountId), rows.map((r) => `{${r.paid.join(',')}}`)],
  );
};

// ---- imports and their errors ----

export interface ImportRow {
  tenant_id: string;
  id: string;
  filename: string;
  format: string;
  status: ImportStatus;
  dry_run: boolean;
  all_or_nothing: boolean;
  rows_total: number;
  rows_imported: number;
  rows_failed: number;
  summary: Record<string, unknown>;
  started_at: Date;
  finished_at: Date | null;
}

/** Refreshes planner statistics; PGlite has no autovacuum to do it after a bulk load. */
export const analyzeTables = async (sql: Sql, tables: readonly ('debtors' | 'contact_points' | 'accounts' | 'transactions')[]): Promise<void> => {
  await sql.query(`ANALYZE ${tables.join(', ')}`);
};

export const databaseNow = async (sql: Sql): Promise<Date> => (await sql.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now;

export const tenantCountry = async (sql: Sql, tenantId: string): Promise<string | undefined> =>
  (await sql.query<{ country: string }>('SELECT country FROM tenants WHERE id = $1', [tenantId])).rows[0]?.country;

export const insertImport = async (
  sql: Sql,
  i: { tenantId: string; id: string; filename: string; format: string; dryRun: boolean; allOrNothing: boolean; startedAt: Date; summary: Record<string, unknown> },
): Promise<void> => {
  await sql.query(
    `INSERT INTO imports (tenant_id, id, filename, format, status, dry_run, all_or_nothing, started_at, summary)
     VALUES ($1, $2, $3, $4, 'running', $5, $6, $7, $8::jsonb)`,
    [i.tenantId, i.id, i.filename, i.format, i.dryRun, i.allOrNothing, i.startedAt, JSON.stringify(i.summary)],
  );
};

export const finishImport = async (
  sql: Sql,
  tenantId: string,
  id: string,
  f: { status: ImportStatus; rowsTotal: number; rowsImported: number; rowsFailed: number; summary: Record<string, unknown>; finishedAt: Date },
): Promise<void> => {
  await sql.query(
    `UPDATE imports SET status = $3, rows_total = $4, rows_imported = $5, rows_failed = $6, summary = $7::jsonb, finished_at = $8
     WHERE tenant_id = $1 AND id = $2`,
    [tenantId, id, f.status, f.rowsTotal, f.rowsImported, f.rowsFailed, JSON.stringify(f.summary), f.finishedAt],
  );
};

export const insertImportErrors = async (sql: Sql, tenantId: string, importId: string, errors: readonly ImportError[]): Promise<void> => {
  if (errors.length === 0) return;
  await sql.copyIn(
    'COPY import_errors (tenant_id, import_id, row_number, column_name, value, code, reason) FROM STDIN',
    copyText(errors.map((e) => [tenantId, importId, e.row, e.column, e.value, e.code, e.reason])),
  );
};

export const findImport = async (sql: Sql, tenantId: string, id: string): Promise<ImportRow | undefined> =>
  (await sql.query<ImportRow>('SELECT * FROM imports WHERE tenant_id = $1 AND id = $2', [tenantId, id])).rows[0];

export const selectImportErrors = async (sql: Sql, tenantId: string, importId: string, afterRow: number, limit: number): Promise<ImportError[]> =>
  (
    await sql.query<ImportError>(
      `SELECT row_number AS row, column_name AS column, value, code, reason FROM import_errors
       WHERE tenant_id = $1 AND import_id = $2 AND row_number > $3 ORDER BY row_number, code, column_name LIMIT $4`,
      [tenantId, importId, afterRow, limit],
    )
  ).rows;
