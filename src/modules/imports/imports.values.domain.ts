/**
 * Cell-level parsing for imports: header names, text, dates, instants, amounts, enumerations.
 * Each parser takes a raw cell (text from CSV, typed from XLSX/NDJSON) and returns a value or a
 * reason; the row validator turns reasons into row errors naming the column.
 */
import { currencyExponent, isCurrency, parseAmount, type DecimalSeparator } from '../../lib/money.ts';
import type { ImportErrorCode, RawValue } from './imports.types.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; code: ImportErrorCode; reason: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(code: ImportErrorCode, reason: string): Parsed<T> => ({ ok: false, code, reason });

/**
 * Canonical form of a header or JSON key: camelCase split, accents removed, lower case, words
 * joined by `_` ("Teléfono Móvil" -> telefono_movil, "accountRef" -> account_ref, "Nº cuotas" -> n_cuotas).
 */
export const normaliseHeader = (name: string): string =>
  name
    .replace(/^\uFEFF/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');

/** A cell shown back to the user in an error report (bounded, so one bad cell cannot bloat it). */
export const displayValue = (v: RawValue): string | null => {
  if (v === null || v === undefined) return null;
  const s = v instanceof Date ? (Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString()) : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
};

/**
 * UTF-8 text read as Windows-1252 shows as "Ã±" for "ñ": an Â or Ã followed by a character that
 * a UTF-8 continuation byte (0x80–0xBF) decodes to. Real Spanish or Portuguese text never has it.
 */
const MOJIBAKE = /[\u00c2\u00c3][\u00a0-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178]/;

/** Problems with the bytes of a text cell: undecodable bytes, NUL, or UTF-8 read as Windows-1252. */
export const encodingProblem = (s: string, checkMojibake: boolean): string | null => {
  if (s.includes('\ufffd')) return 'contains bytes that are not valid in the file\'s encoding (read as UTF-8); save the file as UTF-8 or pass encoding=windows-1252';
  if (s.includes('\u0000')) return 'contains a NUL character';
  if (checkMojibake && MOJIBAKE.test(s)) return 'looks like UTF-8 text in a file read as Windows-1252 (e.g. "Ã±" for "ñ"); save the whole file in one encoding';
  return null;
};

/** Text of a cell, trimmed; empty -> null. Numbers from XLSX/NDJSON become their plain digits. */
export const textOf = (v: RawValue): Parsed<string | null> => {
  if (v === null || v === undefined) return ok(null);
  if (typeof v === 'string') {
    const t = v.trim();
    return ok(t === '' ? null : t);
  }
  if (typeof v === 'number') return Number.isFinite(v) ? ok(Number.isInteger(v) ? v.toFixed(0) : String(v)) : fail('IMPORT.INVALID_VALUE', 'is not a finite number');
  if (typeof v === 'boolean') return ok(v ? 'true' : 'false');
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? fail('IMPORT.INVALID_VALUE', 'is an invalid date') : ok(v.toISOString().slice(0, 10));
  return fail('IMPORT.INVALID_VALUE', 'expected a single value, not a list or an object');
};

export type DateFormat = 'dmy' | 'ymd' | 'mdy';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const pad2 = (n: number): string => String(n).padStart(2, '0');
const daysInMonth = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();

const checkedDate = (raw: string, y: number, m: number, d: number): Parsed<string> => {
  if (y < 1900 || y > 2199) return fail('IMPORT.INVALID_DATE', `"${raw}" has year ${y}, outside 1900–2199`);
  if (m < 1 || m > 12) return fail('IMPORT.INVALID_DATE', `"${raw}" is not a real date: there is no month ${m}`);
  const last = daysInMonth(y, m);
  if (d < 1 || d > last) return fail('IMPORT.INVALID_DATE', `"${raw}" is not a real date: ${MONTHS[m - 1]} ${y} has ${last} days`);
  return ok(`${y}-${pad2(m)}-${pad2(d)}`);
};

// Excel's day 0 is 1899-12-30 (it counts the fictitious 29 Feb 1900).
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

const FORMAT_HINT: Record<DateFormat | 'default', string> = {
  default: 'expected dd/mm/yyyy, dd-mm-yyyy or yyyy-mm-dd',
  dmy: 'expected dd/mm/yyyy, dd-mm-yyyy or yyyy-mm-dd',
  mdy: 'expected mm/dd/yyyy or yyyy-mm-dd',
  ymd: 'expected yyyy-mm-dd or yyyy/mm/dd',
};

/**
 * A calendar date as `YYYY-MM-DD`. ISO dates are always accepted (unambiguous); otherwise the
 * day/month order follows `format` (default day first, as in Spain and Latin America).
 * Two-digit years are refused rather than guessed.
 */
export const parseDate = (v: RawValue, format: DateFormat | undefined): Parsed<string | null> => {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? fail('IMPORT.INVALID_DATE', 'is an invalid date') : ok(v.toISOString().slice(0, 10));
  if (typeof v === 'number') {
    // A spreadsheet serial date in a cell not formatted as a date.
    if (!Number.isInteger(v) || v < 1 || v > 109_574) return fail('IMPORT.INVALID_DATE', `${v} is not a date`);
    return ok(new Date(EXCEL_EPOCH_MS + v * 86_400_000).toISOString().slice(0, 10));
  }
  const t = textOf(v);
  if (!t.ok) return fail('IMPORT.INVALID_DATE', t.reason);
  const s = t.value;
  if (s === null) return ok(null);
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  if (iso) return checkedDate(s, Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const hint = FORMAT_HINT[format ?? 'default'];
  const parts = /^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})$/.exec(s);
  if (!parts) return fail('IMPORT.INVALID_DATE', `"${s}" is not a date (${hint})`);
  const [a, b, c] = [parts[1]!, parts[2]!, parts[3]!];
  if (a.length === 4) {
    if (format === 'dmy' || format === 'mdy') return fail('IMPORT.INVALID_DATE', `"${s}" starts with the year (${hint})`);
    return checkedDate(s, Number(a), Number(b), Number(c));
  }
  if (c.length !== 4) return fail('IMPORT.INVALID_DATE', `"${s}" needs a four-digit year (${hint})`);
  if (format === 'ymd') return fail('IMPORT.INVALID_DATE', `"${s}" does not start with the year (${hint})`);
  return format === 'mdy' ? checkedDate(s, Number(c), Number(a), Number(b)) : checkedDate(s, Number(c), Number(b), Number(a));
};

