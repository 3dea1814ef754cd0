import Holidays from 'date-holidays';
import { DAY, civilFromDays, parseDay } from './policy.time.ts';

/**
 * Public holidays by country and region from `date-holidays` (a maintained library, as the
 * compliance spec asks). Only holidays of type `public` close a day: bank, school, optional and
 * observance days do not, because the laws we encode speak of "festivos" / public holidays.
 * Each (country, region, year) is computed once and kept as a Map from local day number to name.
 */
export interface HolidayCalendar {
  readonly key: string;
  /** Name of the public holiday on local day `day`, or undefined. */
  holidayOn(day: number): string | undefined;
}

const calendars = new Map<string, HolidayCalendar>();

const known = new Map<string, boolean>();

/** Whether date-holidays knows the country (and region, when given). */
export function isKnownHolidayRegion(country: string, region?: string | null): boolean {
  const key = `${country}|${region ?? ''}`;
  let ok = known.get(key);
  if (ok === undefined) {
    ok = lookUp(country, region);
    if (known.size < 10_000) known.set(key, ok); // keys come from requests: keep the memo bounded
  }
  return ok;
}

function lookUp(country: string, region?: string | null): boolean {
  const hd = new Holidays();
  const code = holidayCountry(country);
  const countries = hd.getCountries() as Record<string, string> | undefined;
  if (!countries || !(code in countries)) return false;
  if (region === undefined || region === null) return true;
  const states = hd.getStates(code) as Record<string, string> | undefined;
  return states !== undefined && region in states;
}

/**
 * The region to give the policy for a stored debtor: the region when the holiday calendar knows
 * it (an ISO 3166-2 subdivision code such as "MD" or "CT" for Spain), else null — the national
 * calendar then applies. Stored regions come from creditors' files and are often free text
 * ("Lima", "Can"); the policy's own input validation refuses an unknown region, so the daily run
 * and the dispatcher, which read stored data, ask this first (and the explanation says so).
 */
export const holidayRegionOf = (country: string, region: string | null | undefined): string | null =>
  region && isKnownHolidayRegion(country, region) ? region : null;

/** The subdivision codes the holiday calendar knows for a country (empty when it has none). */
export const holidayRegions = (country: string): string[] => Object.keys((new Holidays().getStates(holidayCountry(country)) as Record<string, string> | undefined) ?? {});

/** date-holidays uses ISO 3166 `GB`; the policy packs call the United Kingdom `UK`. */
const holidayCountry = (country: string): string => (country === 'UK' ? 'GB' : country);

export function holidayCalendar(country: string, region?: string | null): HolidayCalendar {
  const key = region ? `${country}-${region}` : country;
  let cal = calendars.get(key);
  if (cal === undefined) {
    cal = createCalendar(key, holidayCountry(country), region ?? undefined);
    calendars.set(key, cal);
  }
  return cal;
}

function createCalendar(key: string, country: string, region: string | undefined): HolidayCalendar {
  // date-holidays fails with a TypeError deep inside on an unknown subdivision: say what is wrong.
  if (region !== undefined && !isKnownHolidayRegion(country, region)) throw new Error(`unknown region ${region} of ${country} for public holidays`);
  const hd = region ? new Holidays(country, region) : new Holidays(country);
  const names = new Map<number, string>();
  const loaded = new Set<number>();
  const loadYear = (year: number): void => {
    loaded.add(year);
    for (const h of hd.getHolidays(year) || []) {
      if (h.type !== 'public') continue;
      // `date` is the local calendar date; a few holidays last more than one day.
      const first = parseDay(h.date.slice(0, 10));
      const span = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / DAY));
      for (let d = first; d < first + span; d++) if (!names.has(d)) names.set(d, h.name);
    }
  };
  let lastYearStart = Number.NaN;
  let lastYearEnd = Number.NaN;
  return {
    key,
    holidayOn(day) {
      if (!(day >= lastYearStart && day < lastYearEnd)) {
        const { y } = civilFromDays(day);
        // The previous year too: a holiday spanning New Year starts in it.
        if (!loaded.has(y - 1)) loadYear(y - 1);
        if (!loaded.has(y)) loadYear(y);
        // Remember the year span so the hot path skips the civil-date conversion.
        lastYearStart = parseDay(`${String(y).padStart(4, '0')}-01-01`);
        lastYearEnd = parseDay(`${String(y + 1).padStart(4, '0')}-01-01`);
      }
      return names.get(day);
    },
  };
}
