/**
 * Pure rules of the import: one row becomes validated, normalised records (a debtor, its contact
 * points, an account with its schedule and derived delinquency; or a ledger transaction) — or the
 * complete list of what is wrong with it. A row is validated in full before anything is written,
 * so a bad row never leaves part of itself behind.
 */
import type { DecimalSeparator } from '../../lib/money.ts';
import type { ImportError, ImportErrorCode, RawRow, RawValue } from './imports.types.ts';
import { rowReader, type RowReader } from './imports.header.domain.ts';
import {
  ACCOUNT_STATUSES, COMPONENTS, CONSENTS, CONTACT_KINDS, DEBTOR_KINDS, FREQUENCIES, LANGUAGES, TRANSACTION_KINDS, displayValue, isTimezone,
  normaliseHeader, parseCount, parseCountry, parseCurrency, parseDate, parseEnum, parseInstant, parseMoney, textOf, type DateFormat,
} from './imports.values.domain.ts';

export type Language = 'es' | 'en' | 'pt';
export type AccountStatus = 'active' | 'paid' | 'settled' | 'charged_off' | 'closed' | 'recalled';
export type Frequency = 'weekly' | 'fortnightly' | 'monthly';
export type Consent = 'granted' | 'denied' | 'unknown';
export interface Instalment { seq: number; dueDate: string; amount: number; paid: number }

/**
 * Portfolio and ledger rules the import applies. They belong to other modules, so the service
 * passes them in (the layer rules keep domain files free of module imports).
 */
export interface ImportRules {
  normalisePhone(raw: string, country: string): { ok: true; value: string } | { ok: false; reason: string };
  normaliseEmail(raw: string): { ok: true; value: string } | { ok: false; reason: string };
  isCountry(code: string): boolean;
  defaultLanguage(country: string): Language;
  defaultTimezone(country: string): string | null;
  buildSchedule(firstDue: string, count: number, amount: number, frequency: Frequency): Instalment[];
  payInstalments(schedule: readonly Instalment[], amount: number): Instalment[];
  daysPastDue(schedule: readonly Instalment[], asOf: string): number;
  oldestUnpaidDueDate(schedule: readonly Instalment[], asOf: string): string | null;
  bucketFor(dpd: number): string;
  statusAfter(status: AccountStatus, balance: { principal: number; interest: number; fees: number; credit: number }, chargedOffAt: string | null): AccountStatus;
}

export interface ValueOptions {
  decimal: DecimalSeparator;
  dateFormat: DateFormat | undefined;
  /** Set when the file was detected as Windows-1252: flags rows that hold UTF-8 text. */
  checkMojibake: boolean;
  /** The file's name for a canonical column (errors name columns as the user wrote them). */
  label: (key: string) => string;
}

/**
 * Fields that are null were not given: on insert the `…Default` applies, on update the stored
 * value is kept (an empty cell never erases what the platform knows).
 */
export interface DebtorRecord {
  ref: string;
  kind: 'person' | 'company' | null;
  givenName: string | null;
  familyName: string | null;
  companyName: string | null;
  nationalId: string | null;
  birthDate: string | null;
  language: Language | null;
  languageDefault: Language;
  country: string | null;
  countryDefault: string;
  region: string | null;
  timezone: string | null;
  timezoneDefault: string;
}

export interface ContactRecord {
  kind: 'phone' | 'email' | 'whatsapp' | 'address';
  value: string;
  address: Record<string, string> | null;
  label: string | null;
  isPrimary: boolean;
  consent: Consent | null;
}

export interface AccountRecord {
  ref: string;
  product: string | null;
  currency: string;
  originalPrincipal: number | null;
  principal: number;
  interest: number | null;
  fees: number | null;
  openedAt: string | null;
  chargedOffAt: string | null;
  status: AccountStatus | null;
  /** Status of a new account: the given one (or active / charged off) after statusAfter. */
  statusOnInsert: AccountStatus;
  /** Replaces the stored schedule when given; null keeps it. */
  schedule: Instalment[] | null;
  daysPastDue: number;
  bucket: string;
  oldestUnpaidDueDate: string | null;
}

export interface AccountRowValue {
  row: number;
  creditorRef: string;
  creditorName: string | null;
  debtor: DebtorRecord;
  contacts: ContactRecord[];
  account: AccountRecord;
}

