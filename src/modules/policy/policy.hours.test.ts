import { describe, expect, it } from 'vitest';
import { allowedWindows, evaluateContact } from './index.ts';
import type { Channel, PolicyInput } from './index.ts';

/**
 * Clock rules at their exact boundaries, in the debtor's zone: 08:00 and 21:00 allowed, one
 * second either side not; local days that are not UTC days; both DST changes in New York and
 * Madrid; holidays; several zones; no zone at all. Instants are written in UTC on purpose, with
 * the local time they stand for in the case name.
 */

function input(jurisdiction: string, at: string, channel: Channel = 'call', debtor: Partial<PolicyInput['debtor']> = {}): PolicyInput {
  return {
    jurisdiction,
    debtor: { timezones: [ZONE[jurisdiction] as string], consents: [{ channel: 'call' }, { channel: 'email' }, { channel: 'sms' }], ...debtor },
    history: [],
    proposed: { at, channel, debtId: 'A' },
  };
}
const ZONE: Record<string, string> = { US: 'America/New_York', CO: 'America/Bogota', ES: 'Europe/Madrid', PE: 'America/Lima', UK: 'Europe/London' };

interface Row {
  name: string;
  input: PolicyInput;
  allowed: boolean;
  code?: string;
  next?: string | null;
}

const rows: Row[] = [
  // New York, an ordinary day (EDT, UTC-4)
  { name: 'US 07:59:59 EDT', input: input('US', '2026-03-11T11:59:59Z'), allowed: false, code: 'HOURS.OUTSIDE_WINDOW', next: '2026-03-11T12:00:00Z' },
  { name: 'US 08:00:00 EDT', input: input('US', '2026-03-11T12:00:00Z'), allowed: true, next: '2026-03-11T12:00:00Z' },
  { name: 'US 21:00:00 EDT', input: input('US', '2026-03-12T01:00:00Z'), allowed: true },
  { name: 'US 21:00:00.001 EDT', input: input('US', '2026-03-12T01:00:00.001Z'), allowed: false, code: 'HOURS.OUTSIDE_WINDOW', next: '2026-03-12T12:00:00Z' },
  { name: 'US 21:00:01 EDT', input: input('US', '2026-03-12T01:00:01Z'), allowed: false, code: 'HOURS.OUTSIDE_WINDOW', next: '2026-03-12T12:00:00Z' },
  { name: 'US e-mail counts when sent: 22:00 EDT', input: input('US', '2026-03-12T02:00:00Z', 'email'), allowed: false, code: 'HOURS.OUTSIDE_WINDOW' },
  { name: 'US letters are not checked against hours', input: input('US', '2026-03-12T02:00:00Z', 'letter'), allowed: true },

  // New York, spring forward 2020-03-08 (02:00 EST -> 03:00 EDT)
  { name: 'US DST start: 21:00:01 EST on 03-07 waits for 08:00 EDT', input: input('US', '2020-03-08T02:00:01Z'), allowed: false, next: '2020-03-08T12:00:00Z' },
  { name: 'US DST start: 07:59:59 EDT on 03-08', input: input('US', '2020-03-08T11:59:59Z'), allowed: false, next: '2020-03-08T12:00:00Z' },
  { name: 'US DST start: 08:00 EDT on 03-08', input: input('US', '2020-03-08T12:00:00Z'), allowed: true },
  { name: 'US DST start: 21:00 EDT on 03-08', input: input('US', '2020-03-09T01:00:00Z'), allowed: true },
  { name: 'US DST start: 21:00:01 EDT on 03-08', input: input('US', '2020-03-09T01:00:01Z'), allowed: false, next: '2020-03-09T12:00:00Z' },

  // New York, fall back 2020-11-01 (02:00 EDT -> 01:00 EST)
  { name: 'US DST end: 21:00:01 EDT on 10-31 waits for 08:00 EST', input: input('US', '2020-11-01T01:00:01Z'), allowed: false, next: '2020-11-01T13:00:00Z' },
  { name: 'US DST end: 07:59:59 EST on 11-01', input: input('US', '2020-11-01T12:59:59Z'), allowed: false, next: '2020-11-01T13:00:00Z' },
  { name: 'US DST end: 08:00 EST on 11-01', input: input('US', '2020-11-01T13:00:00Z'), allowed: true },
  { name: 'US DST end: 21:00 EST on 11-01', input: input('US', '2020-11-02T02:00:00Z'), allowed: true },
  { name: 'US DST end: 21:00:01 EST on 11-01', input: input('US', '2020-11-02T02:00:01Z'), allowed: false, next: '2020-11-02T13:00:00Z' },

  // Madrid: calls 09:00-21:00 on weekdays; DST starts Sunday 2026-03-29, ends Sunday 2026-10-25
  { name: 'ES Friday 21:00:01 CET waits for Monday 09:00 CEST', input: input('ES', '2026-03-27T20:00:01Z'), allowed: false, next: '2026-03-30T07:00:00Z' },
  { name: 'ES Monday 08:59:59 CEST', input: input('ES', '2026-03-30T06:59:59Z'), allowed: false, code: 'HOURS.OUTSIDE_WINDOW' },
  { name: 'ES Monday 09:00 CEST', input: input('ES', '2026-03-30T07:00:00Z'), allowed: true },
  { name: 'ES Sunday of the DST change', input: input('ES', '2026-03-29T10:00:00Z'), allowed: false, code: 'DAYS.WEEKDAY_BLOCKED', next: '2026-03-30T07:00:00Z' },
  { name: 'ES Friday 21:00 CEST before DST ends', input: input('ES', '2026-10-23T19:00:00Z'), allowed: true, next: '2026-10-23T19:00:00Z' },
  { name: 'ES Friday 21:00:01 CEST waits for Monday 09:00 CET', input: input('ES', '2026-10-23T19:00:01Z'), allowed: false, next: '2026-10-26T08:00:00Z' },
  { name: 'ES 2026-01-05 21:00:01 waits over Epiphany to 01-07 09:00', input: input('ES', '2026-01-05T20:00:01Z'), allowed: false, next: '2026-01-07T08:00:00Z' },

  // The local day decides, not the UTC day: both instants are Sunday 2026-03-15 in UTC
  { name: 'CO Saturday 23:59:59 Bogotá is outside Saturday hours', input: input('CO', '2026-03-15T04:59:59Z', 'email'), allowed: false, code: 'HOURS.OUTSIDE_WINDOW' },
  { name: 'CO Sunday 00:00 Bogotá is a closed day', input: input('CO', '2026-03-15T05:00:00Z', 'email'), allowed: false, code: 'DAYS.WEEKDAY_BLOCKED', next: '2026-03-16T12:00:00Z' },
  { name: 'CO festivo Monday 2026-01-12 waits for Tuesday 07:00', input: input('CO', '2026-01-12T15:00:00Z', 'email'), allowed: false, code: 'DAYS.PUBLIC_HOLIDAY', next: '2026-01-13T12:00:00Z' },

  // Peru: 20:00 is already prohibited
  { name: 'PE 19:59:59.999', input: input('PE', '2026-03-12T00:59:59.999Z'), allowed: true },
  { name: 'PE 20:00:00', input: input('PE', '2026-03-12T01:00:00Z'), allowed: false, next: '2026-03-12T12:00:00Z' },

  // Several zones: New York and Los Angeles intersect to 11:00-21:00 New York time
  {
    name: 'US two zones: 10:59:59 New York is 07:59:59 Los Angeles',
    input: input('US', '2026-03-11T14:59:59Z', 'call', { timezones: ['America/New_York', 'America/Los_Angeles'] }),
    allowed: false, code: 'HOURS.OUTSIDE_WINDOW', next: '2026-03-11T15:00:00Z',
  },
  {
    name: 'US two zones: 21:00:01 New York is 18:00:01 Los Angeles',
    input: input('US', '2026-03-12T01:00:01Z', 'call', { timezones: ['America/Los_Angeles', 'America/New_York'] }),
    allowed: false, code: 'HOURS.OUTSIDE_WINDOW', next: '2026-03-12T15:00:00Z',
  },
  // No zone at all: the pack's zones intersect (Hawaii's 08:00 is 14:00 New York in March)
  { name: 'US no zone: 13:59 New York', input: input('US', '2026-03-11T17:59:59Z', 'call', { timezones: [] }), allowed: false, next: '2026-03-11T18:00:00Z' },
  { name: 'US no zone: 14:00 New York / 08:00 Honolulu', input: input('US', '2026-03-11T18:00:00Z', 'call', { timezones: [] }), allowed: true },
];

