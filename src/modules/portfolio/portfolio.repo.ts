import type { Sql } from '../../db/db.ts';

export interface DebtorRow {
  tenant_id: string;
  id: string;
  creditor_id: string;
  external_ref: string;
  kind: 'person' | 'company';
  given_name: string | null;
  family_name: string | null;
  company_name: string | null;
  national_id: string | null;
  birth_date: string | null;
  language: 'es' | 'en' | 'pt';
  country: string;
  region: string | null;
  timezone: string;
  preferences: Record<string, unknown>;
  vulnerability: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

export interface ContactPointRow {
  tenant_id: string;
  id: string;
  debtor_id: string;
  kind: 'phone' | 'email' | 'whatsapp' | 'address';
  value: string;
  address: Record<string, string> | null;
  label: string | null;
  is_primary: boolean;
  consent: 'granted' | 'denied' | 'unknown';
  consent_at: Date | null;
  opted_out_at: Date | null;
  opt_out_reason: string | null;
}

export interface AccountRow {
  tenant_id: string;
  id: string;
  creditor_id: string;
  debtor_id: string;
  external_ref: string;
  product: string;
  currency: string;
  original_principal_minor: number;
  principal_minor: number;
  interest_minor: number;
  fees_minor: number;
  credit_minor: number;
  status: 'active' | 'paid' | 'settled' | 'charged_off' | 'closed' | 'recalled';
  opened_at: string | null;
  charged_off_at: string | null;
  days_past_due: number;
  bucket: string;
  dpd_as_of: string | null;
  oldest_unpaid_due_date: string | null;
  /** The instalment schedule as parallel arrays: element i is instalment i + 1. */
  schedule_due_dates: string[];
  schedule_amounts_minor: number[];
  schedule_paid_minor: number[];
  attributes: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  version: number;
}

export const insertDebtor = async (sql: Sql, d: Omit<DebtorRow, 'created_at' | 'updated_at' | 'version' | 'vulnerability'>): Promise<DebtorRow> =>
  (
    await sql.query<DebtorRow>(
      `INSERT INTO debtors (tenant_id, id, creditor_id, external_ref, kind, given_name, family_name, company_name, national_id,
         birth_date, language, country, region, timezone, preferences)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15::jsonb) RETURNING *`,
      [
        d.tenant_id, d.id, d.creditor_id, d.external_ref, d.kind, d.given_name, d.family_name, d.company_name, d.national_id,
        d.birth_date, d.language, d.country, d.region, d.timezone, JSON.stringify(d.preferences),
      ],
    )
  ).rows[0]!;

export const findDebtor = async (sql: Sql, tenantId: string, id: string, forUpdate = false): Promise<DebtorRow | undefined> =>
  (await sql.query<DebtorRow>(`SELECT * FROM debtors WHERE tenant_id = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`, [tenantId, id])).rows[0];

export const findDebtorByRef = async (sql: Sql, tenantId: string, creditorId: string, ref: string): Promise<DebtorRow | undefined> =>
  (await sql.query<DebtorRow>('SELECT * FROM debtors WHERE tenant_id = $1 AND creditor_id = $2 AND external_ref = $3', [tenantId, creditorId, ref]))
    .rows[0];

/** Columns a debtor update may change, mapped from API names. */
const DEBTOR_COLUMNS = {
  givenName: 'given_name',
  familyName: 'family_name',
  companyName: 'company_name',
  nationalId: 'national_id',
  birthDate: 'birth_date',
  language: 'language',
  country: 'country',
  region: 'region',
  timezone: 'timezone',
  preferences: 'preferences',
} as const;

export const updateDebtor = async (
  sql: Sql,
  tenantId: string,
  id: string,
  changes: Partial<Record<keyof typeof DEBTOR_COLUMNS, unknown>>,
  at: Date,
): Promise<DebtorRow> => {
  const sets: string[] = [];
  const params: unknown[] = [tenantId, id, at];
  for (const [k, col] of Object.entries(DEBTOR_COLUMNS)) {
    const v = changes[k as keyof typeof DEBTOR_COLUMNS];
    if (v === undefined) continue;
    params.push(col === 'preferences' ? JSON.stringify(v) : v);
    sets.push(`${col} = $${params.length}${col === 'preferences' ? '::jsonb' : ''}`);
  }
  return (
    await sql.query<DebtorRow>(
      `UPDATE debtors SET ${[...sets, 'updated_at = $3', 'version = version + 1'].join(', ')} WHERE tenant_id = $1 AND id = $2 RETURNING *`,
      params,
    )
  ).rows[0]!;
};

export const listDebtors = async (
  sql: Sql,
  tenantId: string,
  f: { cursor?: string | undefined; limit: number; creditorId?: string | undefined; externalRef?: string | undefined; country?: string | undefined; language?: string | undefined; q?: string | undefined },
): Promise<DebtorRow[]> =>
  (
    await sql.query<DebtorRow>(
      `SELECT * FROM debtors WHERE tenant_id = $1
         AND ($2::text IS NULL OR id > $2)
         AND ($4::text IS NULL OR creditor_id = $4)
         AND ($5::text IS NULL OR external_ref = $5)
         AND ($6::text IS NULL OR country = $6)
         AND ($7::text IS NULL OR language = $7)
         AND ($8::text IS NULL OR concat_ws(' ', given_name, family_name, company_name, national_id) ILIKE '%' || $8 || '%')
       ORDER BY id LIMIT $3`,
      [tenantId, f.cursor ?? null, f.limit, f.creditorId ?? null, f.externalRef ?? null, f.country ?? null, f.language ?? null, f.q ?? null],
    )
  ).rows;

export const insertContactPoints = async (sql: Sql, rows: Omit<ContactPointRow, 'consent_at' | 'opted_out_at' | 'opt_out_reason'>[]): Promise<void> => {
  for (const c of rows) {
    await sql.query(
      `INSERT INTO contact_points (tenant_id, id, debtor_id, kind, value, address, label, is_primary, consent, consent_at)
       VALUES ($1,$2,$3,$4,$5,$6::jsonb,$7,$8,$9, CASE WHEN $9 = 'unknown' THEN NULL ELSE now() END)
       ON CONFLICT (tenant_id, debtor_id, kind, value) DO UPDATE SET label = COALESCE(EXCLUDED.label, contact_points.label),
         is_primary = EXCLUDED.is_primary,
         consent = CASE WHEN EXCLUDED.consent = 'unknown' THEN contact_points.consent ELSE EXCLUDED.consent END`,
      [c.tenant_id, c.id, c.debtor_id, c.kind, c.value, c.address ? JSON.stringify(c.address) : null, c.label, c.is_primary, c.consent],
    );
  }
};

export const listContactPoints = async (sql: Sql, tenantId: string, debtorIds: readonly string[]): Promise<ContactPointRow[]> =>
  debtorIds.length === 0
    ? []
    : (
        await sql.query<ContactPointRow>(
          'SELECT * FROM contact_points WHERE tenant_id = $1 AND debtor_id = ANY($2) ORDER BY debtor_id, is_primary DESC, created_at, id',
          [tenantId, debtorIds],
        )
      ).rows;

/** Marks a contact point opted out (idempotent: the first opt-out time is kept). */
export const optOutContactPoint = async (
  sql: Sql,
  tenantId: string,
  debtorId: string,
  contactPointId: string,
  reason: string,
  at: Date,
): Promise<ContactPointRow | undefined> =>
  (
    await sql.query<ContactPointRow>(
      `UPDATE contact_points SET opted_out_at = COALESCE(opted_out_at, $4), opt_out_reason = COALESCE(opt_out_reason, $5)
       WHERE tenant_id = $1 AND debtor_id = $2 AND id = $3 RETURNING *`,
      [tenantId, debtorId, contactPointId, at, reason],
    )
  ).rows[0];

export const insertAccount = async (
  sql: Sql,
  a: Omit<AccountRow, 'created_at' | 'updated_at' | 'version' | 'credit_minor'>,
): Promise<AccountRow> =>
  (
    await sql.query<AccountRow>(
      `INSERT INTO accounts (tenant_id, id, creditor_id, debtor_id, external_ref, product, currency, original_principal_minor,
         principal_minor, interest_minor, fees_minor, status, opened_at, charged_off_at, days_past_due, bucket, dpd_as_of,
         oldest_unpaid_due_date, attributes, schedule_due_dates, schedule_amounts_minor, schedule_paid_minor)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19::jsonb,$20::date[],$21::bigint[],$22::bigint[]) RETURNING *`,
      [
        a.tenant_id, a.id, a.creditor_id, a.debtor_id, a.external_ref, a.product, a.currency, a.original_principal_minor,
        a.principal_minor, a.interest_minor, a.fees_minor, a.status, a.opened_at, a.charged_off_at, a.days_past_due, a.bucket,
        a.dpd_as_of, a.oldest_unpaid_due_date, JSON.stringify(a.attributes), a.schedule_due_dates, a.schedule_amounts_minor, a.schedule_paid_minor,
      ],
    )
  ).rows[0]!;

export const findAccount = async (sql: Sql, tenantId: string, id: string, forUpdate = false): Promise<AccountRow | undefined> =>
  (await sql.query<AccountRow>(`SELECT * FROM accounts WHERE tenant_id = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`, [tenantId, id])).rows[0];

export const findAccountByRef = async (sql: Sql, tenantId: string, creditorId: string, ref: string): Promise<AccountRow | undefined> =>
  (await sql.query<AccountRow>('SELECT * FROM accounts WHERE tenant_id = $1 AND creditor_id = $2 AND external_ref = $3', [tenantId, creditorId, ref]))
    .rows[0];

export const listAccounts = async (
  sql: Sql,
  tenantId: string,
  f: {
    cursor?: string | undefined; limit: number; creditorId?: string | undefined; debtorId?: string | undefined; externalRef?: string | undefined;
    status?: string | undefined; bucket?: string | undefined; currency?: string | undefined; product?: string | undefined;
    minDaysPastDue?: number | undefined; maxDaysPastDue?: number | undefined; open?: boolean | undefined;
  },
): Promise<(AccountRow & { debtor_ref: string; debtor_name: string })[]> =>
  (
    await sql.query<AccountRow & { debtor_ref: string; debtor_name: string }>(
      `SELECT a.*, d.external_ref AS debtor_ref,
              COALESCE(d.company_name, concat_ws(' ', d.given_name, d.family_name)) AS debtor_name
       FROM accounts a JOIN debtors d ON d.tenant_id = a.tenant_id AND d.id = a.debtor_id
       WHERE a.tenant_id = $1
         AND ($2::text IS NULL OR a.id > $2)
         AND ($4::text IS NULL OR a.creditor_id = $4)
         AND ($5::text IS NULL OR a.debtor_id = $5)
         AND ($6::text IS NULL OR a.external_ref = $6)
         AND ($7::text IS NULL OR a.status = $7)
         AND ($8::text IS NULL OR a.bucket = $8)
         AND ($9::text IS NULL OR a.currency = $9)
         AND ($10::text IS NULL OR a.product = $10)
         AND ($11::int IS NULL OR a.days_past_due >= $11)
         AND ($12::int IS NULL OR a.days_past_due <= $12)
         AND ($13::boolean IS NULL OR (a.status IN ('active', 'charged_off')) = $13)
       ORDER BY a.id LIMIT $3`,
      [
        tenantId, f.cursor ?? null, f.limit, f.creditorId ?? null, f.debtorId ?? null, f.externalRef ?? null, f.status ?? null,
        f.bucket ?? null, f.currency ?? null, f.product ?? null, f.minDaysPastDue ?? null, f.maxDaysPastDue ?? null, f.open ?? null,
      ],
    )
  ).rows;

export const updateAccountFields = async (
  sql: Sql,
  tenantId: string,
  id: string,
  changes: { product?: string | undefined; status?: string | undefined; chargedOffAt?: string | null | undefined; attributes?: Record<string, unknown> | undefined },
  at: Date,
): Promise<AccountRow> =>
  (
    await sql.query<AccountRow>(
      `UPDATE accounts SET product = COALESCE($3, product), status = COALESCE($4, status),
         charged_off_at = CASE WHEN $5::boolean THEN $6::date ELSE charged_off_at END,
         attributes = COALESCE($7::jsonb, attributes), updated_at = $8, version = version + 1
       WHERE tenant_id = $1 AND id = $2 RETURNING *`,
      [
        tenantId, id, changes.product ?? null, changes.status ?? null, changes.chargedOffAt !== undefined, changes.chargedOffAt ?? null,
        changes.attributes ? JSON.stringify(changes.attributes) : null, at,
      ],
    )
  ).rows[0]!;

export interface PortfolioSummaryRow {
  bucket: string;
  currency: string;
  accounts: number;
  balance_minor: number;
}

/** Accounts and balance by bucket and currency (the console's overview). */
export const portfolioSummary = async (sql: Sql, tenantId: string): Promise<PortfolioSummaryRow[]> =>
  (
    await sql.query<PortfolioSummaryRow>(
      `SELECT bucket, currency, count(*)::int AS accounts, sum(principal_minor + interest_minor + fees_minor)::bigint AS balance_minor
       FROM accounts WHERE tenant_id = $1 AND status IN ('active','charged_off') GROUP BY bucket, currency`,
      [tenantId],
    )
  ).rows;
