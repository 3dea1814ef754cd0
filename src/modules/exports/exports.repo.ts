import type { Sql } from '../../db/db.ts';
import type { AccountExportRow, DebtorExportRow, EventExportRow, TransactionExportRow } from './exports.domain.ts';

/**
 * Export reads in keyset pages: each call returns the next `limit` rows after `after` in key
 * order (account, debtor and transaction ids are sortable ULIDs under the (tenant_id, id) primary
 * key; events go by seq under (tenant_id, seq)). Each page is its own short statement, so an
 * export of millions of rows never holds a transaction open: that would stall every other
 * statement on PGlite's single connection. The price is that a row changed mid-export shows its
 * state at the moment its page was read.
 *
 * Each query picks its page from the one table first (a LIMITed subquery the planner cannot
 * flatten) and only then joins names and references to those rows: with statistics still stale
 * after a bulk import, a planner free to join first scanned the whole tenant for every page.
 */
export interface ResolvedFilters {
  creditorId: string | null;
  bucket: string | null;
  status: string | null;
  updatedSince: Date | null;
}

const filterParams = (f: ResolvedFilters) => [f.creditorId, f.bucket, f.status, f.updatedSince];

export const accountsPage = async (sql: Sql, tenantId: string, f: ResolvedFilters, after: string, limit: number): Promise<AccountExportRow[]> =>
  (
    await sql.query<AccountExportRow>(
      `SELECT a.id AS account_id, a.creditor_id, a.debtor_id, c.external_ref AS creditor_ref, d.external_ref AS debtor_ref,
              a.external_ref AS account_ref, a.product, a.currency, a.original_principal_minor, a.principal_minor, a.interest_minor,
              a.fees_minor, a.credit_minor, a.status, a.days_past_due, a.bucket, a.dpd_as_of, a.oldest_unpaid_due_date,
              a.opened_at, a.charged_off_at, a.attributes, a.created_at, a.updated_at, a.version
       FROM (
         SELECT * FROM accounts
         WHERE tenant_id = $1 AND id > $2
           AND ($4::text IS NULL OR creditor_id = $4) AND ($5::text IS NULL OR bucket = $5)
           AND ($6::text IS NULL OR status = $6) AND ($7::timestamptz IS NULL OR updated_at >= $7)
         ORDER BY id LIMIT $3
       ) a
       JOIN creditors c ON c.tenant_id = a.tenant_id AND c.id = a.creditor_id
       JOIN debtors d ON d.tenant_id = a.tenant_id AND d.id = a.debtor_id
       ORDER BY a.id`,
      [tenantId, after, limit, ...filterParams(f)],
    )
  ).rows;

