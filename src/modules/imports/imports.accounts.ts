/**
 * Accounts files: each batch is validated (with its creditors resolved), staged by COPY and
 * upserted set-based — debtors, then contact points, then accounts, then schedules — inside one
 * transaction or savepoint, so a row is either whole in the database or not there at all.
 */
import type { Sql } from '../../db/db.ts';
import type { IdFactory } from '../../lib/ids.ts';
import { upsertCreditor, findCreditorByRef } from '../tenants/index.ts';
import { validateAccountRow, type AccountRowContext, type AccountRowValue, type ContactRecord, type DebtorRecord } from './imports.domain.ts';
import * as repo from './imports.repo.ts';
import type { ImportError, RawRow } from './imports.types.ts';
import { parseCountry, textOf } from './imports.values.domain.ts';

export interface PendingRow {
  row: number;
  raw: RawRow;
}

export interface CreditorInfo {
  id: string;
  country: string;
  allocationOrder: string[];
}

/**
 * Creditor references resolved once per import (a file names a handful). An unknown reference is
 * created when a row gives its name (creditor_name), otherwise the row fails.
 */
export const createCreditorCache = (tenantId: string, tenantCountry: string, newId: IdFactory) => {
  const known = new Map<string, CreditorInfo | null>();
  let created = 0;
  const info = (c: { id: string; country: string; allocation_order: string[] }): CreditorInfo => ({ id: c.id, country: c.country, allocationOrder: c.allocation_order });
  return {
    get: (ref: string): CreditorInfo | undefined => known.get(ref) ?? undefined,
    get created(): number {
      return created;
    },
    /** Looks up (and, given a name, creates) the creditors these rows name. */
    async resolve(sql: Sql, wanted: Map<string, { name: string | null; country: string | null }>): Promise<void> {
      for (const [ref, w] of wanted) {
        if (known.get(ref)) continue;
        if (!known.has(ref) || w.name) {
          const row = await findCreditorByRef(sql, tenantId, ref);
          if (row) known.set(ref, info(row));
          else if (w.name) {
            known.set(ref, info(await upsertCreditor(sql, { tenantId, id: newId('cre'), externalRef: ref, name: w.name, country: w.country ?? tenantCountry })));
            created++;
          } else known.set(ref, null);
        }
      }
    },
  };
};
export type CreditorCache = ReturnType<typeof createCreditorCache>;

/**
 * A validated row waiting to be written. Its schedule is kept as the three COPY array literals
 * (due dates, amounts, paid) instead of instalment objects: batches wait in memory while others
 * are written, and ~17 objects a row were most of what they held.
 */
export interface StagedRow extends Omit<AccountRowValue, 'account'> {
  creditorId: string;
  account: Omit<AccountRowValue['account'], 'schedule'> & { schedule: [dueDates: string, amounts: string, paid: string] | null };
}

const stage = (v: AccountRowValue, creditorId: string): StagedRow => {
  const { schedule, ...account } = v.account;
  const literal = (xs: (string | number)[]): string => `{${xs.join(',')}}`;
  return {
    ...v,
    creditorId,
    account: { ...account, schedule: schedule ? [literal(schedule.map((i) => i.dueDate)), literal(schedule.map((i) => i.amount)), literal(schedule.map((i) => i.paid))] : null },
  };
};

export interface Prepared<T> {
  valid: T[];
  errors: ImportError[];
  failedRows: number;
}

/**
 * A copy of a string that shares no memory with the text it was cut from. V8 keeps a substring
 * (a cell split from a 1 MB chunk) pointing at its parent, so a long-lived Map key made from cells
 * would keep every chunk of the file alive — the whole file, measured: ~450 bytes per row.
 */
export const detach = (s: string): string => JSON.parse(JSON.stringify(s)) as string;

/**
 * Validates a batch. `seen` maps each account (creditor + reference) met so far in the file to its
 * first row: a later row with the same reference is reported, the first one kept. Its cost is one
 * entry per account (~70 bytes; ~70 MB for a 1M-row file), the only state that grows with a file.
 */
