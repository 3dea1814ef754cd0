import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { audit, generateDebtor, rng, simulate } from './policy.auditor.testkit.ts';
import { evaluateContact } from './index.ts';

/**
 * The engine against an independent auditor (policy.auditor.testkit.ts): whatever a greedy
 * journey does, the contacts the engine allowed break no rule — hours, days, holidays, zones,
 * designations, holds, cease, opt-outs, consent, provider rules, preferences, and every cap
 * (US 7-in-7 and 7 days after a conversation per debt with consent windows, CO once a day and
 * one channel a week, CL weekly caps and gaps, US texts and e-mails).
 */

const DAY = 86_400_000;

describe('allowed contacts never break a rule', () => {
  it('property: greedy 30-day journeys over random debtors (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 1100 }), fc.integer({ min: 1, max: 4 }), (seed, startDay, perDay) => {
        const r = rng(seed);
        const start = Date.UTC(2023, 0, 1) + startDay * DAY;
        const base = generateDebtor(r, start, 30);
        const run = simulate(base, r, evaluateContact, { start, days: 30, historyDays: 15, proposalsPerDay: perDay });
        expect(run.nextAllowedFailures).toEqual([]);
        expect(audit(base, run.contacts)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('the auditor is not vacuous: an engine that allows everything fails it on every kind of rule', () => {
    const r = rng(5);
    const start = Date.UTC(2026, 0, 1);
    const found: string[] = [];
    for (let i = 0; i < 60; i++) {
      const base = generateDebtor(r, start, 30);
      const run = simulate(base, r, () => ({ allowed: true, nextAllowedAt: null }), { start, days: 30, historyDays: 15, proposalsPerDay: 2 });
      found.push(...audit(base, run.contacts));
    }
    for (const kind of ['outside US hours', 'outside CO hours', 'outside PE hours', 'outside ES hours', 'hold', 'opted out', 'no consent', 'WhatsApp not enabled', 'SMS by an agency', 'visit in Colombia', 'within 7 days after the conversation', 'several channels in the week', 'more than one contact a day', 'preferred']) {
      expect(found.some((v) => v.includes(kind)), kind).toBe(true);
    }
  });

  it('90 days, 10 000 generated debtors: zero violations when audited independently', () => {
    const r = rng(20_260_101);
    const start = Date.UTC(2026, 0, 1);
    let decisions = 0;
    let contacts = 0;
    const violations: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const base = generateDebtor(r, start, 90);
      const run = simulate(base, r, evaluateContact, { start, days: 90, historyDays: 15, proposalsPerDay: 1 });
      decisions += run.decisions;
      contacts += run.contacts.length;
      for (const v of [...run.nextAllowedFailures, ...audit(base, run.contacts)]) violations.push(`debtor ${i} (${base.jurisdiction}): ${v}`);
    }
    expect(violations.slice(0, 20)).toEqual([]);
    expect(decisions).toBeGreaterThan(500_000);
    expect(contacts).toBeGreaterThan(200_000);
  }, 120_000);
});
