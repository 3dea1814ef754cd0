import type { Database } from '../../db/db.ts';
import type { Clock } from '../../lib/clock.ts';
import { isoDate } from '../../lib/clock.ts';
import type { IdFactory } from '../../lib/ids.ts';
import { AppError, conflict, invalid, notFound } from '../../lib/errors.ts';
import { currencyExponent, formatMinor, parseAmount } from '../../lib/money.ts';
import { appendEvents, type NewEvent } from '../events/index.ts';
import { findCreditor } from '../tenants/index.ts';
import { applyLedgerInput, totalOwed, type LedgerInput } from './ledger.apply.ts';
import { DEFAULT_ALLOCATION_ORDER, isAllocationOrder, type Component } from './ledger.domain.ts';
import * as repo from './ledger.repo.ts';
import type { Transaction, TransactionCreate, TransactionListQuery } from './ledger.types.ts';

export interface LedgerDeps {
  db: Database;
  clock: Clock;
  newId: IdFactory;
}

export const toTransaction = (r: repo.TransactionRow): Transaction => ({
  id: r.id,
  accountId: r.account_id,
  kind: r.kind,
  component: r.component,
  amountMinor: r.amount_minor,
  amount: formatMinor(r.amount_minor, currencyExponent(r.currency)),
  currency: r.currency,
  occurredAt: r.occurred_at.toISOString(),
  externalId: r.external_id,
  reversesId: r.reverses_id,
  allocation: r.allocation,
  method: r.method,
  note: r.note,
  createdAt: r.created_at.toISOString(),
});

/** Result of recording: `replayed` is true when the external id had been recorded before. */
export interface RecordResult {
  transaction: Transaction;
  replayed: boolean;
}

/**
 * The ledger service. Each transaction locks its account row, applies the pure ledger step,
 * writes the transaction, the new balance, schedule and delinquency, and the outbox events,
 * all in one database transaction — so the CRM hears of a payment if and only if it is recorded.
 */
