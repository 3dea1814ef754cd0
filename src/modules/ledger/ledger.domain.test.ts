import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  allocatePayment, applyAdjustment, bucketFor, buildSchedule, daysPastDue, payInstalments, reverseAllocation, totalOwed, unpayInstalments,
  type Balance, type Component,
} from './ledger.domain.ts';
import { applyLedgerInput } from './ledger.apply.ts';

const bal = (principal: number, interest: number, fees: number, credit = 0): Balance => ({ principal, interest, fees, credit });

describe('allocatePayment', () => {
  it.each([
    [bal(1000, 200, 50), 100, ['fees', 'interest', 'principal'], { fees: 50, interest: 50 }, bal(1000, 150, 0)],
    [bal(1000, 200, 50), 100, ['principal', 'interest', 'fees'], { principal: 100 }, bal(900, 200, 50)],
    [bal(1000, 200, 50), 100, ['interest', 'fees', 'principal'], { interest: 100 }, bal(1000, 100, 50)],
    [bal(100, 0, 0), 150, ['fees', 'interest', 'principal'], { principal: 100, credit: 50 }, bal(0, 0, 0, 50)],
  ] as const)('splits %j paying %i in order %j', (start, amount, order, allocation, end) => {
    const r = allocatePayment(start, amount, order as unknown as Component[]);
    expect(r.allocation).toEqual(allocation);
    expect(r.balance).toEqual(end);
  });

  it('conserves money and reverses exactly (property)', () => {
    const arbBalance = fc.record({ principal: fc.nat(1e9), interest: fc.nat(1e7), fees: fc.nat(1e6), credit: fc.nat(1e5) });
    const arbOrder = fc.shuffledSubarray(['fees', 'interest', 'principal'] as Component[], { minLength: 3, maxLength: 3 });
    fc.assert(
      fc.property(arbBalance, fc.integer({ min: 1, max: 2e9 }), arbOrder, (b, amount, order) => {
        const r = allocatePayment(b, amount, order);
        const taken = Object.values(r.allocation).reduce((s, v) => s + (v ?? 0), 0);
        expect(taken).toBe(amount);
        expect(totalOwed(r.balance) + r.balance.credit).toBe(totalOwed(b) + b.credit - amount + 2 * (r.allocation.credit ?? 0));
        expect(Object.values(r.balance).every((v) => v >= 0)).toBe(true);
        expect(reverseAllocation(r.balance, r.allocation)).toEqual(b);
      }),
    );
  });

  it('rejects non-positive amounts', () => {
    expect(() => allocatePayment(bal(1, 0, 0), 0)).toThrow(RangeError);
    expect(() => allocatePayment(bal(1, 0, 0), 1.5)).toThrow(RangeError);
  });
});

describe('adjustments', () => {
  it('never takes a component below zero', () => {
    expect(applyAdjustment(bal(100, 10, 0), 'interest', -10)).toEqual({ ok: true, balance: bal(100, 0, 0) });
    expect(applyAdjustment(bal(100, 10, 0), 'interest', -11).ok).toBe(false);
    expect(applyAdjustment(bal(100, 10, 0), 'fees', 0).ok).toBe(false);
  });
});

describe('schedule and days past due', () => {
  const schedule = buildSchedule('2026-01-31', 4, 100, 'monthly');

  it('keeps the day of month and clamps to month end', () => {
    expect(schedule.map((i) => i.dueDate)).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30']);
    expect(buildSchedule('2028-01-31', 2, 1, 'monthly')[1]!.dueDate).toBe('2028-02-29');
    expect(buildSchedule('2026-12-15', 2, 1, 'fortnightly').map((i) => i.dueDate)).toEqual(['2026-12-15', '2026-12-29']);
    expect(buildSchedule('2026-12-29', 2, 1, 'weekly')[1]!.dueDate).toBe('2027-01-05');
  });

  it.each([
    ['2026-01-31', 0], // due today: not late yet
    ['2026-02-01', 1],
    ['2026-03-01', 29],
    ['2026-04-01', 60],
  ])('as of %s an unpaid schedule is %i days past due', (asOf, dpd) => {
    expect(daysPastDue(schedule, asOf)).toBe(dpd);
  });

  it('pays oldest first and DPD follows the oldest unpaid instalment', () => {
    const paid = payInstalments(schedule, 150);
    expect(paid.map((i) => i.paid)).toEqual([100, 50, 0, 0]);
    expect(daysPastDue(paid, '2026-04-01')).toBe(32);
    expect(unpayInstalments(paid, 150)).toEqual(schedule);
  });

  it.each([
    [0, 'current'], [1, '1-30'], [30, '1-30'], [31, '31-60'], [90, '61-90'], [91, '91-120'], [180, '121-180'], [181, '180+'], [5000, '180+'],
  ])('bucket for %i days is %s', (dpd, bucket) => {
    expect(bucketFor(dpd)).toBe(bucket);
  });
});

describe('applyLedgerInput', () => {
  const state = { balance: bal(900, 60, 40), schedule: buildSchedule('2026-01-10', 2, 500, 'monthly'), status: 'active' as const, chargedOffAt: null };

  it('a payment pays the balance and the schedule and can mark the account paid', () => {
    const r = applyLedgerInput(state, { kind: 'payment', amount: 1000 }, ['fees', 'interest', 'principal'], '2026-03-01');
    expect(r.ok && r.state.status).toBe('paid');
    expect(r.ok && r.daysPastDue).toBe(0);
  });

  it('a reversal of a payment restores balance, schedule and delinquency', () => {
    const paid = applyLedgerInput(state, { kind: 'payment', amount: 600 }, ['fees', 'interest', 'principal'], '2026-03-01');
    if (!paid.ok) throw new Error('payment failed');
    expect(paid.daysPastDue).toBe(19);
    const back = applyLedgerInput(paid.state, { kind: 'reversal', original: { kind: 'payment', amount: 600, component: null, allocation: paid.allocation } }, ['fees', 'interest', 'principal'], '2026-03-01');
    expect(back.ok && back.state.balance).toEqual(state.balance);
    expect(back.ok && back.daysPastDue).toBe(50);
  });

  it('refuses a charge reversal that would go below zero', () => {
    const r = applyLedgerInput(state, { kind: 'reversal', original: { kind: 'charge', amount: 100, component: 'fees', allocation: { fees: 100 } } }, ['fees', 'interest', 'principal'], '2026-03-01');
    expect(r).toMatchObject({ ok: false, code: 'TRANSACTION.CANNOT_REVERSE' });
  });
});