/**
 * An instant: ISO 8601 with a time (no offset means UTC), or a date with an optional `hh:mm[:ss]`
 * read as UTC (a date alone is midnight UTC).
 */
export const parseInstant = (v: RawValue, format: DateFormat | undefined): Parsed<Date | null> => {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? fail('IMPORT.INVALID_DATE', 'is an invalid date') : ok(v);
  const t = textOf(v);
  if (!t.ok) return fail('IMPORT.INVALID_DATE', t.reason);
  if (t.value === null) return ok(null);
  const s = t.value;
  const m = /^(.*?)(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  const d = parseDate(typeof v === 'number' ? v : m?.[1] ?? s, format);
  if (!d.ok) return d;
  if (d.value === null) return ok(null);
  const [hh, mm, ss] = [Number(m?.[2] ?? 0), Number(m?.[3] ?? 0), Number(m?.[4] ?? 0)];
  if (hh > 23 || mm > 59 || ss > 59) return fail('IMPORT.INVALID_DATE', `"${s}" has an invalid time of day`);
  const zone = m?.[6] ?? 'Z';
  const offset = zone === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const date = new Date(`${d.value}T${pad2(hh)}:${pad2(mm)}:${pad2(ss)}${m?.[5] ?? ''}${offset}`);
  return Number.isNaN(date.getTime()) ? fail('IMPORT.INVALID_DATE', `"${s}" is not a valid date and time`) : ok(date);
};

/** A currency code, upper-cased; unknown codes are refused (ISO 4217 through ICU). */
export const parseCurrency = (v: RawValue): Parsed<string | null> => {
  const t = textOf(v);
  if (!t.ok) return fail('IMPORT.UNKNOWN_CURRENCY', t.reason);
  if (t.value === null) return ok(null);
  const code = t.value.toUpperCase();
  return isCurrency(code) ? ok(code) : fail('IMPORT.UNKNOWN_CURRENCY', `"${t.value}" is not an ISO 4217 currency code (e.g. EUR, MXN, COP)`);
};

/**
 * Bank exports often write every currency with two decimals ("1.000,00" COP, whose minor unit is
 * the peso): decimals beyond the currency's exponent are dropped when they are zeros, as no
 * amount changes; any other surplus decimal is an error.
 */
const dropZeroDecimals = (text: string, exponent: number, decimal: DecimalSeparator): string => {
  const i = text.lastIndexOf(decimal);
  if (i === -1) return text;
  const frac = text.slice(i + 1);
  if (frac.length <= exponent || !/^\d+$/.test(frac) || !/^0+$/.test(frac.slice(exponent))) return text;
  return exponent === 0 ? text.slice(0, i) : text.slice(0, i + 1 + exponent);
};

/**
 * Money in minor units of `currency`. Text follows the file's decimal separator; numbers (XLSX,
 * NDJSON) are exact decimals already. A currency sign around the figure is tolerated.
 */
export const parseMoney = (v: RawValue, currency: string, decimal: DecimalSeparator, allowNegative = false): Parsed<number | null> => {
  const exponent = currencyExponent(currency);
  let minor: number;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return fail('IMPORT.INVALID_AMOUNT', `${v} is not an amount`);
    const scaled = v * 10 ** exponent;
    minor = Math.round(scaled);
    // Binary floating point: 0.1 + 0.2 arrives as 0.30000000000000004; more than a rounding
    // error away from a whole minor unit means the figure really has too many decimals.
    if (Math.abs(scaled - minor) > 1e-6) return fail('IMPORT.INVALID_AMOUNT', `${v} has more decimals than ${currency} allows (${exponent})`);
    if (!Number.isSafeInteger(minor)) return fail('IMPORT.INVALID_AMOUNT', `${v} is too large`);
  } else {
    const t = textOf(v);
    if (!t.ok) return fail('IMPORT.INVALID_AMOUNT', t.reason);
    if (t.value === null) return ok(null);
    const text = dropZeroDecimals(t.value.replace(/^[€$£]\s*|\s*[€$£]$/g, ''), exponent, decimal);
    const p = parseAmount(text, exponent, decimal);
    if (!p.ok) return fail('IMPORT.INVALID_AMOUNT', `${p.reason} (decimal separator "${decimal}")`);
    minor = p.minor;
  }
  if (minor < 0 && !allowNegative) return fail('IMPORT.NEGATIVE_AMOUNT', 'must not be negative');
  return ok(minor === 0 ? 0 : minor);
};