export const createLedgerService = ({ db, clock, newId }: LedgerDeps) => {
  const amountOf = (t: { amount?: string | undefined; amountMinor?: number | undefined }, currency: string): number => {
    if (t.amountMinor !== undefined) return t.amountMinor;
    const parsed = parseAmount(t.amount ?? '', currencyExponent(currency), '.');
    if (!parsed.ok) throw invalid('TRANSACTION.INVALID_AMOUNT', parsed.reason, [{ field: 'amount', value: t.amount, message: parsed.reason }]);
    return parsed.minor;
  };

  const record = async (tenantId: string, accountId: string, input: TransactionCreate): Promise<RecordResult> =>
    db.transaction(async (tx) => {
      if (input.externalId) {
        const prior = await repo.findTransactionByExternalId(tx, tenantId, input.externalId);
        if (prior) {
          if (prior.account_id !== accountId || prior.kind !== input.kind) {
            throw conflict('TRANSACTION.EXTERNAL_ID_REUSED', `externalId ${input.externalId} was already used for another transaction`, [
              { field: 'externalId', value: input.externalId, message: 'already used' },
            ]);
          }
          return { transaction: toTransaction(prior), replayed: true };
        }
      }
      const account = await repo.lockAccount(tx, tenantId, accountId);
      if (!account) throw notFound('account', accountId);
      if (input.currency && input.currency !== account.currency) {
        throw invalid('TRANSACTION.CURRENCY_MISMATCH', `the account is in ${account.currency}, not ${input.currency}`, [
          { field: 'currency', value: input.currency, message: `expected ${account.currency}` },
        ]);
      }
      const creditor = await findCreditor(tx, tenantId, account.creditor_id);
      const order = creditor && isAllocationOrder(creditor.allocation_order) ? creditor.allocation_order : DEFAULT_ALLOCATION_ORDER;

      let ledgerInput: LedgerInput;
      let amount: number;
      let component: Component | null;
      if (input.kind === 'reversal') {
        const original = await repo.findTransaction(tx, tenantId, input.reversesId!);
        if (!original || original.account_id !== accountId) throw notFound('transaction', input.reversesId!);
        if (original.kind === 'reversal') throw invalid('TRANSACTION.CANNOT_REVERSE', 'a reversal cannot itself be reversed; record a new transaction', [{ field: 'reversesId', value: input.reversesId, message: 'is a reversal' }]);
        if (await repo.findReversalOf(tx, tenantId, original.id)) {
          throw conflict('TRANSACTION.ALREADY_REVERSED', `transaction ${original.id} was already reversed`, [{ field: 'reversesId', value: input.reversesId, message: 'already reversed' }]);
        }
        amount = original.amount_minor;
        component = original.component;
        ledgerInput = { kind: 'reversal', original: { kind: original.kind, amount: original.amount_minor, component: original.component, allocation: original.allocation } };
      } else {
        amount = amountOf(input, account.currency);
        if (input.kind === 'payment') ledgerInput = { kind: 'payment', amount };
        else ledgerInput = { kind: input.kind, amount, component: input.component! };
        component = input.component ?? null;
      }

      const schedule = await repo.loadSchedule(tx, tenantId, accountId);
      const before = { principal: account.principal_minor, interest: account.interest_minor, fees: account.fees_minor, credit: account.credit_minor };
      const now = clock.now();
      const asOf = isoDate(now);
      const outcome = applyLedgerInput({ balance: before, schedule, status: account.status, chargedOffAt: account.charged_off_at }, ledgerInput, order, asOf);
      if (!outcome.ok) throw new AppError(outcome.code, 'invalid', outcome.reason, [{ field: input.kind === 'reversal' ? 'reversesId' : 'amountMinor', message: outcome.reason }]);

      const row = await repo.insertTransaction(tx, {
        tenant_id: tenantId, id: newId('txn'), account_id: accountId, kind: input.kind, component, amount_minor: amount, currency: account.currency,
        occurred_at: input.occurredAt ? new Date(input.occurredAt) : now, external_id: input.externalId ?? null,
        reverses_id: input.kind === 'reversal' ? input.reversesId! : null, allocation: outcome.allocation as Record<string, number>,
        method: input.method ?? null, note: input.note ?? null,
      });
      const after = outcome.state.balance;
      await repo.saveAccountBalance(tx, tenantId, accountId, {
        ...after, status: outcome.state.status, dpd: outcome.daysPastDue, bucket: outcome.bucket, asOf, oldestUnpaid: outcome.oldestUnpaidDueDate, at: now,
      });
      await repo.savePaidAmounts(tx, tenantId, accountId, [...outcome.state.schedule].sort((a, b) => a.seq - b.seq).map((i) => i.paid));

      const event = (type: NewEvent['type'], payload: Record<string, unknown>): NewEvent => ({ id: newId('evt'), tenantId, type, subjectType: 'account', subjectId: accountId, payload, occurredAt: now });
      const events: NewEvent[] = [];
      const common = { accountId, transactionId: row.id, externalId: row.external_id, currency: account.currency };
      if (input.kind === 'payment') events.push(event('payment.recorded', { ...common, amountMinor: amount, allocation: outcome.allocation, occurredAt: row.occurred_at.toISOString() }));
      else if (input.kind === 'reversal') events.push(event('transaction.reversed', { ...common, reversesId: row.reverses_id, amountMinor: amount }));
      else events.push(event('transaction.recorded', { ...common, kind: input.kind, component, amountMinor: amount }));
      events.push(event('account.balance_changed', {
        accountId, currency: account.currency, balanceMinor: totalOwed(after), previousBalanceMinor: totalOwed(before),
        principalMinor: after.principal, interestMinor: after.interest, feesMinor: after.fees, creditMinor: after.credit,
        daysPastDue: outcome.daysPastDue, bucket: outcome.bucket,
      }));
      if (outcome.state.status !== account.status) events.push(event('account.status_changed', { accountId, from: account.status, to: outcome.state.status }));
      await appendEvents(tx, events);
      return { transaction: toTransaction(row), replayed: false };
    });

  return {
    record,
    recordPayment: (tenantId: string, accountId: string, input: Omit<TransactionCreate, 'kind'>) => record(tenantId, accountId, { ...input, kind: 'payment' }),
    async list(tenantId: string, q: TransactionListQuery): Promise<{ data: Transaction[]; nextCursor: string | null }> {
      const rows = await repo.listTransactions(db, tenantId, q);
      return { data: rows.map(toTransaction), nextCursor: rows.length === q.limit ? rows[rows.length - 1]!.id : null };
    },
    async get(tenantId: string, id: string): Promise<Transaction> {
      const row = await repo.findTransaction(db, tenantId, id);
      if (!row) throw notFound('transaction', id);
      return toTransaction(row);
    },
    refreshDaysPastDue: (asOf: string) => repo.refreshDaysPastDue(db, asOf),
  };
};

export type LedgerService = ReturnType<typeof createLedgerService>;
