/**
 * Transactions files: payments, charges, adjustments and reversals applied through the ledger's
 * pure step (allocation order from the creditor), idempotent by external id. A batch locks its
 * accounts, applies its rows in file order in memory, then writes transactions, balances,
 * schedules and outbox events set-based.
 */
import type { Sql } from '../../db/db.ts';
import { appendEvents, type NewEvent } from '../events/index.ts';
import {
  applyLedgerInput, bucketFor, daysPastDue, DEFAULT_ALLOCATION_ORDER, isAllocationOrder, oldestUnpaidDueDate, totalOwed, type Balance, type LedgerInput,
  type LedgerState,
} from '../ledger/index.ts';
import { detach, type CreditorCache, type PendingRow, type Prepared, type WriteContext } from './imports.accounts.ts';
import { resolveTransactionAmount, validateTransactionRow, type TransactionRowValue, type ValueOptions } from './imports.domain.ts';
import * as repo from './imports.repo.ts';
import type { ImportError } from './imports.types.ts';
import { textOf } from './imports.values.domain.ts';

export interface StagedTransaction extends TransactionRowValue {
  creditorId: string;
  allocationOrder: string[];
}

/** Validates a batch; `seen` maps external ids met so far in the file to their first row. */
export const prepareTransactions = async (
  sql: Sql,
  rows: readonly PendingRow[],
  ctx: ValueOptions & { creditorRefOption: string | null; creditors: CreditorCache; seen: Map<string, number> },
): Promise<Prepared<StagedTransaction>> => {
  const wanted = new Map<string, { name: null; country: null }>();
  for (const { raw } of rows) {
    const t = textOf(raw.creditor_ref);
    const ref = (t.ok ? t.value : null) ?? ctx.creditorRefOption;
    if (ref) wanted.set(ref, { name: null, country: null });
  }
  await ctx.creditors.resolve(sql, wanted);
  const out: Prepared<StagedTransaction> = { valid: [], errors: [], failedRows: 0 };
  for (const { row, raw } of rows) {
    const v = validateTransactionRow(row, raw, ctx);
    const errors = v.ok ? [] : [...v.errors];
    const creditor = v.ok ? ctx.creditors.get(v.value.creditorRef) : undefined;
    if (v.ok && !creditor) {
      errors.push({ row, column: ctx.label('creditor_ref'), value: v.value.creditorRef, code: 'IMPORT.UNKNOWN_CREDITOR', reason: `${ctx.label('creditor_ref')} "${v.value.creditorRef}" is not a creditor of this tenant` });
    }
    const ext = textOf(raw.external_id);
    if (ext.ok && ext.value) {
      const first = ctx.seen.get(ext.value);
      if (first === undefined) ctx.seen.set(detach(ext.value), row);
      else errors.push({ row, column: ctx.label('external_id'), value: ext.value, code: 'IMPORT.DUPLICATE_REFERENCE', reason: `${ctx.label('external_id')} "${ext.value}" already appears in row ${first}; the later row is not imported` });
    }
    if (errors.length > 0 || !v.ok || !creditor) {
      out.errors.push(...errors);
      out.failedRows++;
    } else out.valid.push({ ...v.value, creditorId: creditor.id, allocationOrder: creditor.allocationOrder });
  }
  return out;
};

export interface TransactionsOutcome {
  imported: number;
  errors: ImportError[];
  failedRows: number;
  created: number;
  replayed: number;
}

interface Recorded {
  id: string;
  accountId: string;
  kind: 'payment' | 'charge' | 'adjustment' | 'reversal';
  component: 'principal' | 'interest' | 'fees' | null;
  amount: number;
  allocation: Record<string, number>;
  reversed: boolean;
}

