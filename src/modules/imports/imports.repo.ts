/**
 * All SQL of the import. Rows reach PostgreSQL by COPY into per-session temporary staging tables,
 * then move into the real tables with set-based statements — a handful of statements per batch
 * of thousands of rows, never one per row.
 */
import type { Sql } from '../../db/db.ts';
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
const STAGING = `DO $$ BEGIN
  IF to_regclass('pg_temp.imp_accounts') IS NULL THEN
    CREATE TEMP TABLE imp_accounts (row_number int, creditor_id text, debtor_ref text, external_ref text, id text, product text, currency text,
      original_principal_minor bigint, principal_minor bigint, interest_minor bigint, fees_minor bigint, status text, status_on_insert text,
      opened_at date, charged_off_at date, has_schedule boolean, due_dates date[], amounts bigint[], paids bigint[], days_past_due int, bucket text,
      oldest_unpaid_due_date date, existing_id text, pre boolean) ON COMMIT DELETE ROWS;
    CREATE TEMP TABLE imp_debtors (creditor_id text, external_ref text, id text, kind text, given_name text, family_name text, company_name text,
      national_id text, birth_date date, language text, language_default text, country text, country_default text, region text, timezone text,
      timezone_default text, existing_id text, pre boolean) ON COMMIT DELETE ROWS;
    CREATE TEMP TABLE imp_contacts (creditor_id text, debtor_ref text, id text, kind text, value text, address jsonb, label text, is_primary boolean,
      consent text) ON COMMIT DELETE ROWS;
    CREATE TEMP TABLE imp_transactions (id text, account_id text, kind text, component text, amount_minor bigint, currency text, occurred_at timestamptz,
      external_id text, reverses_id text, allocation jsonb, method text, note text) ON COMMIT DELETE ROWS;
  END IF;
END $$`;

/**
 * Readies the staging tables for a batch. The batch's statements join a few thousand staged rows
 * to tables holding the whole portfolio; left to itself the planner picks hash joins that read the
 * tenant's entire debtors or accounts table once per batch (measured: 450 ms per statement at
 * 300k debtors), which makes an import quadratic. Index probes per staged row keep each batch's
 * cost proportional to the batch, so the transaction disables hash and merge joins.
 */
export const prepareStaging = async (sql: Sql): Promise<void> => {
  await sql.query('SET LOCAL enable_hashjoin = off');
  await sql.query('SET LOCAL enable_mergejoin = off');
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
      `UPDATE imp_accounts s SET existing_id = a.id, pre = a.created_at < $2
       FROM accounts a WHERE a.tenant_id = $1 AND a.creditor_id = s.creditor_id AND a.external_ref = s.external_ref
       RETURNING s.row_number, a.id, s.currency, a.currency::text AS existing, s.has_schedule`,
      [tenantId, importStart],
    )
  ).rows;

export const dropStagedAccounts = async (sql: Sql, rowNumbers: readonly number[]): Promise<void> => {
  await sql.query('DELETE FROM imp_accounts WHERE row_number = ANY($1::int[])', [rowNumbers]);
};

const DEBTOR_FIELDS = ['kind', 'given_name', 'family_name', 'company_name', 'national_id', 'birth_date', 'language', 'country', 'region', 'timezone'] as const;

/**
 * Upserts the staged debtors. Existing ones (matched by creditor and reference) keep their id and
 * every value the file leaves empty; they are rewritten only when something differs. `updated`
 * counts debtors that existed before this import began.
 */