export interface AccountRowContext extends ValueOptions {
  creditorRefOption: string | null;
  /** Country of debtors whose row names none (the creditor's, else the tenant's). */
  defaultCountry: (creditorRef: string | null) => string;
  asOf: string;
  rules: ImportRules;
}

export type RowResult<T> = { ok: true; value: T } | { ok: false; errors: ImportError[] };

const required = (r: RowReader, key: string, value: unknown): void => {
  if ((value === null || value === undefined) && !r.has(key)) r.error(key, 'IMPORT.MISSING_VALUE', 'has no value');
};

const field = (o: unknown, ...names: string[]): RawValue => {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return undefined;
  for (const [k, v] of Object.entries(o)) if (names.includes(normaliseHeader(k))) return v as RawValue;
  return undefined;
};

const readContacts = (r: RowReader, country: string, rules: ImportRules): ContactRecord[] => {
  const out: ContactRecord[] = [];
  const add = (c: ContactRecord): void => {
    if (!out.some((x) => x.kind === c.kind && x.value === c.value)) out.push(c);
  };
  const phoneConsent = r.parse('phone_consent', (v) => parseEnum(v, CONSENTS, 'granted, denied, unknown (si, no)'));
  const phoneCols: [string, 'phone' | 'whatsapp', Consent | null][] = [
    ['phone', 'phone', phoneConsent],
    ['mobile', 'phone', phoneConsent],
    ['whatsapp', 'whatsapp', r.parse('whatsapp_consent', (v) => parseEnum(v, CONSENTS, 'granted, denied, unknown (si, no)'))],
  ];
  let primaryPhone = false;
  for (const [key, kind, consent] of phoneCols) {
    const raw = r.text(key, 40);
    if (raw === null) continue;
    const p = rules.normalisePhone(raw, country);
    if (!p.ok) r.error(key, 'IMPORT.INVALID_PHONE', `${p.reason}`);
    else {
      add({ kind, value: p.value, address: null, label: key === 'mobile' ? 'mobile' : null, isPrimary: kind === 'phone' && !primaryPhone, consent });
      if (kind === 'phone') primaryPhone = true;
    }
  }
  const email = r.text('email', 254);
  if (email !== null) {
    const e = rules.normaliseEmail(email);
    if (!e.ok) r.error('email', 'IMPORT.INVALID_EMAIL', e.reason);
    else add({ kind: 'email', value: e.value, address: null, label: null, isPrimary: true, consent: r.parse('email_consent', (v) => parseEnum(v, CONSENTS, 'granted, denied, unknown (si, no)')) });
  }
  const line1 = r.text('address_line1', 200);
  const line2 = r.text('address_line2', 200);
  const postalCode = r.text('postal_code', 20);
  const city = r.text('city', 100);
  if (line1 !== null) {
    const address: Record<string, string> = { line1, country };
    if (line2) address.line2 = line2;
    if (postalCode) address.postalCode = postalCode;
    if (city) address.city = city;
    const value = [line1, line2, [postalCode, city].filter(Boolean).join(' '), country].filter((p) => p && p.trim()).join(', ');
    add({ kind: 'address', value, address, label: null, isPrimary: true, consent: null });
  } else if (line2 !== null || postalCode !== null || city !== null) {
    r.error('address_line1', 'IMPORT.MISSING_VALUE', 'is empty while other address columns are given');
  }
  // NDJSON: contacts: [{ kind, value, label?, consent?, primary? }]
  const nested = r.raw.contacts;
  if (nested !== undefined && nested !== null) {
    if (!Array.isArray(nested)) r.error('contacts', 'IMPORT.INVALID_VALUE', 'must be a list of {kind, value} objects');
    else nested.forEach((c: unknown, i) => {
      const label = `contacts[${i}]`;
      const kind = parseEnum(field(c, 'kind', 'tipo'), CONTACT_KINDS, 'phone, email, whatsapp, address');
      const value = textOf(field(c, 'value', 'valor'));
      const consent = parseEnum(field(c, 'consent', 'consentimiento'), CONSENTS, 'granted, denied, unknown');
      const tag = textOf(field(c, 'label', 'etiqueta'));
      if (!kind.ok || kind.value === null) return r.error(label, 'IMPORT.INVALID_VALUE', `.kind ${kind.ok ? 'is empty' : kind.reason}`, c as RawValue);
      if (!value.ok || value.value === null) return r.error(label, 'IMPORT.MISSING_VALUE', '.value is empty', c as RawValue);
      if (!consent.ok) return r.error(label, consent.code, `.consent ${consent.reason}`, c as RawValue);
      const k = kind.value;
      const n = k === 'email' ? rules.normaliseEmail(value.value) : k === 'address' ? { ok: true as const, value: value.value } : rules.normalisePhone(value.value, country);
      if (!n.ok) return r.error(label, k === 'email' ? 'IMPORT.INVALID_EMAIL' : 'IMPORT.INVALID_PHONE', `.value ${n.reason}`, c as RawValue);
      const primary = field(c, 'primary', 'is_primary', 'principal') === true || (k !== 'address' && !out.some((x) => x.kind === k));
      add({ kind: k, value: n.value, address: null, label: tag.ok ? (tag.value?.slice(0, 40) ?? null) : null, isPrimary: primary, consent: consent.value });
    });
  }
  return out;
};