export const prepareAccounts = async (
  sql: Sql,
  rows: readonly PendingRow[],
  ctx: Omit<AccountRowContext, 'defaultCountry'> & { creditors: CreditorCache; tenantCountry: string; seen: Map<string, number> },
): Promise<Prepared<StagedRow>> => {
  const wanted = new Map<string, { name: string | null; country: string | null }>();
  for (const { raw } of rows) {
    const t = textOf(raw.creditor_ref);
    const ref = (t.ok ? t.value : null) ?? ctx.creditorRefOption;
    if (!ref) continue;
    const name = textOf(raw.creditor_name);
    const country = parseCountry(raw.country, ctx.rules.isCountry);
    const prev = wanted.get(ref);
    wanted.set(ref, { name: prev?.name ?? (name.ok ? name.value : null), country: prev?.country ?? (country.ok ? country.value : null) });
  }
  await ctx.creditors.resolve(sql, wanted);
  const rowCtx: AccountRowContext = { ...ctx, defaultCountry: (ref) => (ref ? ctx.creditors.get(ref)?.country : undefined) ?? ctx.tenantCountry };
  const out: Prepared<StagedRow> = { valid: [], errors: [], failedRows: 0 };
  for (const { row, raw } of rows) {
    const v = validateAccountRow(row, raw, rowCtx);
    const errors = v.ok ? [] : [...v.errors];
    const creditorRef = v.ok ? v.value.creditorRef : null;
    const creditor = creditorRef ? ctx.creditors.get(creditorRef) : undefined;
    if (v.ok && !creditor) {
      const col = ctx.label('creditor_ref');
      errors.push({ row, column: col, value: creditorRef, code: 'IMPORT.UNKNOWN_CREDITOR', reason: `${col} "${creditorRef}" is not a creditor of this tenant; add a creditor_name column to create it` });
    }
    const accountRef = textOf(raw.account_ref);
    const ref = textOf(raw.creditor_ref);
    if (accountRef.ok && accountRef.value) {
      const key = detach(`${(ref.ok ? ref.value : null) ?? ctx.creditorRefOption ?? ''}\u0000${accountRef.value}`);
      const first = ctx.seen.get(key);
      if (first === undefined) ctx.seen.set(key, row);
      else {
        const col = ctx.label('account_ref');
        errors.push({ row, column: col, value: accountRef.value, code: 'IMPORT.DUPLICATE_REFERENCE', reason: `${col} "${accountRef.value}" already appears in row ${first}; the later row is not imported` });
      }
    }
    if (errors.length > 0 || !v.ok || !creditor) {
      out.errors.push(...errors);
      out.failedRows++;
    } else out.valid.push(stage(v.value, creditor.id));
  }
  return out;
};

const mergeDebtor = (a: DebtorRecord, b: DebtorRecord): DebtorRecord => {
  const m = { ...a };
  for (const [k, v] of Object.entries(b) as [keyof DebtorRecord, unknown][]) if (v !== null) (m as Record<string, unknown>)[k] = v;
  return m;
};

export interface WriteContext {
  tenantId: string;
  asOf: string;
  /** Database time when the import began: records created before it count as updated. */
  importStart: Date;
  at: Date;
  newId: IdFactory;
  label: (key: string) => string;
}

export interface WriteOutcome {
  imported: number;
  errors: ImportError[];
  failedRows: number;
  created: { debtors: number; accounts: number; contactPoints: number };
  updated: { debtors: number; accounts: number };
}

/** Raised when the set-based upsert wrote fewer accounts than staged: the batch is redone row by row. */
export class BatchShortfall extends Error {
  constructor(written: number, staged: number) {
    super(`wrote ${written} of ${staged} accounts: the account was created by another session meanwhile, or its debtor was removed; import the row again`);
    this.name = 'BatchShortfall';
  }
}

