/**
 * Pure rules for debtor data: defaults by country and normalisation of contact points.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { getCountry } from 'countries-and-timezones';

/**
 * The zone most of a country's population lives in, for countries with several zones. Where a
 * debtor's zone is unknown the contact policy intersects every zone of the country instead
 * (Reg F comment 6(b)(1)(i)-2), so this default only shapes display and scheduling preference.
 */
const MAIN_ZONE: Record<string, string> = {
  ES: 'Europe/Madrid',
  PT: 'Europe/Lisbon',
  MX: 'America/Mexico_City',
  BR: 'America/Sao_Paulo',
  US: 'America/New_York',
  CL: 'America/Santiago',
  AR: 'America/Argentina/Buenos_Aires',
  EC: 'America/Guayaquil',
  CA: 'America/Toronto',
  AU: 'Australia/Sydney',
  RU: 'Europe/Moscow',
  GB: 'Europe/London',
};

export const defaultTimezone = (country: string): string | null => {
  const main = MAIN_ZONE[country];
  if (main) return main;
  const zones = getCountry(country)?.timezones ?? [];
  return zones[0] ?? null;
};

/** All zones a debtor in `country` may be in (used when the debtor's own zone is unknown). */
export const countryTimezones = (country: string): string[] => getCountry(country)?.timezones ?? [];

const PORTUGUESE = new Set(['BR', 'PT', 'AO', 'MZ', 'CV', 'GW', 'ST', 'TL']);
const SPANISH = new Set([
  'ES', 'MX', 'CO', 'AR', 'PE', 'VE', 'CL', 'EC', 'GT', 'CU', 'BO', 'DO', 'HN', 'PY', 'SV', 'NI', 'CR', 'PA', 'UY', 'PR', 'GQ',
]);

export const defaultLanguage = (country: string): 'es' | 'en' | 'pt' =>
  SPANISH.has(country) ? 'es' : PORTUGUESE.has(country) ? 'pt' : 'en';

export type NormaliseResult = { ok: true; value: string } | { ok: false; reason: string };

/** A phone in E.164, read as national when it has no `+` (using the debtor's country). */
export const normalisePhone = (raw: string, country: string): NormaliseResult => {
  const text = raw.trim();
  if (text === '') return { ok: false, reason: 'empty phone number' };
  const parsed = parsePhoneNumberFromString(text, country as CountryCode);
  if (!parsed || !parsed.isValid()) {
    return { ok: false, reason: `"${raw}" is not a valid phone number${text.startsWith('+') ? '' : ` for country ${country}`}` };
  }
  return { ok: true, value: parsed.number };
};

// Deliberately simple: one @, no spaces, a dot in the domain. Deliverability is learned from
// bounces, not guessed from syntax.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const normaliseEmail = (raw: string): NormaliseResult => {
  const text = raw.trim();
  if (!EMAIL.test(text)) return { ok: false, reason: `"${raw}" is not a valid e-mail address` };
  const at = text.lastIndexOf('@');
  // The local part may be case-sensitive (RFC 5321); the domain is not.
  return { ok: true, value: `${text.slice(0, at)}@${text.slice(at + 1).toLowerCase()}` };
};

/** Normalises a contact point's value by kind; postal addresses are stored as given. */
export const normaliseContactValue = (kind: 'phone' | 'email' | 'whatsapp' | 'address', raw: string, country: string): NormaliseResult => {
  if (kind === 'phone' || kind === 'whatsapp') return normalisePhone(raw, country);
  if (kind === 'email') return normaliseEmail(raw);
  const text = raw.trim();
  return text ? { ok: true, value: text } : { ok: false, reason: 'empty address' };
};

/** The one-line form of a postal address, used as the contact point's value. */
export const addressLine = (a: { line1: string; line2?: string | undefined; postalCode?: string | undefined; city?: string | undefined; region?: string | undefined; country?: string | undefined }): string =>
  [a.line1, a.line2, [a.postalCode, a.city].filter(Boolean).join(' '), a.region, a.country].filter((p) => p && p.trim()).join(', ');