/** Applies and writes one batch in the caller's transaction (or savepoint). */
export const writeTransactions = async (sql: Sql, ctx: WriteContext & { decimal: ',' | '.' }, rows: readonly StagedTransaction[]): Promise<TransactionsOutcome> => {
  await repo.prepareStaging(sql);
  const pairs = new Map<string, [string, string]>();
  for (const t of rows) pairs.set(`${t.creditorId}\u0000${t.accountRef}`, [t.creditorId, t.accountRef]);
  const ordered = [...pairs.values()].sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1));
  const locked = await repo.lockAccountsByRef(sql, ctx.tenantId, ordered.map((p) => p[0]), ordered.map((p) => p[1]));
  const accounts = new Map(locked.map((a) => [`${a.creditor_id}\u0000${a.external_ref}`, a]));
  const schedules = new Map<string, { seq: number; dueDate: string; amount: number; paid: number }[]>();
  for (const i of await repo.loadSchedules(sql, ctx.tenantId, locked.map((a) => a.id))) {
    let s = schedules.get(i.account_id);
    if (!s) schedules.set(i.account_id, (s = []));
    s.push({ seq: i.seq, dueDate: i.due_date, amount: i.amount_minor, paid: i.paid_minor });
  }
  const known = new Map<string, Recorded>();
  const externalIds = [...new Set(rows.flatMap((t) => (t.reversesExternalId ? [t.externalId, t.reversesExternalId] : [t.externalId])))];
  for (const t of await repo.findTransactionsByExternalId(sql, ctx.tenantId, externalIds)) {
    known.set(t.external_id, { id: t.id, accountId: t.account_id, kind: t.kind, component: t.component, amount: t.amount_minor, allocation: t.allocation, reversed: t.reversed });
  }

  const states = new Map<string, { state: LedgerState; before: LedgerState; currency: string }>();
  const inserts: repo.NewTransaction[] = [];
  const events: NewEvent[] = [];
  const errors: ImportError[] = [];
  let replayed = 0;
  // Reasons start with the column as the file names it.
  const fail = (t: StagedTransaction, column: string, code: ImportError['code'], rest: string, value: string | null = null): void => {
    errors.push({ row: t.row, column: ctx.label(column), value, code, reason: `${ctx.label(column)} ${rest}` });
  };
  for (const t of rows) {
    const acct = accounts.get(`${t.creditorId}\u0000${t.accountRef}`);
    if (!acct) {
      fail(t, 'account_ref', 'IMPORT.UNKNOWN_ACCOUNT', `"${t.accountRef}" is not an account of this creditor`, t.accountRef);
      continue;
    }
    const prior = known.get(t.externalId);
    if (prior) {
      if (prior.accountId === acct.id && prior.kind === t.kind) replayed++;
      else fail(t, 'external_id', 'IMPORT.EXTERNAL_ID_REUSED', `"${t.externalId}" was already used for a ${prior.kind} on another account or of another kind`, t.externalId);
      continue;
    }
    if (t.currency && t.currency !== acct.currency) {
      fail(t, 'currency', 'IMPORT.CURRENCY_MISMATCH', `is ${t.currency} but the account is in ${acct.currency}`, t.currency);
      continue;
    }
    const amount = resolveTransactionAmount(t, acct.currency, ctx.decimal, ctx.label);
    if (!amount.ok) {
      errors.push(amount.error);
      continue;
    }
    let input: LedgerInput;
    let original: Recorded | undefined;
    if (t.kind === 'reversal') {
      original = known.get(t.reversesExternalId!);
      const why = !original ? 'is not a recorded transaction' : original.accountId !== acct.id ? 'belongs to another account'
        : original.kind === 'reversal' ? 'is itself a reversal; record a new transaction instead' : original.reversed ? 'was already reversed' : null;
      if (why) {
        fail(t, 'reverses_external_id', original && original.accountId === acct.id ? 'IMPORT.LEDGER_REJECTED' : 'IMPORT.UNKNOWN_TRANSACTION', `"${t.reversesExternalId}" ${why}`, t.reversesExternalId);
        continue;
      }
      const o = original!;
      input = { kind: 'reversal', original: { kind: o.kind as 'payment' | 'charge' | 'adjustment', amount: o.amount, component: o.component, allocation: o.allocation } };
    } else if (t.kind === 'payment') input = { kind: 'payment', amount: amount.minor };
    else input = { kind: t.kind, amount: amount.minor, component: t.component! };

    let entry = states.get(acct.id);
    if (!entry) {
      const state: LedgerState = {
        balance: { principal: acct.principal_minor, interest: acct.interest_minor, fees: acct.fees_minor, credit: acct.credit_minor },
        schedule: schedules.get(acct.id) ?? [],
        status: acct.status,
        chargedOffAt: acct.charged_off_at,
      };
      entry = { state, before: state, currency: acct.currency };
      states.set(acct.id, entry);
    }
    const creditorOrder = isAllocationOrder(t.allocationOrder) ? t.allocationOrder : DEFAULT_ALLOCATION_ORDER;
    const outcome = applyLedgerInput(entry.state, input, creditorOrder, ctx.asOf);
    if (!outcome.ok) {
      fail(t, t.kind === 'reversal' ? 'reverses_external_id' : 'amount', 'IMPORT.LEDGER_REJECTED', `refused by the ledger: ${outcome.reason}`, t.kind === 'reversal' ? t.reversesExternalId : displayAmount(t));
      continue;
    }
    entry.state = outcome.state;
    const id = ctx.newId('txn');
    const amountMinor = t.kind === 'reversal' ? original!.amount : amount.minor;
    const component = t.kind === 'reversal' ? original!.component : t.component;
    const occurredAt = t.occurredAt ?? ctx.at;
    inserts.push({ id, accountId: acct.id, kind: t.kind, component, amountMinor, currency: acct.currency, occurredAt, externalId: t.externalId, reversesId: original?.id ?? null, allocation: outcome.allocation, method: t.method, note: t.note });
    const rec: Recorded = { id, accountId: acct.id, kind: t.kind, component, amount: amountMinor, allocation: outcome.allocation as Record<string, number>, reversed: false };
    known.set(t.externalId, rec);
    if (original) original.reversed = true;
    const common = { accountId: acct.id, transactionId: id, externalId: t.externalId, currency: acct.currency };
    const event = (type: NewEvent['type'], payload: Record<string, unknown>): NewEvent => ({ id: ctx.newId('evt'), tenantId: ctx.tenantId, type, subjectType: 'account', subjectId: acct.id, payload, occurredAt: ctx.at });
    if (t.kind === 'payment') events.push(event('payment.recorded', { ...common, amountMinor, allocation: outcome.allocation, occurredAt: occurredAt.toISOString() }));
    else if (t.kind === 'reversal') events.push(event('transaction.reversed', { ...common, reversesId: original!.id, amountMinor }));
    else events.push(event('transaction.recorded', { ...common, kind: t.kind, component, amountMinor }));
  }

  // One balance (and status) change per account and batch: the CRM hears the end state.
  const balances: repo.AccountBalance[] = [];
  const paid: { accountId: string; paid: number[] }[] = [];
  for (const [accountId, { state, before, currency }] of states) {
    if (state === before) continue;
    const b: Balance = state.balance;
    const days = daysPastDue(state.schedule, ctx.asOf);
    const delinquency = { dpd: days, bucket: bucketFor(days), oldest: oldestUnpaidDueDate(state.schedule, ctx.asOf) };
    balances.push({ id: accountId, principal: b.principal, interest: b.interest, fees: b.fees, credit: b.credit, status: state.status, dpd: delinquency.dpd, bucket: delinquency.bucket, oldestUnpaid: delinquency.oldest });
    const old = new Map(before.schedule.map((i) => [i.seq, i.paid]));
    if (state.schedule.some((i) => old.get(i.seq) !== i.paid)) paid.push({ accountId, paid: [...state.schedule].sort((x, y) => x.seq - y.seq).map((i) => i.paid) });
    const ev = (type: NewEvent['type'], payload: Record<string, unknown>): NewEvent => ({ id: ctx.newId('evt'), tenantId: ctx.tenantId, type, subjectType: 'account', subjectId: accountId, payload, occurredAt: ctx.at });
    events.push(ev('account.balance_changed', {
      accountId, currency, balanceMinor: totalOwed(b), previousBalanceMinor: totalOwed(before.balance), principalMinor: b.principal, interestMinor: b.interest,
      feesMinor: b.fees, creditMinor: b.credit, daysPastDue: delinquency.dpd, bucket: delinquency.bucket,
    }));
    if (state.status !== before.status) events.push(ev('account.status_changed', { accountId, from: before.status, to: state.status }));
  }
  await repo.insertTransactions(sql, ctx.tenantId, inserts);
  await repo.saveBalances(sql, ctx.tenantId, ctx.asOf, balances);
  await repo.savePaid(sql, ctx.tenantId, paid);
  for (let i = 0; i < events.length; i += 1000) await appendEvents(sql, events.slice(i, i + 1000));
  const failedRows = new Set(errors.map((e) => e.row)).size;
  return { imported: rows.length - failedRows, errors, failedRows, created: inserts.length, replayed };
};

const displayAmount = (t: StagedTransaction): string | null => {
  const v = textOf(t.amount);
  return v.ok ? v.value : null;
};