/** Writes one batch of validated rows in the caller's transaction (or savepoint). */
export const writeAccounts = async (sql: Sql, ctx: WriteContext, rows: readonly StagedRow[]): Promise<WriteOutcome> => {
  await repo.prepareStaging(sql);
  await repo.copyAccounts(
    sql,
    rows.map(({ row, creditorId, debtor, account: a }) => [
      row, creditorId, debtor.ref, a.ref, ctx.newId('acc'), a.product, a.currency, a.originalPrincipal, a.principal, a.interest, a.fees, a.status,
      a.statusOnInsert, a.openedAt, a.chargedOffAt, a.schedule !== null, a.schedule?.[0] ?? null, a.schedule?.[1] ?? null, a.schedule?.[2] ?? null,
      a.daysPastDue, a.bucket, a.oldestUnpaidDueDate,
    ]),
  );
  const errors: ImportError[] = [];
  let kept = rows;
  const existing = await repo.classifyAccounts(sql, ctx.tenantId, ctx.importStart);
  const mismatched = existing.filter((e) => e.currency !== e.existing);
  if (mismatched.length > 0) {
    const bad = new Set(mismatched.map((m) => m.row_number));
    for (const m of mismatched) {
      const r = rows.find((x) => x.row === m.row_number)!;
      errors.push({ row: m.row_number, column: ctx.label('currency'), value: m.currency, code: 'IMPORT.CURRENCY_MISMATCH', reason: `account ${r.account.ref} exists in ${m.existing}; its currency cannot change to ${m.currency}` });
    }
    await repo.dropStagedAccounts(sql, [...bad]);
    kept = rows.filter((r) => !bad.has(r.row));
  }
  // One staged debtor per reference (rows of one debtor repeat its fields; later values win,
  // empty ones never erase) and one staged contact point per (debtor, kind, value).
  const debtors = new Map<string, { creditorId: string; d: DebtorRecord }>();
  const contacts = new Map<string, { creditorId: string; debtorRef: string; c: ContactRecord }>();
  for (const r of kept) {
    const key = `${r.creditorId}\u0000${r.debtor.ref}`;
    const prev = debtors.get(key);
    debtors.set(key, { creditorId: r.creditorId, d: prev ? mergeDebtor(prev.d, r.debtor) : r.debtor });
    for (const c of r.contacts) {
      const ck = `${key}\u0000${c.kind}\u0000${c.value}`;
      const p = contacts.get(ck)?.c;
      contacts.set(ck, { creditorId: r.creditorId, debtorRef: r.debtor.ref, c: p ? { ...c, label: c.label ?? p.label, consent: c.consent ?? p.consent, isPrimary: p.isPrimary || c.isPrimary } : c });
    }
  }
  await repo.copyDebtors(
    sql,
    [...debtors.values()].map(({ creditorId, d }) => [
      creditorId, d.ref, ctx.newId('dbt'), d.kind, d.givenName, d.familyName, d.companyName, d.nationalId, d.birthDate, d.language, d.languageDefault,
      d.country, d.countryDefault, d.region, d.timezone, d.timezoneDefault,
    ]),
  );
  await repo.copyContacts(
    sql,
    [...contacts.values()].map(({ creditorId, debtorRef, c }) => [
      creditorId, debtorRef, ctx.newId('cp'), c.kind, c.value, c.address ? JSON.stringify(c.address) : null, c.label, c.isPrimary, c.consent,
    ]),
  );
  const d = await repo.upsertDebtors(sql, ctx.tenantId, ctx.importStart);
  const contactPoints = await repo.upsertContacts(sql, ctx.tenantId, ctx.at);
  const a = await repo.upsertAccounts(sql, ctx.tenantId, ctx.asOf);
  if (a.written !== a.staged) throw new BatchShortfall(a.written, a.staged);
  return {
    imported: kept.length,
    errors,
    failedRows: rows.length - kept.length,
    created: { debtors: d.created, accounts: a.created, contactPoints },
    updated: { debtors: d.updated, accounts: a.updated },
  };
};
