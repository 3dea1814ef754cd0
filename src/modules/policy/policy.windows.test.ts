import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateDebtor, rng, simulate } from './policy.auditor.testkit.ts';
import { CHANNELS, allowedWindows, evaluateContact } from './index.ts';
import type { Channel, PolicyInput } from './index.ts';

/**
 * allowedWindows and nextAllowedAt agree with evaluateContact on the same history: every instant
 * inside a window is allowed, the instants just outside are not, a random instant is allowed
 * exactly when it lies in a window, and nextAllowedAt is the first allowed instant.
 */

const DAY = 86_400_000;
const iso = (t: number): string => new Date(t).toISOString();

/** A debtor with a realistic history: a short simulated journey before `from`. */
function scenario(seed: number, startDay: number): { base: Omit<PolicyInput, 'proposed'>; from: number } {
  const r = rng(seed);
  // Start days run over 2020–2027, so DST changes, holidays and year ends all come up.
  const start = Date.UTC(2020, 0, 1) + startDay * DAY;
  const base = generateDebtor(r, start, 20);
  const run = simulate(base, r, evaluateContact, { start, days: 14, historyDays: 15, proposalsPerDay: 2 });
  return { base: { ...base, history: run.contacts }, from: start + 14 * DAY - Math.floor(r() * DAY) };
}

/** Checks one scenario; returns how many windows it listed. */
function agree(base: Omit<PolicyInput, 'proposed'>, from: number, channel: Channel, debtId: string, samples: readonly number[]): number {
  const days = 3;
  const to = from + days * DAY;
  const windows = allowedWindows(base, { channel, debtId, address: '+100000001', from: iso(from), days });
  const decide = (t: number) => evaluateContact({ ...base, proposed: { at: iso(t), channel, debtId, address: '+100000001' } });
  const spans = windows.map((w) => [Date.parse(w.start), Date.parse(w.end)] as const);
  for (const [s, e] of spans) {
    expect(s).toBeLessThanOrEqual(e);
    expect(decide(s).allowed, `start ${iso(s)}`).toBe(true);
    expect(decide(e).allowed, `end ${iso(e)}`).toBe(true);
    expect(decide(Math.floor((s + e) / 2)).allowed).toBe(true);
    if (s > from) expect(decide(s - 1).allowed, `before ${iso(s)}`).toBe(false);
    if (e + 1 < to) expect(decide(e + 1).allowed, `after ${iso(e)}`).toBe(false);
  }
  for (const x of samples) {
    const t = from + Math.floor(x * (to - from - 1));
    const inside = spans.some(([s, e]) => s <= t && t <= e);
    const d = decide(t);
    expect(d.allowed, `${iso(t)} ${JSON.stringify(d.reasons.map((r) => r.code))}`).toBe(inside);
    // nextAllowedAt is the first window start at or after t (when it lies in the listing).
    const first = spans.find(([, e]) => e >= t);
    if (first) expect(d.nextAllowedAt).toBe(iso(Math.max(first[0], t)).replace('.000Z', 'Z'));
    else if (d.nextAllowedAt) expect(Date.parse(d.nextAllowedAt)).toBeGreaterThanOrEqual(to);
  }
  return spans.length;
}

const EXOTIC = ['America/St_Johns', 'Asia/Kolkata', 'Pacific/Chatham', 'America/Havana', 'Asia/Beirut', 'Australia/Lord_Howe', 'America/Santiago', 'Europe/Madrid', 'America/New_York', 'Pacific/Kiritimati', 'Pacific/Pago_Pago'];
const hhmm = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 59)).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const weekday = fc.constantFrom('MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN' as const);
const date = fc.integer({ min: 0, max: 2900 }).map((d) => iso(Date.UTC(2020, 0, 1) + d * DAY).slice(0, 10));

describe('windows agree with decisions', () => {
  it('property: odd zones (half and quarter hours, DST at midnight, 30-minute DST), wrapping designations', () => {
    let listed = 0;
    fc.assert(
      fc.property(
        fc.constantFrom('US', 'UK', 'MX', 'BR'),
        fc.uniqueArray(fc.constantFrom(...EXOTIC), { minLength: 0, maxLength: 3 }),
        fc.array(fc.record({ weekdays: fc.option(fc.uniqueArray(weekday, { minLength: 1, maxLength: 3 }), { nil: undefined }), from: hhmm, to: hhmm, until: fc.option(date, { nil: undefined }) }), { maxLength: 2 }),
        fc.option(fc.record({ hours: fc.array(fc.record({ from: hhmm, to: hhmm }), { minLength: 1, maxLength: 2 }), days: fc.option(fc.uniqueArray(weekday, { minLength: 1, maxLength: 7 }), { nil: undefined }) }), { nil: undefined }),
        fc.option(fc.record({ kind: fc.constantFrom('pause', 'dispute' as const), from: date, until: date }), { nil: undefined }),
        // Around the 2020-2027 DST changes of both hemispheres, or anywhere.
        fc.oneof(fc.constantFrom(...['2020-03-07', '2020-10-31', '2021-04-03', '2023-03-25', '2024-09-28', '2026-11-01', '2025-03-29'].map((d) => Date.parse(`${d}T00:00:00Z`))), fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2027, 11, 1) })),
        fc.integer({ min: 0, max: DAY - 1 }),
        fc.constantFrom<Channel>('call', 'email'),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 15, maxLength: 15 }),
        (jurisdiction, timezones, inconvenientTimes, preferences, hold, day, offset, channel, samples) => {
          const base: Omit<PolicyInput, 'proposed'> = {
            jurisdiction,
            debtor: { timezones, inconvenientTimes, preferences, holds: hold ? [hold] : [] },
            history: [],
          };
          listed += agree(base, day + offset, channel, 'A', samples);
        },
      ),
      { numRuns: 300 },
    );
    expect(listed).toBeGreaterThan(100);
  });

  it('property: simulated histories — inside allowed, just outside not, random instants alike', () => {
    let listed = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 2900 }), fc.constantFrom(...CHANNELS), fc.constantFrom('A', 'B'),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 20, maxLength: 20 }),
        (seed, startDay, channel: Channel, debtId, samples) => {
          const { base, from } = scenario(seed, startDay);
          listed += agree(base, from, channel, debtId, samples);
        },
      ),
      { numRuns: 250 },
    );
    expect(listed).toBeGreaterThan(100);
  });
});