const readSchedule = (r: RowReader, currency: string | null, ctx: AccountRowContext): Instalment[] | null => {
  const first = r.parse('first_due_date', (v) => parseDate(v, ctx.dateFormat));
  const count = r.parse('instalment_count', (v) => parseCount(v, 1, 600));
  const frequency = r.parse('frequency', (v) => parseEnum(v, FREQUENCIES, 'weekly, fortnightly, monthly (semanal, quincenal, mensual)'));
  const money = (key: string): number | null => (currency ? r.parse(key, (v) => parseMoney(v, currency, ctx.decimal)) : null);
  const amount = money('instalment_amount');
  const paid = money('amount_paid');
  const nested = r.raw.schedule;
  const given = (key: string): boolean => {
    const t = textOf(r.raw[key]);
    return !t.ok || t.value !== null;
  };
  const columns = given('first_due_date') || given('instalment_count') || given('instalment_amount');
  let schedule: Instalment[] | null = null;
  if (nested !== undefined && nested !== null) {
    if (columns) {
      r.error('schedule', 'IMPORT.INVALID_VALUE', 'is given together with first_due_date/instalment_count/instalment_amount: give one or the other');
      return null;
    }
    if (!Array.isArray(nested) || nested.length === 0 || nested.length > 600) {
      r.error('schedule', 'IMPORT.INVALID_VALUE', 'must be a list of 1 to 600 {due_date, amount, paid} objects');
      return null;
    }
    const items: Instalment[] = [];
    nested.forEach((it: unknown, i) => {
      const label = `schedule[${i}]`;
      const due = parseDate(field(it, 'due_date', 'fecha_vencimiento', 'vencimiento', 'fecha', 'date'), ctx.dateFormat);
      const amt = currency ? parseMoney(field(it, 'amount', 'importe', 'amount_minor'), currency, '.') : null;
      const pd = currency ? parseMoney(field(it, 'paid', 'pagado', 'paid_amount') ?? 0, currency, '.') : null;
      if (!due.ok || due.value === null) return r.error(label, due.ok ? 'IMPORT.MISSING_VALUE' : due.code, `.due_date ${due.ok ? 'has no value' : due.reason}`, it as RawValue);
      if (!amt || !pd) return;
      if (!amt.ok || amt.value === null) return r.error(label, amt.ok ? 'IMPORT.MISSING_VALUE' : amt.code, `.amount ${amt.ok ? 'has no value' : amt.reason}`, it as RawValue);
      if (!pd.ok || pd.value === null) return r.error(label, pd.ok ? 'IMPORT.MISSING_VALUE' : pd.code, `.paid ${pd.ok ? 'has no value' : pd.reason}`, it as RawValue);
      if (pd.value > amt.value) return r.error(label, 'IMPORT.INVALID_VALUE', '.paid is more than the instalment\'s amount', it as RawValue);
      items.push({ seq: 0, dueDate: due.value, amount: amt.value, paid: pd.value });
    });
    items.sort((a, b) => a.dueDate.localeCompare(b.dueDate));
    schedule = items.map((it, i) => ({ ...it, seq: i + 1 }));
  } else if (columns) {
    for (const key of ['first_due_date', 'instalment_count', 'instalment_amount']) if (!given(key)) required(r, key, null);
    // Unreadable cells (or an unknown currency) were reported already.
    if (first === null || count === null || amount === null) return null;
    schedule = ctx.rules.buildSchedule(first, count, amount, frequency ?? 'monthly');
  } else if (given('amount_paid') || given('frequency')) {
    r.error(given('amount_paid') ? 'amount_paid' : 'frequency', 'IMPORT.MISSING_VALUE', 'needs a schedule: first_due_date, instalment_count and instalment_amount');
    return null;
  }
  if (schedule && paid) {
    const open = schedule.reduce((s, i) => s + i.amount - i.paid, 0);
    if (paid > open) {
      r.error('amount_paid', 'IMPORT.INVALID_VALUE', `(${paid} minor units) is more than the schedule still owes (${open})`);
      return null;
    }
    // Money paid settles the oldest instalments first, as the ledger applies payments.
    schedule = ctx.rules.payInstalments(schedule, paid);
  }
  return schedule;
};

