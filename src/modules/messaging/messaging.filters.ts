import { Drop, type Liquid } from 'liquidjs';
import { formatMoney } from '../../lib/money.ts';
import type { Language } from './messaging.types.ts';

/**
 * Values and filters templates use for money and dates. Amounts and dates are Drops that print
 * themselves formatted for the debtor's locale (`{{ account.amount_due }}` → "1234,56 €" for
 * es-ES, "R$ 1.234,56" for pt-BR), so an author cannot print raw minor units by accident;
 * filters give other styles (`{{ account.due_date | local_date: 'short' }}`).
 *
 * Calendar dates (due dates, promise dates) are formatted as dates, never shifted through a time
 * zone; instants are shown in the debtor's zone.
 */

/** Money as minor units + currency, printed through `lib/money.ts` (CLDR via Intl). */
export class MoneyValue extends Drop {
  readonly minor: number;
  readonly currency: string;
  readonly #locale: string;
  constructor(minor: number, currency: string, locale: string) {
    super();
    this.minor = minor;
    this.currency = currency;
    this.#locale = locale;
  }
  override valueOf(): string {
    return formatMoney(this.minor, this.currency, this.#locale);
  }
  override toString(): string {
    return this.valueOf();
  }
}

export type DateStyle = 'long' | 'short' | 'weekday' | 'day_month';

const DATE_OPTIONS: Readonly<Record<DateStyle, Intl.DateTimeFormatOptions>> = {
  long: { dateStyle: 'long' },
  short: { dateStyle: 'short' },
  weekday: { weekday: 'long', day: 'numeric', month: 'long' },
  day_month: { day: 'numeric', month: 'long' },
};

/** Intl formatters are costly to build and cheap to reuse. */
const DATE_FORMATS = new Map<string, Intl.DateTimeFormat>();

/** A calendar date (`YYYY-MM-DD`); prints in the long local style ("15 de marzo de 2026"). */
export class DateValue extends Drop {
  readonly iso: string;
  readonly #locale: string;
  constructor(iso: string, locale: string) {
    super();
    this.iso = iso;
    this.#locale = locale;
  }
  format(style: DateStyle): string {
    // Noon UTC formatted in UTC: the calendar date never moves, whatever the server's zone.
    const key = `${this.#locale}\u0000${style}`;
    let f = DATE_FORMATS.get(key);
    if (!f) {
      f = new Intl.DateTimeFormat(this.#locale, { ...DATE_OPTIONS[style], timeZone: 'UTC' });
      DATE_FORMATS.set(key, f);
    }
    return f.format(new Date(`${this.iso}T12:00:00Z`));
  }
  override valueOf(): string {
    return this.format('long');
  }
  override toString(): string {
    return this.valueOf();
  }
}

const FREQUENCY: Readonly<Record<Language, Record<string, { adjective: string; noun: string }>>> = {
  es: { weekly: { adjective: 'semanales', noun: 'semana' }, fortnightly: { adjective: 'quincenales', noun: 'quincena' }, monthly: { adjective: 'mensuales', noun: 'mes' } },
  en: { weekly: { adjective: 'weekly', noun: 'week' }, fortnightly: { adjective: 'fortnightly', noun: 'fortnight' }, monthly: { adjective: 'monthly', noun: 'month' } },
  pt: { weekly: { adjective: 'semanais', noun: 'semana' }, fortnightly: { adjective: 'quinzenais', noun: 'quinzena' }, monthly: { adjective: 'mensais', noun: 'mês' } },
};

/** What liquidjs binds as `this` in a filter (its own type is not exported). */
interface FilterImpl {
  context: { getSync(path: PropertyKey[]): unknown };
}

function scopeString(impl: FilterImpl, path: string[]): string {
  const value = impl.context.getSync(path);
  if (typeof value !== 'string') throw new Error(`${path.join('.')} is not set`);
  return value;
}

const isDateStyle = (s: unknown): s is DateStyle => typeof s === 'string' && s in DATE_OPTIONS;

/** Registers the filters on an engine; every filter reads locale and zone from the debtor in scope. */
export const registerFilters = (engine: Liquid): void => {
  engine.registerFilter('money', function (this: FilterImpl, value: unknown): string {
    if (value instanceof MoneyValue) return value.valueOf();
    if (typeof value === 'object' && value !== null && 'minor' in value && 'currency' in value) {
      const m = value as { minor: unknown; currency: unknown };
      if (typeof m.minor === 'number' && typeof m.currency === 'string') return formatMoney(m.minor, m.currency, scopeString(this, ['debtor', 'locale']));
    }
    throw new Error('money: expected an amount (minor units and currency)');
  });

  engine.registerFilter('local_date', function (this: FilterImpl, value: unknown, style: unknown = 'long'): string {
    if (!isDateStyle(style)) throw new Error(`local_date: style must be one of ${Object.keys(DATE_OPTIONS).join(', ')}`);
    const locale = scopeString(this, ['debtor', 'locale']);
    if (value instanceof DateValue) return value.format(style);
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return new DateValue(value, locale).format(style);
    if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) {
      // An instant: show the debtor's local calendar date.
      const timeZone = scopeString(this, ['debtor', 'time_zone']);
      return new Intl.DateTimeFormat(locale, { ...DATE_OPTIONS[style], timeZone }).format(new Date(value));
    }
    throw new Error('local_date: expected a date (YYYY-MM-DD) or an ISO-8601 instant');
  });

  engine.registerFilter('local_time', function (this: FilterImpl, value: unknown): string {
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw new Error('local_time: expected an ISO-8601 instant');
    const timeZone = scopeString(this, ['debtor', 'time_zone']);
    return new Intl.DateTimeFormat(scopeString(this, ['debtor', 'locale']), { timeStyle: 'short', timeZone }).format(new Date(value));
  });

  engine.registerFilter('percent', function (this: FilterImpl, value: unknown): string {
    if (typeof value !== 'number') throw new Error('percent: expected a number (0.2 for 20 %)');
    return new Intl.NumberFormat(scopeString(this, ['debtor', 'locale']), { style: 'percent', maximumFractionDigits: 1 }).format(value);
  });

  /** `{{ offer.frequency | frequency }}` → "mensuales"; `| frequency: 'noun'` → "mes". */
  engine.registerFilter('frequency', function (this: FilterImpl, value: unknown, form: unknown = 'adjective'): string {
    const language = scopeString(this, ['debtor', 'language']) as Language;
    const entry = typeof value === 'string' ? FREQUENCY[language]?.[value] : undefined;
    if (!entry || (form !== 'adjective' && form !== 'noun')) throw new Error('frequency: expected weekly, fortnightly or monthly');
    return entry[form];
  });
};