describe('hours and days at the boundaries', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_, r) => {
    const d = evaluateContact(r.input);
    expect(d.allowed, JSON.stringify(d.reasons)).toBe(r.allowed);
    if (r.code) expect(d.reasons.map((x) => x.code)).toContain(r.code);
    if (r.next !== undefined) expect(d.nextAllowedAt).toBe(r.next);
    if (r.allowed) expect(d.nextAllowedAt).toBe(d.evaluatedAt);
  });

  it('names the zone that blocks when several are possible', () => {
    const d = evaluateContact(input('US', '2026-03-11T14:59:59Z', 'call', { timezones: ['America/New_York', 'America/Los_Angeles'] }));
    expect(d.reasons[0]?.details?.['zone']).toBe('America/Los_Angeles');
    expect(d.reasons[0]?.message.en).toContain('07:59:59');
  });

  it('says when it falls back to every zone of the jurisdiction', () => {
    const d = evaluateContact(input('US', '2026-03-11T18:00:00Z', 'call', { timezones: null }));
    expect(d.reasons.map((r) => [r.code, r.effect])).toEqual([['TIMEZONE.UNKNOWN', 'info']]);
    expect(d.timezones).toContain('Pacific/Honolulu');
  });
});

describe('allowedWindows', () => {
  it('lists New York windows with both ends allowed (21:00 included)', () => {
    const { proposed: _, ...rest } = input('US', '2026-03-11T00:00:00Z');
    expect(allowedWindows(rest, { channel: 'call', debtId: 'A', from: '2026-03-11T00:00:00Z', days: 2 })).toEqual([
      { start: '2026-03-11T00:00:00Z', end: '2026-03-11T01:00:00Z' },
      { start: '2026-03-11T12:00:00Z', end: '2026-03-12T01:00:00Z' },
      { start: '2026-03-12T12:00:00Z', end: '2026-03-12T23:59:59.999Z' },
    ]);
  });

  it('intersects zones and skips the Madrid weekend and the DST change', () => {
    const { proposed: _, ...rest } = input('ES', '2026-03-27T00:00:00Z');
    expect(allowedWindows(rest, { channel: 'call', from: '2026-03-27T00:00:00Z', days: 4 })).toEqual([
      { start: '2026-03-27T08:00:00Z', end: '2026-03-27T20:00:00Z' },
      { start: '2026-03-30T07:00:00Z', end: '2026-03-30T19:00:00Z' },
    ]);
  });

  it('is empty behind a permanent block', () => {
    const { proposed: _, ...rest } = input('CO', '2026-03-11T00:00:00Z', 'visit');
    expect(allowedWindows(rest, { channel: 'visit', from: '2026-03-11T00:00:00Z', days: 30 })).toEqual([]);
  });
});