/** Validates and normalises one row of an accounts file. */
export const validateAccountRow = (row: number, raw: RawRow, ctx: AccountRowContext): RowResult<AccountRowValue> => {
  const r = rowReader(row, raw, ctx.checkMojibake, ctx.label);
  const rules = ctx.rules;
  const creditorRef = r.text('creditor_ref', 100) ?? ctx.creditorRefOption;
  required(r, 'creditor_ref', creditorRef);
  const creditorName = r.text('creditor_name', 300);
  const debtorRef = r.text('debtor_ref', 100);
  required(r, 'debtor_ref', debtorRef);
  const country = r.parse('country', (v) => parseCountry(v, rules.isCountry));
  const countryDefault = ctx.defaultCountry(creditorRef);
  const effectiveCountry = country ?? countryDefault;
  const timezone = r.text('timezone', 64);
  if (timezone !== null && !isTimezone(timezone)) r.error('timezone', 'IMPORT.INVALID_VALUE', `"${timezone}" is not an IANA time zone (e.g. Europe/Madrid, America/Bogota)`);
  const birthDate = r.parse('birth_date', (v) => parseDate(v, ctx.dateFormat));
  if (birthDate !== null && birthDate > ctx.asOf) r.error('birth_date', 'IMPORT.INVALID_DATE', 'is in the future');
  const debtor: DebtorRecord = {
    ref: debtorRef ?? '',
    kind: r.parse('debtor_kind', (v) => parseEnum(v, DEBTOR_KINDS, 'person, company (persona, empresa)')),
    givenName: r.text('given_name'),
    familyName: r.text('family_name'),
    companyName: r.text('company_name', 300),
    nationalId: r.text('national_id', 40)?.replace(/[\s-]/g, '').toUpperCase() ?? null,
    birthDate,
    language: r.parse('language', (v) => parseEnum(v, LANGUAGES, 'es, en, pt')),
    languageDefault: rules.defaultLanguage(effectiveCountry),
    country,
    countryDefault,
    region: r.text('region', 100),
    timezone: timezone !== null && isTimezone(timezone) ? timezone : null,
    timezoneDefault: rules.defaultTimezone(effectiveCountry) ?? 'UTC',
  };
  const contacts = readContacts(r, effectiveCountry, rules);

  const accountRef = r.text('account_ref', 100);
  required(r, 'account_ref', accountRef);
  const currency = r.parse('currency', parseCurrency);
  required(r, 'currency', currency);
  const money = (key: string): number | null => (currency ? r.parse(key, (v) => parseMoney(v, currency, ctx.decimal)) : null);
  const principal = money('principal');
  if (currency) required(r, 'principal', principal);
  const originalPrincipal = money('original_principal');
  const interest = money('interest');
  const fees = money('fees');
  const openedAt = r.parse('opened_at', (v) => parseDate(v, ctx.dateFormat));
  const chargedOffAt = r.parse('charged_off_at', (v) => parseDate(v, ctx.dateFormat));
  const status = r.parse('status', (v) => parseEnum(v, ACCOUNT_STATUSES, 'active, paid, settled, charged_off, closed, recalled'));
  const schedule = readSchedule(r, currency, ctx);
  const product = r.text('product', 60);

  if (r.errors.length > 0) return { ok: false, errors: r.errors };
  const balance = { principal: principal!, interest: interest ?? 0, fees: fees ?? 0, credit: 0 };
  const dpd = schedule ? rules.daysPastDue(schedule, ctx.asOf) : 0;
  return {
    ok: true,
    value: {
      row,
      creditorRef: creditorRef!,
      creditorName,
      debtor,
      contacts,
      account: {
        ref: accountRef!,
        product,
        currency: currency!,
        originalPrincipal,
        principal: principal!,
        interest,
        fees,
        openedAt,
        chargedOffAt,
        status,
        statusOnInsert: rules.statusAfter(status ?? (chargedOffAt ? 'charged_off' : 'active'), balance, chargedOffAt),
        schedule,
        daysPastDue: dpd,
        bucket: rules.bucketFor(dpd),
        oldestUnpaidDueDate: schedule ? rules.oldestUnpaidDueDate(schedule, ctx.asOf) : null,
      },
    },
  };
};

