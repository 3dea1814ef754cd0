import { currencyExponent, formatMinor } from '../../lib/money.ts';
import type { ExportEntity } from './exports.types.ts';

/**
 * Export columns: one ordered list per entity, each a name and how to read it from a row. The
 * names are the contract (docs/export.md documents each; a test keeps the two in step). Columns
 * shared with the import format carry the import's names and money notation, so an exported file
 * can be edited and imported back. Tacto's own ids are `tacto_…`: the import reads `account_id`,
 * `debtor_id` and `creditor_id` as aliases of the creditor's references, and a file giving both
 * would be refused as naming one column twice.
 */

export interface AccountExportRow {
  account_id: string; creditor_id: string; debtor_id: string; creditor_ref: string; debtor_ref: string; account_ref: string;
  product: string; currency: string; original_principal_minor: number; principal_minor: number; interest_minor: number;
  fees_minor: number; credit_minor: number; status: string; days_past_due: number; bucket: string; dpd_as_of: string | null;
  oldest_unpaid_due_date: string | null; opened_at: string | null; charged_off_at: string | null; attributes: Record<string, unknown>;
  created_at: Date; updated_at: Date; version: number;
}

export interface DebtorExportRow {
  debtor_id: string; creditor_id: string; creditor_ref: string; debtor_ref: string; kind: string; given_name: string | null;
  family_name: string | null; company_name: string | null; national_id: string | null; birth_date: string | null; language: string;
  country: string; region: string | null; timezone: string; phone: string | null; phone_opted_out_at: Date | null;
  email: string | null; email_opted_out_at: Date | null; whatsapp: string | null; whatsapp_opted_out_at: Date | null;
  address: string | null; created_at: Date; updated_at: Date; version: number;
}

export interface TransactionExportRow {
  transaction_id: string; account_id: string; creditor_ref: string; account_ref: string; kind: string; component: string | null;
  amount_minor: number; currency: string; occurred_at: Date; external_id: string | null; reverses_id: string | null;
  method: string | null; note: string | null; allocation: Record<string, number>; created_at: Date;
  reverses_external_id: string | null;
}

export interface EventExportRow {
  seq: number; id: string; type: string; subject_type: string; subject_id: string; payload: Record<string, unknown>;
  occurred_at: Date; relayed_at: Date | null;
}

/** A cell: CSV writes objects as JSON text, NDJSON keeps them as objects. */
export type Cell = string | number | null | Record<string, unknown>;

export interface MoneyNotation {
  decimalSeparator: '.' | ',';
}

export interface Column<R> {
  name: string;
  read: (row: R, money: MoneyNotation) => Cell;
}

/** Minor units as a plain decimal in the currency's exponent: 123456 EUR -> "1234.56", CLP -> "123456". */
export const money = (minor: number, currency: string, n: MoneyNotation): string => {
  const text = formatMinor(minor, currencyExponent(currency));
  return n.decimalSeparator === ',' ? text.replace('.', ',') : text;
};

const instant = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

const col = <R>(name: string, read: (row: R, money: MoneyNotation) => Cell): Column<R> => ({ name, read });

const balance = (r: AccountExportRow): number => r.principal_minor + r.interest_minor + r.fees_minor;

export const ACCOUNT_COLUMNS: readonly Column<AccountExportRow>[] = [
  col('creditor_ref', (r) => r.creditor_ref),
  col('debtor_ref', (r) => r.debtor_ref),
  col('account_ref', (r) => r.account_ref),
  col('product', (r) => r.product),
  col('currency', (r) => r.currency),
  col('original_principal', (r, m) => money(r.original_principal_minor, r.currency, m)),
  col('principal', (r, m) => money(r.principal_minor, r.currency, m)),
  col('interest', (r, m) => money(r.interest_minor, r.currency, m)),
  col('fees', (r, m) => money(r.fees_minor, r.currency, m)),
  col('status', (r) => r.status),
  col('days_past_due', (r) => r.days_past_due),
  col('bucket', (r) => r.bucket),
  col('opened_at', (r) => r.opened_at),
  col('charged_off_at', (r) => r.charged_off_at),
  col('credit', (r, m) => money(r.credit_minor, r.currency, m)),
  col('balance', (r, m) => money(balance(r), r.currency, m)),
  col('original_principal_minor', (r) => r.original_principal_minor),
  col('principal_minor', (r) => r.principal_minor),
  col('interest_minor', (r) => r.interest_minor),
  col('fees_minor', (r) => r.fees_minor),
  col('credit_minor', (r) => r.credit_minor),
  col('balance_minor', (r) => balance(r)),
  col('dpd_as_of', (r) => r.dpd_as_of),
  col('oldest_unpaid_due_date', (r) => r.oldest_unpaid_due_date),
  col('tacto_account_id', (r) => r.account_id),
  col('tacto_debtor_id', (r) => r.debtor_id),
  col('tacto_creditor_id', (r) => r.creditor_id),
  col('attributes', (r) => r.attributes),
  col('created_at', (r) => instant(r.created_at)),
  col('updated_at', (r) => instant(r.updated_at)),
  col('version', (r) => r.version),
];

