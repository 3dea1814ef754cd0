/**
 * The ledger's pure rules: how a payment is split across the balance, how a schedule is paid,
 * days past due and the delinquency bucket. Amounts are integer minor units of one currency.
 */
import { daysBetween } from '../../lib/clock.ts';

export const COMPONENTS = ['fees', 'interest', 'principal'] as const;
export type Component = (typeof COMPONENTS)[number];
export type AllocationOrder = readonly Component[];
export const DEFAULT_ALLOCATION_ORDER: AllocationOrder = ['fees', 'interest', 'principal'];

export interface Balance {
  principal: number;
  interest: number;
  fees: number;
  /** Money received beyond what was owed. */
  credit: number;
}

export type Allocation = Partial<Record<Component | 'credit', number>>;

export const totalOwed = (b: Balance): number => b.principal + b.interest + b.fees;

/** An allocation order must name each component exactly once. */
export const isAllocationOrder = (order: readonly string[]): order is AllocationOrder =>
  order.length === COMPONENTS.length && COMPONENTS.every((c) => order.includes(c));

/**
 * Splits a payment across components in the given order (the creditor's setting; fees, then
 * interest, then principal by default). What exceeds the total owed becomes credit.
 */
export const allocatePayment = (
  balance: Balance,
  amount: number,
  order: AllocationOrder = DEFAULT_ALLOCATION_ORDER,
): { balance: Balance; allocation: Allocation } => {
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new RangeError('payment amount must be a positive integer');
  const next = { ...balance };
  const allocation: Allocation = {};
  let left = amount;
  for (const c of order) {
    const take = Math.min(left, next[c]);
    if (take > 0) {
      next[c] -= take;
      allocation[c] = take;
      left -= take;
    }
  }
  if (left > 0) {
    next.credit += left;
    allocation.credit = left;
  }
  return { balance: next, allocation };
};

/** Undoes a recorded allocation exactly (a reversal of a payment puts back what it took). */
export const reverseAllocation = (balance: Balance, allocation: Allocation): Balance => {
  const next = { ...balance };
  for (const c of COMPONENTS) next[c] += allocation[c] ?? 0;
  const credit = allocation.credit ?? 0;
  if (credit > next.credit) throw new RangeError('credit already used: reverse the later transactions first');
  next.credit -= credit;
  return next;
};

/**
 * A charge adds to one component; an adjustment moves one component by a signed amount (a
 * waiver of interest is a negative adjustment on interest) and may not take it below zero.
 */
export const applyAdjustment = (
  balance: Balance,
  component: Component,
  signedAmount: number,
): { ok: true; balance: Balance } | { ok: false; reason: string } => {
  if (!Number.isSafeInteger(signedAmount) || signedAmount === 0) return { ok: false, reason: 'amount must be a non-zero integer' };
  const after = balance[component] + signedAmount;
  if (after < 0) {
    return { ok: false, reason: `the adjustment would leave ${component} at ${after}; it holds ${balance[component]}` };
  }
  return { ok: true, balance: { ...balance, [component]: after } };
};

export interface Instalment {
  seq: number;
  dueDate: string;
  amount: number;
  paid: number;
}

/** Applies money to the schedule oldest first (a payment cures the oldest arrears first). */
export const payInstalments = (schedule: readonly Instalment[], amount: number): Instalment[] => {
  let left = amount;
  return [...schedule]
    .sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.seq - b.seq)
    .map((i) => {
      const take = Math.min(left, i.amount - i.paid);
      left -= Math.max(take, 0);
      return take > 0 ? { ...i, paid: i.paid + take } : i;
    });
};

/** Takes money back from the schedule newest paid first (the mirror of payInstalments). */
export const unpayInstalments = (schedule: readonly Instalment[], amount: number): Instalment[] => {
  let left = amount;
  const sorted = [...schedule].sort((a, b) => b.dueDate.localeCompare(a.dueDate) || b.seq - a.seq);
  const out = sorted.map((i) => {
    const take = Math.min(left, i.paid);
    left -= take;
    return take > 0 ? { ...i, paid: i.paid - take } : i;
  });
  return out.reverse();
};

/** Due date of the oldest instalment not paid in full that is already due on `asOf`, if any. */
export const oldestUnpaidDueDate = (schedule: readonly Instalment[], asOf: string): string | null => {
  let oldest: string | null = null;
  for (const i of schedule) {
    if (i.paid < i.amount && i.dueDate < asOf && (oldest === null || i.dueDate < oldest)) oldest = i.dueDate;
  }
  return oldest;
};

/**
 * Days past due: days since the oldest unpaid instalment's due date. An instalment due today is
 * not yet late (DPD 0); unpaid the day after its due date it is 1 day past due.
 */
export const daysPastDue = (schedule: readonly Instalment[], asOf: string): number => {
  const oldest = oldestUnpaidDueDate(schedule, asOf);
  return oldest === null ? 0 : daysBetween(oldest, asOf);
};

/** Bucket bounds: each bucket is named by its upper bound of DPD, the last one open-ended. */
export interface BucketDef {
  name: string;
  /** Inclusive upper bound of days past due; null for the last bucket. */
  maxDays: number | null;
}

export const DEFAULT_BUCKETS: readonly BucketDef[] = [
  { name: 'current', maxDays: 0 },
  { name: '1-30', maxDays: 30 },
  { name: '31-60', maxDays: 60 },
  { name: '61-90', maxDays: 90 },
  { name: '91-120', maxDays: 120 },
  { name: '121-180', maxDays: 180 },
  { name: '180+', maxDays: null },
];

export const bucketFor = (dpd: number, buckets: readonly BucketDef[] = DEFAULT_BUCKETS): string => {
  for (const b of buckets) if (b.maxDays === null || dpd <= b.maxDays) return b.name;
  throw new Error('bucket definitions must end with an open-ended bucket');
};

export type AccountStatus = 'active' | 'paid' | 'settled' | 'charged_off' | 'closed' | 'recalled';

/**
 * Status after a balance change: an active or charged-off account whose balance reaches zero is
 * paid; a paid account that owes again (a reversal) becomes active again. Settled, closed and
 * recalled are decisions people make and are left as they are.
 */
export const statusAfter = (status: AccountStatus, balance: Balance, chargedOffAt: string | null): AccountStatus => {
  const owed = totalOwed(balance);
  if ((status === 'active' || status === 'charged_off') && owed === 0) return 'paid';
  if (status === 'paid' && owed > 0) return chargedOffAt ? 'charged_off' : 'active';
  return status;
};

/**
 * Builds a regular schedule: `count` instalments of `amount` every `frequency` from `firstDue`.
 * Month steps keep the day of month where it exists and clamp to the month's last day (31 Jan ->
 * 28/29 Feb -> 31 Mar), as lenders' schedules do.
 */
export type Frequency = 'weekly' | 'fortnightly' | 'monthly';

export const buildSchedule = (firstDue: string, count: number, amount: number, frequency: Frequency): Instalment[] => {
  const out: Instalment[] = [];
  const [y, m, d] = firstDue.split('-').map(Number) as [number, number, number];
  for (let k = 0; k < count; k++) {
    let due: string;
    if (frequency === 'monthly') {
      const monthIndex = m - 1 + k;
      const year = y + Math.floor(monthIndex / 12);
      const month = (monthIndex % 12) + 1;
      const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
      due = `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
    } else {
      const step = frequency === 'weekly' ? 7 : 14;
      due = new Date(Date.UTC(y, m - 1, d + k * step)).toISOString().slice(0, 10);
    }
    out.push({ seq: k + 1, dueDate: due, amount, paid: 0 });
  }
  return out;
};
