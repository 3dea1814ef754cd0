import { describe, expect, it } from 'vitest';
import { holidayCalendar, holidayRegionOf, holidayRegions, isKnownHolidayRegion } from './policy.holidays.ts';
import { parseDay } from './policy.time.ts';

describe('public holidays by country and region', () => {
  it.each([
    ['ES', 'CT', 'CT'], ['ES', 'MD', 'MD'], ['BR', 'SP', 'SP'], ['PE', 'Can', null], ['ES', 'Madrid', null], ['MX', 'CMX', null], ['ES', null, null], ['ES', '', null],
  ])('a stored region %s/%s gives the policy %s', (country, region, expected) => {
    expect(holidayRegionOf(country, region)).toBe(expected);
  });

  it('knows the subdivisions of a country that has them, none of one that has none', () => {
    expect(holidayRegions('ES')).toEqual(expect.arrayContaining(['AN', 'CT', 'MD', 'PV']));
    expect(holidayRegions('MX')).toEqual([]);
    for (const r of holidayRegions('BR')) expect(isKnownHolidayRegion('BR', r)).toBe(true);
  });

  it('a regional holiday closes that region only: la Diada (11 September) in Catalonia, not in Madrid', () => {
    const diada = parseDay('2026-09-11');
    expect(holidayCalendar('ES', 'CT').holidayOn(diada)).toBeDefined();
    expect(holidayCalendar('ES', 'MD').holidayOn(diada)).toBeUndefined();
    expect(holidayCalendar('ES').holidayOn(parseDay('2026-10-12'))).toBeDefined();
  });

  it('refuses a region the calendar does not know with a message that says so (not a TypeError from inside the library)', () => {
    expect(() => holidayCalendar('PE', 'Can')).toThrow('unknown region Can of PE for public holidays');
  });
});