export const DEBTOR_COLUMNS: readonly Column<DebtorExportRow>[] = [
  col('creditor_ref', (r) => r.creditor_ref),
  col('debtor_ref', (r) => r.debtor_ref),
  col('kind', (r) => r.kind),
  col('given_name', (r) => r.given_name),
  col('family_name', (r) => r.family_name),
  col('company_name', (r) => r.company_name),
  col('national_id', (r) => r.national_id),
  col('birth_date', (r) => r.birth_date),
  col('language', (r) => r.language),
  col('country', (r) => r.country),
  col('region', (r) => r.region),
  col('timezone', (r) => r.timezone),
  col('phone', (r) => r.phone),
  col('phone_opted_out_at', (r) => instant(r.phone_opted_out_at)),
  col('email', (r) => r.email),
  col('email_opted_out_at', (r) => instant(r.email_opted_out_at)),
  col('whatsapp', (r) => r.whatsapp),
  col('whatsapp_opted_out_at', (r) => instant(r.whatsapp_opted_out_at)),
  col('address', (r) => r.address),
  col('tacto_debtor_id', (r) => r.debtor_id),
  col('tacto_creditor_id', (r) => r.creditor_id),
  col('created_at', (r) => instant(r.created_at)),
  col('updated_at', (r) => instant(r.updated_at)),
  col('version', (r) => r.version),
];

const allocated = (part: 'principal' | 'interest' | 'fees' | 'credit') => [
  col<TransactionExportRow>(`allocated_${part}`, (r, m) => (r.allocation[part] === undefined ? null : money(r.allocation[part], r.currency, m))),
  col<TransactionExportRow>(`allocated_${part}_minor`, (r) => r.allocation[part] ?? null),
];

export const TRANSACTION_COLUMNS: readonly Column<TransactionExportRow>[] = [
  col('creditor_ref', (r) => r.creditor_ref),
  col('account_ref', (r) => r.account_ref),
  col('external_id', (r) => r.external_id),
  col('kind', (r) => r.kind),
  col('component', (r) => r.component),
  col('amount', (r, m) => money(r.amount_minor, r.currency, m)),
  col('currency', (r) => r.currency),
  col('occurred_at', (r) => instant(r.occurred_at)),
  col('method', (r) => r.method),
  col('reverses_external_id', (r) => r.reverses_external_id),
  col('note', (r) => r.note),
  col('amount_minor', (r) => r.amount_minor),
  ...allocated('principal'),
  ...allocated('interest'),
  ...allocated('fees'),
  ...allocated('credit'),
  col('tacto_transaction_id', (r) => r.transaction_id),
  col('tacto_reverses_id', (r) => r.reverses_id),
  col('tacto_account_id', (r) => r.account_id),
  col('created_at', (r) => instant(r.created_at)),
];

export const EVENT_COLUMNS: readonly Column<EventExportRow>[] = [
  col('seq', (r) => r.seq),
  col('event_id', (r) => r.id),
  col('type', (r) => r.type),
  col('subject_type', (r) => r.subject_type),
  col('subject_id', (r) => r.subject_id),
  col('occurred_at', (r) => instant(r.occurred_at)),
  col('relayed_at', (r) => instant(r.relayed_at)),
  col('payload', (r) => r.payload),
];

export interface RowsOf {
  accounts: AccountExportRow;
  debtors: DebtorExportRow;
  transactions: TransactionExportRow;
  events: EventExportRow;
}

export const COLUMNS: { [E in ExportEntity]: readonly Column<RowsOf[E]>[] } = {
  accounts: ACCOUNT_COLUMNS,
  debtors: DEBTOR_COLUMNS,
  transactions: TRANSACTION_COLUMNS,
  events: EVENT_COLUMNS,
};

export const columnNames = (entity: ExportEntity): string[] => COLUMNS[entity].map((c) => c.name);

/** One CSV record: objects become compact JSON text; null stays empty. */
export const toCsvRecord = <R>(columns: readonly Column<R>[], row: R, m: MoneyNotation): (string | number | null)[] =>
  columns.map((c) => {
    const v = c.read(row, m);
    return v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
  });

/** One NDJSON object: same names as the CSV header; money as decimal strings, minor units as integers. */
export const toJsonObject = <R>(columns: readonly Column<R>[], row: R, m: MoneyNotation): Record<string, Cell> => {
  const o: Record<string, Cell> = {};
  for (const c of columns) o[c.name] = c.read(row, m);
  return o;
};

/**
 * Spreadsheet formula injection guard (OWASP "CSV injection"): a text cell starting with = + - @
 * or a control character is prefixed with an apostrophe so Excel shows it instead of running it.
 * Number-looking cells (negative amounts) are left alone. Off by default because it changes the
 * data: a file meant to be imported back must not carry the apostrophes.
 */
export const escapeFormula = (cell: string | number | null): string | number | null =>
  typeof cell === 'string' && /^[=+\-@\t\r]/.test(cell) && !/^[+-]?\d+([.,]\d+)?$/.test(cell) ? `'${cell}` : cell;

/** Filters that make sense per entity; the rest are refused rather than silently ignored. */
export const SUPPORTED_FILTERS: { [E in ExportEntity]: readonly ('creditorRef' | 'bucket' | 'status' | 'updatedSince')[] } = {
  accounts: ['creditorRef', 'bucket', 'status', 'updatedSince'],
  debtors: ['creditorRef', 'bucket', 'status', 'updatedSince'],
  transactions: ['creditorRef', 'bucket', 'status', 'updatedSince'],
  events: ['updatedSince'],
};