/** A whole number within bounds (instalment counts). */
export const parseCount = (v: RawValue, min: number, max: number): Parsed<number | null> => {
  const t = textOf(v);
  if (!t.ok) return fail('IMPORT.INVALID_VALUE', t.reason);
  if (t.value === null) return ok(null);
  if (!/^\d+$/.test(t.value)) return fail('IMPORT.INVALID_VALUE', `"${t.value}" is not a whole number`);
  const n = Number(t.value);
  return n < min || n > max ? fail('IMPORT.INVALID_VALUE', `must be between ${min} and ${max}`) : ok(n);
};

/** One of a closed set of values, through a table of accepted spellings (already normalised). */
export const parseEnum = <T extends string>(v: RawValue, table: Readonly<Record<string, T>>, expected: string): Parsed<T | null> => {
  const t = textOf(v);
  if (!t.ok) return fail('IMPORT.INVALID_VALUE', t.reason);
  if (t.value === null) return ok(null);
  const hit = table[normaliseHeader(t.value)];
  return hit ? ok(hit) : fail('IMPORT.INVALID_VALUE', `"${t.value}" is not one of ${expected}`);
};

export const LANGUAGES: Record<string, 'es' | 'en' | 'pt'> = {
  es: 'es', es_es: 'es', es_mx: 'es', es_co: 'es', espanol: 'es', castellano: 'es', spanish: 'es', spa: 'es',
  en: 'en', en_us: 'en', en_gb: 'en', ingles: 'en', english: 'en', eng: 'en',
  pt: 'pt', pt_br: 'pt', pt_pt: 'pt', portugues: 'pt', portuguese: 'pt', por: 'pt',
};
export const DEBTOR_KINDS: Record<string, 'person' | 'company'> = {
  person: 'person', persona: 'person', persona_fisica: 'person', fisica: 'person', particular: 'person', individual: 'person', pf: 'person',
  company: 'company', empresa: 'company', persona_juridica: 'company', juridica: 'company', sociedad: 'company', business: 'company', pj: 'company',
};
export const CONSENTS: Record<string, 'granted' | 'denied' | 'unknown'> = {
  granted: 'granted', si: 'granted', s: 'granted', yes: 'granted', y: 'granted', true: 'granted', '1': 'granted', otorgado: 'granted', concedido: 'granted',
  denied: 'denied', no: 'denied', n: 'denied', false: 'denied', '0': 'denied', denegado: 'denied', revocado: 'denied',
  unknown: 'unknown', desconocido: 'unknown',
};
export const ACCOUNT_STATUSES: Record<string, 'active' | 'paid' | 'settled' | 'charged_off' | 'closed' | 'recalled'> = {
  active: 'active', activa: 'active', activo: 'active', vigente: 'active', en_mora: 'active',
  paid: 'paid', pagada: 'paid', pagado: 'paid', cancelada: 'paid', saldada: 'paid',
  settled: 'settled', liquidada: 'settled', quita: 'settled', acuerdo_quita: 'settled',
  charged_off: 'charged_off', castigada: 'charged_off', fallida: 'charged_off', fallido: 'charged_off', write_off: 'charged_off', written_off: 'charged_off',
  closed: 'closed', cerrada: 'closed', cerrado: 'closed',
  recalled: 'recalled', retirada: 'recalled', devuelta: 'recalled', recall: 'recalled',
};
export const FREQUENCIES: Record<string, 'weekly' | 'fortnightly' | 'monthly'> = {
  weekly: 'weekly', semanal: 'weekly', week: 'weekly',
  fortnightly: 'fortnightly', quincenal: 'fortnightly', catorcenal: 'fortnightly', biweekly: 'fortnightly',
  monthly: 'monthly', mensual: 'monthly', month: 'monthly',
};
export const TRANSACTION_KINDS: Record<string, 'payment' | 'charge' | 'adjustment' | 'reversal'> = {
  payment: 'payment', pago: 'payment', abono: 'payment', cobro: 'payment',
  charge: 'charge', cargo: 'charge',
  adjustment: 'adjustment', ajuste: 'adjustment', regularizacion: 'adjustment',
  reversal: 'reversal', reversion: 'reversal', anulacion: 'reversal', devolucion: 'reversal', retrocesion: 'reversal',
};
export const COMPONENTS: Record<string, 'principal' | 'interest' | 'fees'> = {
  principal: 'principal', capital: 'principal',
  interest: 'interest', interests: 'interest', interes: 'interest', intereses: 'interest',
  fees: 'fees', fee: 'fees', comisiones: 'fees', comision: 'fees', gastos: 'fees',
};
export const CONTACT_KINDS: Record<string, 'phone' | 'email' | 'whatsapp' | 'address'> = {
  phone: 'phone', telefono: 'phone', movil: 'phone', mobile: 'phone', celular: 'phone',
  email: 'email', correo: 'email', e_mail: 'email', whatsapp: 'whatsapp', address: 'address', direccion: 'address', domicilio: 'address',
};

