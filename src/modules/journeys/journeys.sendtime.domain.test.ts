import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseSendTime } from './journeys.sendtime.domain.ts';
import type { SendWindow } from './journeys.sendtime.domain.ts';
import { formatLocal, fromLocal } from './journeys.zone.domain.ts';

const MADRID = 'Europe/Madrid';
// Policy-style windows (both ends allowed): 08:00–21:00 Madrid (CET, UTC+1) on Mon 10 and Tue 11 March 2025.
const windows: SendWindow[] = [
  { start: '2025-03-10T07:00:00.000Z', end: '2025-03-10T19:59:59.999Z' },
  { start: '2025-03-11T07:00:00.000Z', end: '2025-03-11T19:59:59.999Z' },
];
const noSpread = { seed: 'acc_1', spreadMinutes: 0 };

describe('chooseSendTime', () => {
  it('takes the first allowed moment in the preferred hours', () => {
    const r = chooseSendTime(windows, { hours: [{ from: '18:00', to: '20:00' }] }, MADRID, '2025-03-10T06:00:00Z', noSpread);
    expect(r).toMatchObject({ at: '2025-03-10T17:00:00.000Z', reason: 'preferred' });
    expect(r.explanation.text.en).toContain('2025-03-10 18:00:00');
  });

  it('moves to the next day when today’s preferred hours have passed', () => {
    const r = chooseSendTime(windows, { hours: [{ from: '09:00', to: '10:00' }] }, MADRID, '2025-03-10T12:00:00Z', noSpread);
    expect(r).toMatchObject({ at: '2025-03-11T08:00:00.000Z', reason: 'preferred' });
  });

  it('honours preferred days', () => {
    const r = chooseSendTime(windows, { days: ['TUE'] }, MADRID, '2025-03-10T06:00:00Z', noSpread);
    expect(r.at).toBe('2025-03-11T07:00:00.000Z');
  });

  it('falls back to the first allowed moment, not before now, when no preference fits', () => {
    const r = chooseSendTime(windows, { hours: [{ from: '22:00', to: '23:00' }] }, MADRID, '2025-03-10T09:30:00Z', noSpread);
    expect(r).toMatchObject({ at: '2025-03-10T09:30:00.000Z', reason: 'first_allowed' });
    expect(r.explanation.params).toMatchObject({ why: 'outside_preference' });
    expect(chooseSendTime(windows, null, MADRID, '2025-03-10T06:00:00Z', noSpread).explanation.params).toMatchObject({ why: 'no_preference' });
  });

  it('returns no time when policy allows nothing', () => {
    expect(chooseSendTime([], null, MADRID, '2025-03-10T06:00:00Z', noSpread)).toMatchObject({ at: null, reason: 'no_window' });
    expect(chooseSendTime(windows, null, MADRID, '2025-03-12T00:00:00Z', noSpread).at).toBeNull();
  });

  it('reads wall-clock hours across a DST change', () => {
    const ny: SendWindow[] = [{ start: '2025-03-08T00:00:00Z', end: '2025-03-10T23:59:59.999Z' }];
    const prefs = { hours: [{ from: '09:00', to: '10:00' }] };
    expect(chooseSendTime(ny, prefs, 'America/New_York', '2025-03-08T00:00:00Z', noSpread).at).toBe('2025-03-08T14:00:00.000Z'); // EST
    expect(chooseSendTime(ny, prefs, 'America/New_York', '2025-03-08T15:00:00Z', noSpread).at).toBe('2025-03-09T13:00:00.000Z'); // EDT
  });

  it('handles preferred hours that wrap past midnight', () => {
    const all: SendWindow[] = [{ start: '2025-03-10T00:00:00Z', end: '2025-03-10T23:59:59.999Z' }];
    const r = chooseSendTime(all, { hours: [{ from: '22:00', to: '02:00' }] }, 'UTC', '2025-03-10T00:30:00Z', noSpread);
    expect(r).toMatchObject({ at: '2025-03-10T00:30:00.000Z', reason: 'preferred' });
  });

  it('spreads accounts over the first hour, deterministically, in whole seconds', () => {
    const ats = Array.from({ length: 2000 }, (_, i) => chooseSendTime(windows, null, MADRID, '2025-03-10T06:00:00Z', { seed: `acc_${i}` }).at as string);
    const offsets = ats.map((a) => (Date.parse(a) - Date.parse('2025-03-10T07:00:00Z')) / 1000);
    expect(Math.min(...offsets)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...offsets)).toBeLessThan(3600);
    expect(offsets.every(Number.isInteger)).toBe(true);
    expect(new Set(offsets.map((o) => Math.floor(o / 60))).size).toBeGreaterThan(55); // nearly every minute used
    expect(chooseSendTime(windows, null, MADRID, '2025-03-10T06:00:00Z', { seed: 'acc_7' }).at).toBe(ats[7]);
  });

  it('never jitters past the end of a short window', () => {
    const short: SendWindow[] = [{ start: '2025-03-10T07:00:00.000Z', end: '2025-03-10T07:00:29.999Z' }];
    for (let i = 0; i < 200; i++) {
      const at = Date.parse(chooseSendTime(short, null, MADRID, '2025-03-10T06:00:00Z', { seed: `s${i}` }).at as string);
      expect(at).toBeLessThanOrEqual(Date.parse(short[0]!.end));
    }
  });

  it('always answers an allowed instant at or after now (property)', () => {
    const base = Date.parse('2025-03-10T00:00:00Z');
    const arbWindows = fc.uniqueArray(fc.integer({ min: 0, max: 7 * 24 }), { maxLength: 6 }).map((hs) =>
      hs.sort((a, b) => a - b).map((h) => ({ start: new Date(base + h * 3_600_000).toISOString(), end: new Date(base + h * 3_600_000 + 1_799_999).toISOString() })));
    fc.assert(fc.property(arbWindows, fc.integer({ min: 0, max: 8 * 24 * 60 }), fc.constantFrom(0, 1, 23), fc.string(), (ws, nowMin, h, seed) => {
      const now = base + nowMin * 60_000;
      const r = chooseSendTime(ws, { hours: [{ from: `${String(h).padStart(2, '0')}:00`, to: `${String(h).padStart(2, '0')}:45` }] }, 'Europe/Lisbon', new Date(now), { seed });
      if (r.at === null) {
        expect(ws.every((w) => Date.parse(w.end) < now)).toBe(true);
        return;
      }
      const t = Date.parse(r.at);
      expect(t).toBeGreaterThanOrEqual(now);
      expect(ws.some((w) => t >= Date.parse(w.start) && t <= Date.parse(w.end))).toBe(true);
    }), { numRuns: 300 });
  });
});

describe('zone arithmetic', () => {
  const local = (iso: string) => Date.parse(`${iso}Z`);
  it.each<[string, string, string]>([
    ['Europe/Madrid', '2025-03-10T09:00:00', '2025-03-10T08:00:00.000Z'],
    ['Europe/Madrid', '2025-07-10T09:00:00', '2025-07-10T07:00:00.000Z'],
    ['America/New_York', '2025-03-09T09:00:00', '2025-03-09T13:00:00.000Z'],
    ['America/New_York', '2025-03-09T02:30:00', '2025-03-09T07:30:00.000Z'], // skipped hour: 03:30 EDT
    ['America/Sao_Paulo', '2025-03-10T09:00:00', '2025-03-10T12:00:00.000Z'],
    ['Asia/Kolkata', '2025-03-10T09:00:00', '2025-03-10T03:30:00.000Z'],
  ])('%s %s', (zone, wall, utc) => {
    const t = fromLocal(zone, local(wall));
    expect(new Date(t).toISOString()).toBe(utc);
    if (!wall.endsWith('02:30:00')) expect(formatLocal(zone, t)).toBe(wall.replace('T', ' '));
  });
});
