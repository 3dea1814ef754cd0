/**
 * Helpers shared by the import tests (imported only by *.test.ts files).
 */
import { join } from 'node:path';
import type { Database } from '../../db/db.ts';
import { fixedClock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import type { ImportDeps } from './imports.service.ts';

export const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/imports');
export const fixture = (name: string): string => join(FIXTURES, name);

/** Tests run "on" 15 June 2024 so days past due are fixed numbers. */
export const AS_OF = '2024-06-15';
export const deps = (db: Database): ImportDeps => ({ db, clock: fixedClock(`${AS_OF}T12:00:00Z`), newId });

export const tableCounts = async (db: Database, tenantId: string) => {
  const n = async (table: string): Promise<number> =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`, [tenantId])).rows[0]!.n;
  return {
    debtors: await n('debtors'),
    accounts: await n('accounts'),
    contactPoints: await n('contact_points'),
    instalments: (await db.query<{ n: number }>('SELECT COALESCE(sum(cardinality(schedule_due_dates)), 0)::int AS n FROM accounts WHERE tenant_id = $1', [tenantId])).rows[0]!.n,
    transactions: await n('transactions'),
  };
};

export interface AccountView {
  external_ref: string;
  debtor_ref: string;
  currency: string;
  principal_minor: number;
  interest_minor: number;
  fees_minor: number;
  original_principal_minor: number;
  status: string;
  days_past_due: number;
  bucket: string;
  dpd_as_of: string | null;
  oldest_unpaid_due_date: string | null;
  instalments: number;
  paid: number;
  scheduled: number;
}

export const accountsByRef = async (db: Database, tenantId: string): Promise<Record<string, AccountView>> => {
  const rows = await db.query<AccountView>(
    `SELECT a.external_ref, d.external_ref AS debtor_ref, a.currency::text AS currency, a.principal_minor, a.interest_minor, a.fees_minor,
       a.original_principal_minor, a.status, a.days_past_due, a.bucket, a.dpd_as_of, a.oldest_unpaid_due_date,
       cardinality(a.schedule_due_dates) AS instalments,
       (SELECT COALESCE(sum(p), 0)::int FROM unnest(a.schedule_paid_minor) p) AS paid,
       (SELECT COALESCE(sum(x), 0)::int FROM unnest(a.schedule_amounts_minor) x) AS scheduled
     FROM accounts a JOIN debtors d ON d.tenant_id = a.tenant_id AND d.id = a.debtor_id WHERE a.tenant_id = $1`,
    [tenantId],
  );
  return Object.fromEntries(rows.rows.map((r) => [r.external_ref, r]));
};

export const debtorsByRef = async (db: Database, tenantId: string) => {
  const rows = await db.query<{ external_ref: string; kind: string; given_name: string | null; family_name: string | null; company_name: string | null; national_id: string | null; birth_date: string | null; language: string; country: string; region: string | null; timezone: string; contacts: string[] }>(
    `SELECT d.external_ref, d.kind, d.given_name, d.family_name, d.company_name, d.national_id, d.birth_date, d.language, d.country::text AS country, d.region, d.timezone,
       ARRAY(SELECT c.kind || ':' || c.value || ':' || c.consent FROM contact_points c WHERE c.tenant_id = d.tenant_id AND c.debtor_id = d.id ORDER BY c.kind, c.value) AS contacts
     FROM debtors d WHERE d.tenant_id = $1`,
    [tenantId],
  );
  return Object.fromEntries(rows.rows.map((r) => [r.external_ref, r]));
};