// Country names people write instead of codes, and ISO alpha-3 codes common in bank exports.
const COUNTRY_NAMES: Record<string, string> = {
  espana: 'ES', spain: 'ES', esp: 'ES', mexico: 'MX', mex: 'MX', colombia: 'CO', col: 'CO', peru: 'PE', per: 'PE', chile: 'CL', chl: 'CL',
  argentina: 'AR', arg: 'AR', brasil: 'BR', brazil: 'BR', bra: 'BR', portugal: 'PT', prt: 'PT', ecuador: 'EC', ecu: 'EC',
  estados_unidos: 'US', united_states: 'US', usa: 'US', reino_unido: 'GB', united_kingdom: 'GB', uk: 'GB', gbr: 'GB',
  uruguay: 'UY', ury: 'UY', paraguay: 'PY', pry: 'PY', bolivia: 'BO', bol: 'BO', venezuela: 'VE', ven: 'VE', guatemala: 'GT', gtm: 'GT',
  costa_rica: 'CR', cri: 'CR', panama: 'PA', pan: 'PA', republica_dominicana: 'DO', dom: 'DO', honduras: 'HN', hnd: 'HN', el_salvador: 'SV', slv: 'SV',
  nicaragua: 'NI', nic: 'NI', francia: 'FR', france: 'FR', alemania: 'DE', germany: 'DE', italia: 'IT', italy: 'IT',
};

/** An ISO 3166-1 alpha-2 code from a code, an alpha-3 code or a common name; `isCountry` decides. */
export const parseCountry = (v: RawValue, isCountry: (code: string) => boolean): Parsed<string | null> => {
  const t = textOf(v);
  if (!t.ok) return fail('IMPORT.INVALID_VALUE', t.reason);
  if (t.value === null) return ok(null);
  const code = t.value.length === 2 ? t.value.toUpperCase() : COUNTRY_NAMES[normaliseHeader(t.value)];
  return code && isCountry(code) ? ok(code) : fail('IMPORT.INVALID_VALUE', `"${t.value}" is not an ISO 3166-1 country code (e.g. ES, MX, CO)`);
};

const zoneCache = new Map<string, boolean>();

/** IANA zone check; Intl is slow to construct (~80 µs), so answers are memoised per zone name. */
export const isTimezone = (tz: string): boolean => {
  let known = zoneCache.get(tz);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      known = tz.includes('/') || tz === 'UTC';
    } catch {
      known = false;
    }
    if (zoneCache.size < 10_000) zoneCache.set(tz, known);
  }
  return known;
};