/** A debtor's first contact point of each kind (primary first), with its opt-out instant. */
export const debtorsPage = async (sql: Sql, tenantId: string, f: ResolvedFilters, after: string, limit: number): Promise<DebtorExportRow[]> =>
  (
    await sql.query<DebtorExportRow>(
      `SELECT d.id AS debtor_id, d.creditor_id, c.external_ref AS creditor_ref, d.external_ref AS debtor_ref, d.kind, d.given_name,
              d.family_name, d.company_name, d.national_id, d.birth_date, d.language, d.country, d.region, d.timezone,
              cp.phone, cp.phone_opted_out_at, cp.email, cp.email_opted_out_at, cp.whatsapp, cp.whatsapp_opted_out_at, cp.address,
              d.created_at, d.updated_at, d.version
       FROM (
         SELECT * FROM debtors d
         WHERE d.tenant_id = $1 AND d.id > $2
           AND ($4::text IS NULL OR d.creditor_id = $4)
           AND (($5::text IS NULL AND $6::text IS NULL) OR EXISTS (
                 SELECT 1 FROM accounts a WHERE a.tenant_id = d.tenant_id AND a.debtor_id = d.id
                   AND ($5::text IS NULL OR a.bucket = $5) AND ($6::text IS NULL OR a.status = $6)))
           AND ($7::timestamptz IS NULL OR d.updated_at >= $7)
         ORDER BY d.id LIMIT $3
       ) d
       JOIN creditors c ON c.tenant_id = d.tenant_id AND c.id = d.creditor_id
       LEFT JOIN LATERAL (
         SELECT (array_agg(p.value ORDER BY p.is_primary DESC, p.created_at, p.id) FILTER (WHERE p.kind = 'phone'))[1] AS phone,
                (array_agg(p.opted_out_at ORDER BY p.is_primary DESC, p.created_at, p.id) FILTER (WHERE p.kind = 'phone'))[1] AS phone_opted_out_at,
                (array_agg(p.value ORDER BY p.is_primary DESC, p.created_at, p.id) FILTER (WHERE p.kind = 'email'))[1] AS email,
                (array_agg(p.opted_out_at ORDER BY p.is_primary DESC, p.created_at, p.id) FILTER (WHERE p.kind = 'email'))[1] AS email_opted_out_at,
                (array_agg(p.value ORDER BY p.is_primary DESC, p.created_at, p.id) FILTER (WHERE p.kind = 'whatsapp'))[1] AS whatsapp,
                (array_agg(p.opted_out_at ORDER BY p.is_primary DESC, p.created_at, p.id) FILTER (WHERE p.kind = 'whatsapp'))[1] AS whatsapp_opted_out_at,
                (array_agg(p.value ORDER BY p.is_primary DESC, p.created_at, p.id) FILTER (WHERE p.kind = 'address'))[1] AS address
         FROM contact_points p WHERE p.tenant_id = d.tenant_id AND p.debtor_id = d.id
       ) cp ON true
       ORDER BY d.id`,
      [tenantId, after, limit, ...filterParams(f)],
    )
  ).rows;

export const transactionsPage = async (sql: Sql, tenantId: string, f: ResolvedFilters, after: string, limit: number): Promise<TransactionExportRow[]> =>
  (
    await sql.query<TransactionExportRow>(
      `SELECT t.id AS transaction_id, t.account_id, c.external_ref AS creditor_ref, a.external_ref AS account_ref, t.kind, t.component,
              t.amount_minor, t.currency, t.occurred_at, t.external_id, t.reverses_id, r.external_id AS reverses_external_id,
              t.method, t.note, t.allocation, t.created_at
       FROM (
         SELECT t.* FROM transactions t
         WHERE t.tenant_id = $1 AND t.id > $2 AND ($7::timestamptz IS NULL OR t.created_at >= $7)
           AND (($4::text IS NULL AND $5::text IS NULL AND $6::text IS NULL) OR EXISTS (
                 SELECT 1 FROM accounts a WHERE a.tenant_id = t.tenant_id AND a.id = t.account_id
                   AND ($4::text IS NULL OR a.creditor_id = $4) AND ($5::text IS NULL OR a.bucket = $5) AND ($6::text IS NULL OR a.status = $6)))
         ORDER BY t.id LIMIT $3
       ) t
       JOIN accounts a ON a.tenant_id = t.tenant_id AND a.id = t.account_id
       JOIN creditors c ON c.tenant_id = a.tenant_id AND c.id = a.creditor_id
       LEFT JOIN transactions r ON r.tenant_id = t.tenant_id AND r.id = t.reverses_id
       ORDER BY t.id`,
      [tenantId, after, limit, ...filterParams(f)],
    )
  ).rows;

export const eventsPage = async (sql: Sql, tenantId: string, f: ResolvedFilters, afterSeq: number, limit: number): Promise<EventExportRow[]> =>
  (
    await sql.query<EventExportRow>(
      `SELECT seq, id, type, subject_type, subject_id, payload, occurred_at, relayed_at
       FROM events
       WHERE tenant_id = $1 AND seq > $2 AND ($4::timestamptz IS NULL OR occurred_at >= $4)
       ORDER BY seq LIMIT $3`,
      [tenantId, afterSeq, limit, f.updatedSince],
    )
  ).rows;
