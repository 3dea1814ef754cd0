/**
 * Pure formatting and parsing helpers for money, numbers and dates. Money arrives from the API
 * as integer minor units plus an ISO 4217 code; it is turned into an exact decimal string before
 * Intl formats it, so no float ever rounds a cent. Nothing here reads the DOM or i18next, so it
 * is unit-tested in Node (test/browser/format.test.ts).
 */

export type Lang = 'es' | 'en';

/** The BCP 47 locale used for each console language (Spain first; British English dates). */
export const localeFor = (lang: string): string => (lang.startsWith('en') ? 'en-GB' : 'es-ES');

const exponents = new Map<string, number>();

/** Minor-unit digits of a currency, from ICU (CLDR) like the server: EUR 2, CLP 0, JPY 0. */
export const currencyExponent = (currency: string): number => {
  let e = exponents.get(currency);
  if (e === undefined) {
    try {
      e = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      e = 2;
    }
    exponents.set(currency, e);
  }
  return e;
};

/** `123456, 2` -> `"1234.56"`: exact, by string arithmetic. */
export const minorToDecimal = (minor: number, exponent: number): `${number}` => {
  const neg = minor < 0;
  const digits = String(Math.abs(Math.trunc(minor))).padStart(exponent + 1, '0');
  const int = exponent === 0 ? digits : digits.slice(0, -exponent);
  const frac = exponent === 0 ? '' : digits.slice(-exponent);
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}` as `${number}`;
};

const numberFormats = new Map<string, Intl.NumberFormat>();
const cachedFormat = (key: string, make: () => Intl.NumberFormat): Intl.NumberFormat => {
  let f = numberFormats.get(key);
  if (!f) {
    f = make();
    numberFormats.set(key, f);
  }
  return f;
};

/**
 * Money for people: `1.234,56 €` in Spanish, `€1,234.56` in English. Thousands are always
 * grouped (CLDR leaves 4-digit Spanish amounts ungrouped, which makes columns hard to scan).
 */
export const formatMoney = (minor: number, currency: string, locale: string): string => {
  const exponent = currencyExponent(currency);
  const f = cachedFormat(`m|${locale}|${currency}`, () =>
    new Intl.NumberFormat(locale, { style: 'currency', currency, useGrouping: 'always', minimumFractionDigits: exponent, maximumFractionDigits: exponent }),
  );
  return f.format(minorToDecimal(minor, exponent));
};

/** Short money for chart axes and tiles: `1,2 M€`, `€1.2M`. */
export const formatMoneyCompact = (minor: number, currency: string, locale: string): string => {
  const f = cachedFormat(`mc|${locale}|${currency}`, () =>
    new Intl.NumberFormat(locale, { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 }),
  );
  return f.format(minorToDecimal(minor, currencyExponent(currency)));
};

export const formatNumber = (n: number, locale: string): string =>
  cachedFormat(`n|${locale}`, () => new Intl.NumberFormat(locale, { useGrouping: 'always', maximumFractionDigits: 0 })).format(n);

/** A share in 0..1 as a percentage with one decimal: `12,5 %`. */
export const formatPercent = (share: number, locale: string): string =>
  cachedFormat(`p|${locale}`, () => new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 })).format(share);

/**
 * How long something took, in the reader's language: `0,4 s`, `12 s`, `2 min 5 s`, `1 h 3 min`.
 * Seconds keep one decimal under ten seconds; hours drop the seconds.
 */
export const formatDuration = (ms: number, locale: string): string => {
  const unit = (u: 'hour' | 'minute' | 'second', n: number, digits = 0) =>
    cachedFormat(`u|${locale}|${u}|${digits}`, () => new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: 'short', maximumFractionDigits: digits })).format(n);
  const safe = Math.max(0, ms);
  if (safe < 10_000) return unit('second', Math.round(safe / 100) / 10, 1);
  const totalSeconds = Math.round(safe / 1000);
  if (totalSeconds < 60) return unit('second', totalSeconds);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return minutes > 0 ? `${unit('hour', hours)} ${unit('minute', minutes)}` : unit('hour', hours);
  return seconds > 0 ? `${unit('minute', minutes)} ${unit('second', seconds)}` : unit('minute', minutes);
};

const dateFormats = new Map<string, Intl.DateTimeFormat>();
const cachedDate = (key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat => {
  let f = dateFormats.get(key);
  if (!f) {
    f = make();
    dateFormats.set(key, f);
  }
  return f;
};

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A calendar date (`YYYY-MM-DD`, as due dates are) in the reader's language: `5 ene 2026`.
 * It is read and written in UTC so that no time zone can move it by a day.
 */
export const formatDate = (isoDate: string | null | undefined, locale: string): string => {
  if (!isoDate) return '';
  const m = ISO_DATE.exec(isoDate.slice(0, 10));
  if (!m) return isoDate;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return cachedDate(`d|${locale}`, () => new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })).format(d);
};

/** An instant in the reader's own time zone: `15 mar 2026, 11:00`. */
export const formatDateTime = (iso: string | null | undefined, locale: string, timeZone?: string): string => {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return cachedDate(`dt|${locale}|${timeZone ?? ''}`, () =>
    new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', ...(timeZone ? { timeZone } : {}) }),
  ).format(d);
};

export type AmountInput = { ok: true; decimal: string; minor: number } | { ok: false; reason: 'empty' | 'format' | 'decimals' | 'positive' };

/**
 * Reads an amount typed by a person in the console's language into the API's decimal string
 * (`"1234.56"`). Spanish uses `,` for decimals and `.` for thousands (`1.234,56`), English the
 * reverse. A lone separator of the other kind is read as a decimal point unless it groups
 * exactly three digits (`12.50` typed on a numeric keypad in Spanish is 12,50; `1.250` is 1250).
 */
export const parseAmountInput = (raw: string, locale: string, exponent: number): AmountInput => {
  const text = raw.replace(/[\s\u00a0\u202f]/g, '');
  if (text === '') return { ok: false, reason: 'empty' };
  if (text.startsWith('-')) return { ok: false, reason: 'positive' };
  if (!/^\d[\d.,]*$/.test(text) || /[.,]$/.test(text)) return { ok: false, reason: 'format' };
  const dec = locale.startsWith('en') ? '.' : ',';
  const grp = dec === ',' ? '.' : ',';
  const hasDec = text.includes(dec);
  const hasGrp = text.includes(grp);
  let intPart: string;
  let fracPart = '';
  if (hasDec && hasGrp) {
    const last = Math.max(text.lastIndexOf(dec), text.lastIndexOf(grp));
    const decimalChar = text[last]!;
    const groupChar = decimalChar === ',' ? '.' : ',';
    intPart = text.slice(0, last);
    fracPart = text.slice(last + 1);
    if (intPart.includes(decimalChar) || fracPart.includes(groupChar)) return { ok: false, reason: 'format' };
    if (!new RegExp(`^\\d{1,3}(\\${groupChar}\\d{3})+$`).test(intPart)) return { ok: false, reason: 'format' };
    intPart = intPart.replaceAll(groupChar, '');
  } else if (hasDec) {
    const parts = text.split(dec);
    if (parts.length !== 2) return { ok: false, reason: 'format' };
    intPart = parts[0]!;
    fracPart = parts[1]!;
  } else if (hasGrp) {
    const parts = text.split(grp);
    if (new RegExp(`^\\d{1,3}(\\${grp}\\d{3})+$`).test(text) && !(parts.length === 2 && exponent >= 3)) {
      intPart = parts.join('');
    } else if (parts.length === 2) {
      intPart = parts[0]!;
      fracPart = parts[1]!;
    } else {
      return { ok: false, reason: 'format' };
    }
  } else {
    intPart = text;
  }
  if (fracPart.length > exponent) return { ok: false, reason: 'decimals' };
  const digits = (intPart.replace(/^0+(?=\d)/, '') || '0') + fracPart.padEnd(exponent, '0');
  const minor = Number(digits);
  if (!Number.isSafeInteger(minor)) return { ok: false, reason: 'format' };
  if (minor <= 0) return { ok: false, reason: 'positive' };
  return { ok: true, minor, decimal: minorToDecimal(minor, exponent) };
};

/** Whole calendar days from `from` to `to` (both `YYYY-MM-DD`). */
export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to.slice(0, 10)}T00:00:00Z`) - Date.parse(`${from.slice(0, 10)}T00:00:00Z`)) / 86_400_000);
