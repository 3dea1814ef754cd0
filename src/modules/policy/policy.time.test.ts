import fc from 'fast-check';
import { IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { DAY, civilFromDays, daysFromCivil, describeTimeOfDaySet, formatInstant, parseInstant, zoneOffsets } from './policy.time.ts';

/** The time arithmetic the engine stands on, checked against Date and luxon. */

const ZONES = ['America/New_York', 'Europe/Madrid', 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/St_Johns', 'Pacific/Chatham', 'America/Havana', 'Europe/London', 'UTC'];
const instant = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) });

describe('time', () => {
  it('parses and formats instants like Date does', () => {
    fc.assert(fc.property(instant, (t) => {
      const s = new Date(t).toISOString();
      expect(parseInstant(s)).toBe(t);
      expect(parseInstant(`${s.slice(0, 19)}Z`)).toBe(Math.floor(t / 1000) * 1000);
      expect(Date.parse(formatInstant(t))).toBe(t);
    }));
    expect(parseInstant('2020-04-08T17:00:00+02:00')).toBe(Date.parse('2020-04-08T15:00:00Z'));
    expect(formatInstant(Date.parse('2020-04-10T12:00:00Z'))).toBe('2020-04-10T12:00:00Z');
    expect(() => parseInstant('yesterday')).toThrow(/ISO-8601/);
  });

  it('converts civil dates both ways', () => {
    fc.assert(fc.property(fc.integer({ min: -800_000, max: 800_000 }), (day) => {
      const { y, m, d } = civilFromDays(day);
      expect(daysFromCivil(y, m, d)).toBe(day);
      if (y >= 100 && y <= 9999) expect(Date.UTC(y, m - 1, d) / DAY).toBe(day);
    }));
  });

  it('knows every zone offset luxon knows', () => {
    fc.assert(fc.property(fc.constantFrom(...ZONES), instant, (zone, t) => {
      expect(zoneOffsets(zone).offsetAt(t)).toBe(IANAZone.create(zone).offset(t) * 60_000);
    }), { numRuns: 2000 });
  });

  it('maps local intervals to exactly the instants whose local time is inside them', () => {
    fc.assert(fc.property(fc.constantFrom(...ZONES), instant, fc.integer({ min: 0, max: 2 * DAY }), fc.integer({ min: -DAY, max: DAY }), (zone, t, len, probe) => {
      const tz = zoneOffsets(zone);
      const la = t + tz.offsetAt(t);
      const utc = tz.localToUtc(la, la + len);
      const x = t + probe;
      const local = x + tz.offsetAt(x);
      let inside = false;
      for (let i = 0; i < utc.length; i += 2) if (utc[i]! <= x && x < utc[i + 1]!) inside = true;
      expect(inside).toBe(local >= la && local < la + len);
    }), { numRuns: 3000 });
  });

  it('finds the New York DST changes to the second', () => {
    const ny = zoneOffsets('America/New_York');
    expect(ny.offsetAt(Date.parse('2020-03-08T06:59:59Z'))).toBe(-5 * 3_600_000);
    expect(ny.offsetAt(Date.parse('2020-03-08T07:00:00Z'))).toBe(-4 * 3_600_000);
    expect(ny.offsetAt(Date.parse('2020-11-01T05:59:59Z'))).toBe(-4 * 3_600_000);
    expect(ny.offsetAt(Date.parse('2020-11-01T06:00:00Z'))).toBe(-5 * 3_600_000);
    // 02:30 on 8 March does not exist; 01:30 on 1 November happens twice.
    const day = (s: string) => Date.parse(`${s}T00:00:00Z`);
    expect(ny.localToUtc(day('2020-03-08') + 2.5 * 3_600_000, day('2020-03-08') + 2.75 * 3_600_000)).toEqual([]);
    expect(ny.localToUtc(day('2020-11-01') + 1.5 * 3_600_000, day('2020-11-01') + 1.75 * 3_600_000)).toEqual([
      Date.parse('2020-11-01T05:30:00Z'), Date.parse('2020-11-01T05:45:00Z'), Date.parse('2020-11-01T06:30:00Z'), Date.parse('2020-11-01T06:45:00Z'),
    ]);
  });

  it('describes windows as people write them', () => {
    expect(describeTimeOfDaySet([8 * 3_600_000, 21 * 3_600_000 + 1])).toBe('08:00–21:00');
    expect(describeTimeOfDaySet([7 * 3_600_000, 20 * 3_600_000])).toBe('07:00–20:00');
    expect(describeTimeOfDaySet([])).toBe('closed');
  });
});