/** A transaction row, validated except for its amount, which needs the account's currency. */
export interface TransactionRowValue {
  row: number;
  creditorRef: string;
  accountRef: string;
  externalId: string;
  kind: 'payment' | 'charge' | 'adjustment' | 'reversal';
  /** The amount cell as given; resolveTransactionAmount reads it in the account's currency. */
  amount: RawValue;
  currency: string | null;
  occurredAt: Date | null;
  component: 'principal' | 'interest' | 'fees' | null;
  method: string | null;
  reversesExternalId: string | null;
  note: string | null;
}

export const validateTransactionRow = (row: number, raw: RawRow, o: ValueOptions & { creditorRefOption: string | null }): RowResult<TransactionRowValue> => {
  const r = rowReader(row, raw, o.checkMojibake, o.label);
  const creditorRef = r.text('creditor_ref', 100) ?? o.creditorRefOption;
  required(r, 'creditor_ref', creditorRef);
  const accountRef = r.text('account_ref', 100);
  required(r, 'account_ref', accountRef);
  const externalId = r.text('external_id', 200);
  if (externalId === null && !r.has('external_id')) {
    r.error('external_id', 'IMPORT.MISSING_VALUE', "is empty: each transaction needs the sender's id, which makes re-imports idempotent");
  }
  const kind = r.parse('kind', (v) => parseEnum(v, TRANSACTION_KINDS, 'payment, charge, adjustment, reversal (pago, cargo, ajuste, anulacion)'));
  required(r, 'kind', kind);
  const currency = r.parse('currency', parseCurrency);
  const occurredAt = r.parse('occurred_at', (v) => parseInstant(v, o.dateFormat));
  const component = r.parse('component', (v) => parseEnum(v, COMPONENTS, 'principal, interest, fees (capital, intereses, comisiones)'));
  const method = r.text('method', 60);
  const reversesExternalId = r.text('reverses_external_id', 200);
  const note = r.text('note', 1000);
  if ((kind === 'charge' || kind === 'adjustment') && component === null && !r.has('component')) {
    r.error('component', 'IMPORT.MISSING_VALUE', `is required for a ${kind}: principal, interest or fees`);
  }
  if (kind === 'reversal' && reversesExternalId === null && !r.has('reverses_external_id')) {
    r.error('reverses_external_id', 'IMPORT.MISSING_VALUE', 'is required for a reversal: the external_id of the transaction it undoes');
  }
  const amountText = textOf(raw.amount);
  if (kind !== null && kind !== 'reversal' && amountText.ok && amountText.value === null) required(r, 'amount', null);
  if (r.errors.length > 0) return { ok: false, errors: r.errors };
  return {
    ok: true,
    value: { row, creditorRef: creditorRef!, accountRef: accountRef!, externalId: externalId!, kind: kind!, amount: raw.amount, currency, occurredAt, component, method, reversesExternalId, note },
  };
};

/** A transaction's amount in the account's currency: positive, or non-zero for an adjustment. */
export const resolveTransactionAmount = (
  t: TransactionRowValue,
  currency: string,
  decimal: DecimalSeparator,
  label: (key: string) => string,
): { ok: true; minor: number } | { ok: false; error: ImportError } => {
  if (t.kind === 'reversal') return { ok: true, minor: 0 };
  const p = parseMoney(t.amount, currency, decimal, t.kind === 'adjustment');
  if (p.ok && p.value !== null && p.value !== 0) return { ok: true, minor: p.value };
  const code: ImportErrorCode = p.ok ? 'IMPORT.INVALID_AMOUNT' : p.code;
  const reason = p.ok ? `must be ${t.kind === 'adjustment' ? 'a non-zero' : 'a positive'} amount` : p.reason;
  return { ok: false, error: { row: t.row, column: label('amount'), value: displayValue(t.amount), code, reason: `${label('amount')} ${reason}` } };
};