export const upsertDebtors = async (sql: Sql, tenantId: string, importStart: Date): Promise<{ created: number; updated: number }> => {
  await sql.query(
    `UPDATE imp_debtors s SET existing_id = d.id, pre = d.created_at < $2
     FROM debtors d WHERE d.tenant_id = $1 AND d.creditor_id = s.creditor_id AND d.external_ref = s.external_ref`,
    [tenantId, importStart],
  );
  const merged = DEBTOR_FIELDS.map((f) => `COALESCE(s.${f}, d.${f})`);
  const r = await sql.query<{ created: number; updated: number }>(
    `WITH upd AS (
       UPDATE debtors d SET ${DEBTOR_FIELDS.map((f, i) => `${f} = ${merged[i]}`).join(', ')}, updated_at = now(), version = d.version + 1
       FROM imp_debtors s
       WHERE s.existing_id IS NOT NULL AND d.tenant_id = $1 AND d.id = s.existing_id
         AND (${DEBTOR_FIELDS.map((f) => `d.${f}`).join(', ')}) IS DISTINCT FROM (${merged.join(', ')})
       RETURNING 1
     ), ins AS (
       INSERT INTO debtors (tenant_id, id, creditor_id, external_ref, kind, given_name, family_name, company_name, national_id, birth_date, language,
         country, region, timezone)
       SELECT $1, s.id, s.creditor_id, s.external_ref, COALESCE(s.kind, 'person'), s.given_name, s.family_name, s.company_name, s.national_id,
         s.birth_date, COALESCE(s.language, s.language_default), COALESCE(s.country, s.country_default), s.region, COALESCE(s.timezone, s.timezone_default)
       FROM imp_debtors s WHERE s.existing_id IS NULL ORDER BY s.id
       -- Only reached when another session inserted the same debtor meanwhile: merge like above.
       ON CONFLICT (tenant_id, creditor_id, external_ref) DO UPDATE SET
         ${['given_name', 'family_name', 'company_name', 'national_id', 'birth_date', 'region'].map((f) => `${f} = COALESCE(EXCLUDED.${f}, debtors.${f})`).join(', ')},
         updated_at = now(), version = debtors.version + 1
       RETURNING (xmax = 0) AS created
     )
     SELECT (SELECT count(*) FROM ins WHERE created)::int AS created, (SELECT count(*) FROM imp_debtors WHERE pre)::int AS updated,
       (SELECT count(*) FROM upd)::int AS changed`,
    [tenantId],
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
         FROM imp_contacts c JOIN debtors d ON d.tenant_id = $1 AND d.creditor_id = c.creditor_id AND d.external_ref = c.debtor_ref
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

/**
 * Upserts staged accounts (debtor resolved by reference). Rows with a schedule carry their
 * delinquency computed from it; for the others it is recomputed from the stored schedule as of
 * `asOf` in the same statement. Returns how many were written: a shortfall means a row lost a
 * race or its debtor, and the caller retries the batch row by row.
 */
export const upsertAccounts = async (sql: Sql, tenantId: string, asOf: string): Promise<{ written: number; staged: number; created: number; updated: number }> => {
  const dpd = 'COALESCE($2::date - o.due, 0)';
  const st = `COALESCE(s.status, CASE WHEN a.status = 'active' AND s.charged_off_at IS NOT NULL THEN 'charged_off' ELSE a.status END)`;
  const owed = 's.principal_minor + COALESCE(s.interest_minor, a.interest_minor) + COALESCE(s.fees_minor, a.fees_minor)';
  const r = await sql.query<{ written: number; staged: number; created: number; updated: number }>(
    `WITH upd AS (
       UPDATE accounts a SET debtor_id = d.id, product = COALESCE(s.product, a.product),
         original_principal_minor = COALESCE(s.original_principal_minor, a.original_principal_minor), principal_minor = s.principal_minor,
         interest_minor = COALESCE(s.interest_minor, a.interest_minor), fees_minor = COALESCE(s.fees_minor, a.fees_minor),
         opened_at = COALESCE(s.opened_at, a.opened_at), charged_off_at = COALESCE(s.charged_off_at, a.charged_off_at),
         status = ${statusSql(st, owed, 'COALESCE(s.charged_off_at, a.charged_off_at)')},
         days_past_due = CASE WHEN s.has_schedule THEN s.days_past_due ELSE ${dpd} END,
         bucket = CASE WHEN s.has_schedule THEN s.bucket ELSE ${bucketCaseSql(dpd, DEFAULT_BUCKETS)} END,
         oldest_unpaid_due_date = CASE WHEN s.has_schedule THEN s.oldest_unpaid_due_date ELSE o.due END,
         dpd_as_of = $2::date, updated_at = now(), version = a.version + 1
       FROM imp_accounts s
       JOIN debtors d ON d.tenant_id = $1 AND d.creditor_id = s.creditor_id AND d.external_ref = s.debtor_ref
       LEFT JOIN LATERAL (SELECT min(i.due_date) AS due FROM instalments i
         WHERE NOT s.has_schedule AND i.tenant_id = $1 AND i.account_id = s.existing_id AND i.paid_minor < i.amount_minor AND i.due_date < $2::date) o ON true
       WHERE s.existing_id IS NOT NULL AND a.tenant_id = $1 AND a.id = s.existing_id
       RETURNING 1
     ), ins AS (
       INSERT INTO accounts (tenant_id, id, creditor_id, debtor_id, external_ref, product, currency, original_principal_minor, principal_minor,
         interest_minor, fees_minor, status, opened_at, charged_off_at, days_past_due, bucket, dpd_as_of, oldest_unpaid_due_date)
       SELECT $1, s.id, s.creditor_id, d.id, s.external_ref, COALESCE(s.product, 'unspecified'), s.currency,
         COALESCE(s.original_principal_minor, s.principal_minor), s.principal_minor, COALESCE(s.interest_minor, 0), COALESCE(s.fees_minor, 0),
         s.status_on_insert, s.opened_at, s.charged_off_at, s.days_past_due, s.bucket, $2::date, s.oldest_unpaid_due_date
       FROM imp_accounts s JOIN debtors d ON d.tenant_id = $1 AND d.creditor_id = s.creditor_id AND d.external_ref = s.debtor_ref
       WHERE s.existing_id IS NULL ORDER BY s.id
       ON CONFLICT (tenant_id, creditor_id, external_ref) DO NOTHING
       RETURNING 1
     )
     SELECT ((SELECT count(*) FROM upd) + (SELECT count(*) FROM ins))::int AS written, (SELECT count(*) FROM imp_accounts)::int AS staged,
       (SELECT count(*) FROM ins)::int AS created, (SELECT count(*) FROM imp_accounts WHERE pre)::int AS updated`,
    [tenantId, asOf],
  );
  return r.rows[0]!;
};

/** Writes the schedules of staged accounts that carry one, after deleting those of `replaced` accounts. */
export const replaceSchedules = async (sql: Sql, tenantId: string, replaced: readonly string[]): Promise<void> => {
  if (replaced.length > 0) await sql.query('DELETE FROM instalments WHERE tenant_id = $1 AND account_id = ANY($2::text[])', [tenantId, replaced]);
  await sql.query(
    `INSERT INTO instalments (tenant_id, account_id, seq, due_date, amount_minor, paid_minor)
     SELECT $1, COALESCE(s.existing_id, s.id), u.seq, u.due_date, u.amount, u.paid
     FROM imp_accounts s CROSS JOIN LATERAL unnest(s.due_dates, s.amounts, s.paids) WITH ORDINALITY AS u(due_date, amount, paid, seq)
     WHERE s.has_schedule`,
    [tenantId],
  );
};

// ---- transactions files ----

export interface LockedAccount {
  id: string;
  creditor_id: string;
  external_ref: string;
  currency: string;
  principal_minor: number;
  interest_minor: number;
  fees_minor: number;
  credit_minor: number;
  status: 'active' | 'paid' | 'settled' | 'charged_off' | 'closed' | 'recalled';
  charged_off_at: string | null;
}

/** Locks the batch's accounts (in id order, so concurrent writers cannot deadlock on them). */
export const lockAccountsByRef = async (sql: Sql, tenantId: string, creditorIds: readonly string[], refs: readonly string[]): Promise<LockedAccount[]> =>
  (
    await sql.query<LockedAccount>(
      `SELECT a.id, a.creditor_id, a.external_ref, a.currency::text AS currency, a.principal_minor, a.interest_minor, a.fees_minor, a.credit_minor,
         a.status, a.charged_off_at
       FROM accounts a JOIN unnest($2::text[], $3::text[]) AS r(creditor_id, external_ref)
         ON a.tenant_id = $1 AND a.creditor_id = r.creditor_id AND a.external_ref = r.external_ref
       ORDER BY a.id FOR UPDATE OF a`,
      [tenantId, creditorIds, refs],
    )
  ).rows;

export const loadSchedules = async (sql: Sql, tenantId: string, accountIds: readonly string[]): Promise<{ account_id: string; seq: number; due_date: string; amount_minor: number; paid_minor: number }[]> =>
  (
    await sql.query<{ account_id: string; seq: number; due_date: string; amount_minor: number; paid_minor: number }>(
      `SELECT account_id, seq, due_date, amount_minor, paid_minor FROM instalments
       WHERE tenant_id = $1 AND account_id = ANY($2::text[]) ORDER BY account_id, seq`,
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

export const savePaid = async (sql: Sql, tenantId: string, rows: readonly { accountId: string; seq: number; paid: number }[]): Promise<void> => {
  if (rows.length === 0) return;
  await sql.query(
    `UPDATE instalments i SET paid_minor = u.paid FROM unnest($2::text[], $3::int[], $4::bigint[]) AS u(account_id, seq, paid)
     WHERE i.tenant_id = $1 AND i.account_id = u.account_id AND i.seq = u.seq`,
    [tenantId, rows.map((r) => r.accountId), rows.map((r) => r.seq), rows.map((r) => r.paid)],
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
