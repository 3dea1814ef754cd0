/**
 * Money is an integer count of minor units (bigint in SQL, number in JS while it stays below
 * 2^53, checked) plus an ISO 4217 code. Never a float. Minor-unit exponents come from ICU
 * (CLDR) through Intl, so the currency table is maintained upstream rather than by hand.
 */
const supported = new Set(Intl.supportedValuesOf('currency'));
const exponents = new Map<string, number>();

export const isCurrency = (code: string): boolean => /^[A-Z]{3}$/.test(code) && supported.has(code);

export const currencyExponent = (code: string): number => {
  let e = exponents.get(code);
  if (e === undefined) {
    e = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    exponents.set(code, e);
  }
  return e;
};

export type DecimalSeparator = ',' | '.';

export type ParseAmountResult = { ok: true; minor: number } | { ok: false; reason: string };

/**
 * Parses a written amount into minor units exactly (string arithmetic, no floats).
 * With `decimal: ','` (Spanish convention) `1.234,56` and `1234,56` are accepted and `.` may
 * only group thousands; with `decimal: '.'` the roles swap. A bare `-` sign is accepted;
 * callers decide whether negatives are allowed.
 */
export const parseAmount = (raw: string, exponent: number, decimal: DecimalSeparator): ParseAmountResult => {
  const text = raw.trim().replace(/[\s\u00a0]/g, '');
  if (text === '') return { ok: false, reason: 'empty amount' };
  const group = decimal === ',' ? '.' : ',';
  const m = /^([+-])?(\d+(?:[.,]\d+)*)$/.exec(text);
  if (!m) return { ok: false, reason: `not a number: "${raw}"` };
  const sign = m[1] === '-' ? -1 : 1;
  const body = m[2] ?? '';
  const lastDecimal = body.lastIndexOf(decimal);
  const intPart = lastDecimal === -1 ? body : body.slice(0, lastDecimal);
  const fracPart = lastDecimal === -1 ? '' : body.slice(lastDecimal + 1);
  if (intPart.includes(decimal)) return { ok: false, reason: `more than one decimal separator "${decimal}" in "${raw}"` };
  if (fracPart.includes(group)) return { ok: false, reason: `grouping separator after the decimal separator in "${raw}"` };
  if (intPart.includes(group) && !new RegExp(`^\\d{1,3}(\\${group}\\d{3})+$`).test(intPart)) {
    return {
      ok: false,
      reason: `"${raw}" does not read as a number with "${decimal}" as decimal separator (thousands must be grouped by 3)`,
    };
  }
  if (fracPart.length > exponent) {
    return { ok: false, reason: `"${raw}" has ${fracPart.length} decimals; the currency allows ${exponent}` };
  }
  const digits = intPart.replaceAll(group, '') + fracPart.padEnd(exponent, '0');
  const minor = Number(digits);
  if (!Number.isSafeInteger(minor)) return { ok: false, reason: `amount "${raw}" is too large` };
  return { ok: true, minor: sign * minor };
};

/** Minor units to a plain decimal string (`123456, 2 -> "1234.56"`), for exports and APIs. */
export const formatMinor = (minor: number, exponent: number): string => {
  const neg = minor < 0;
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  const text = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return neg ? `-${text}` : text;
};

/** Locale-aware display, e.g. `formatMoney(123456, 'EUR', 'es-ES') -> "1234,56 €"`. */
const moneyFormats = new Map<string, Intl.NumberFormat>();
export const formatMoney = (minor: number, currency: string, locale: string): string => {
  const e = currencyExponent(currency);
  // Building an Intl formatter costs far more than formatting with one: keep them per locale and currency.
  const key = `${locale}\u0000${currency}`;
  let f = moneyFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, { style: 'currency', currency });
    moneyFormats.set(key, f);
  }
  return f.format(Number(formatMinor(minor, e)));
};
