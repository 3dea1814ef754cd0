/**
 * One pure step of the ledger: given an account's balance and schedule and a transaction, the
 * new balance and schedule and what the transaction did — or the reason it cannot apply.
 */
import {
  allocatePayment, applyAdjustment, bucketFor, daysPastDue, oldestUnpaidDueDate, payInstalments, reverseAllocation, statusAfter,
  totalOwed, unpayInstalments, type AccountStatus, type Allocation, type AllocationOrder, type Balance, type Component, type Instalment,
} from './ledger.domain.ts';

export interface LedgerState {
  balance: Balance;
  schedule: Instalment[];
  status: AccountStatus;
  chargedOffAt: string | null;
}

export type LedgerInput =
  | { kind: 'payment'; amount: number }
  | { kind: 'charge'; amount: number; component: Component }
  | { kind: 'adjustment'; amount: number; component: Component }
  | { kind: 'reversal'; original: { kind: 'payment' | 'charge' | 'adjustment'; amount: number; component: Component | null; allocation: Allocation } };

export type LedgerOutcome =
  | { ok: true; state: LedgerState; allocation: Allocation; daysPastDue: number; bucket: string; oldestUnpaidDueDate: string | null }
  | { ok: false; code: string; reason: string };

const scheduleShare = (a: Allocation): number => (a.fees ?? 0) + (a.interest ?? 0) + (a.principal ?? 0);

export const applyLedgerInput = (state: LedgerState, input: LedgerInput, order: AllocationOrder, asOf: string): LedgerOutcome => {
  let balance: Balance;
  let schedule = state.schedule;
  let allocation: Allocation;
  switch (input.kind) {
    case 'payment': {
      if (!Number.isSafeInteger(input.amount) || input.amount <= 0) return { ok: false, code: 'TRANSACTION.INVALID_AMOUNT', reason: 'a payment must be a positive amount' };
      const r = allocatePayment(state.balance, input.amount, order);
      balance = r.balance;
      allocation = r.allocation;
      // Money that settled the balance also pays the schedule, oldest instalment first.
      schedule = payInstalments(schedule, scheduleShare(allocation));
      break;
    }
    case 'charge':
    case 'adjustment': {
      if (input.kind === 'charge' && (!Number.isSafeInteger(input.amount) || input.amount <= 0)) {
        return { ok: false, code: 'TRANSACTION.INVALID_AMOUNT', reason: 'a charge must be a positive amount' };
      }
      const r = applyAdjustment(state.balance, input.component, input.amount);
      if (!r.ok) return { ok: false, code: 'TRANSACTION.INVALID_AMOUNT', reason: r.reason };
      balance = r.balance;
      allocation = { [input.component]: input.amount };
      break;
    }
    case 'reversal': {
      const o = input.original;
      if (o.kind === 'payment') {
        try {
          balance = reverseAllocation(state.balance, o.allocation);
        } catch (e) {
          return { ok: false, code: 'TRANSACTION.CANNOT_REVERSE', reason: (e as Error).message };
        }
        schedule = unpayInstalments(schedule, scheduleShare(o.allocation));
        allocation = Object.fromEntries(Object.entries(o.allocation).map(([k, v]) => [k, -(v ?? 0)]));
      } else {
        if (!o.component) return { ok: false, code: 'TRANSACTION.CANNOT_REVERSE', reason: 'the original transaction names no component' };
        const r = applyAdjustment(state.balance, o.component, -o.amount);
        if (!r.ok) return { ok: false, code: 'TRANSACTION.CANNOT_REVERSE', reason: r.reason };
        balance = r.balance;
        allocation = { [o.component]: -o.amount };
      }
      break;
    }
  }
  const dpd = daysPastDue(schedule, asOf);
  return {
    ok: true,
    state: { ...state, balance, schedule, status: statusAfter(state.status, balance, state.chargedOffAt) },
    allocation,
    daysPastDue: dpd,
    bucket: bucketFor(dpd),
    oldestUnpaidDueDate: oldestUnpaidDueDate(schedule, asOf),
  };
};

export { totalOwed };
