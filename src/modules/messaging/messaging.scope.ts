import { DateValue, MoneyValue } from './messaging.filters.ts';
import { disclosureText, identificationText, optOutText, resolveLocale } from './messaging.requirements.domain.ts';
import type { Language, Money, RenderContext, TemplateChannel } from './messaging.types.ts';

/**
 * The names templates see (docs/messaging.md lists them): snake_case, as Liquid authors expect,
 * built from the typed context. Optional parts are `nil` when absent so `{% if offer %}` works
 * under strict variables; computed lines (`identification`, `disclosure`, `opt_out`) carry the
 * jurisdiction's mandatory wording so templates cannot get it wrong.
 */
export type Scope = Record<string, unknown>;

/** Today's calendar date in the debtor's zone (letters are dated in the reader's calendar). */
const dayFormats = new Map<string, Intl.DateTimeFormat>();
export const localDate = (now: Date, timeZone: string): string => {
  let f = dayFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, f);
  }
  return f.format(now);
};

export interface ScopeOptions {
  /** The opt-out confirmation carries no opt-out instruction and no unsubscribe link. */
  confirmsOptOut?: boolean;
}

export const buildScope = (context: RenderContext, channel: TemplateChannel, language: Language, now: Date, options: ScopeOptions = {}): Scope => {
  const locale = resolveLocale(context.debtor);
  const money = (m: Money): MoneyValue => new MoneyValue(m.minor, m.currency, locale);
  const date = (iso: string | undefined): DateValue | null => (iso === undefined ? null : new DateValue(iso, locale));
  const { debtor, account, creditor, agency, contact, offer, promise, lesson } = context;
  return {
    debtor: { first_name: debtor.firstName, language: debtor.language, locale, country: debtor.country, time_zone: debtor.timeZone },
    account: {
      reference: account.reference,
      balance: money(account.balance),
      amount_due: money(account.amountDue),
      due_date: date(account.dueDate),
      days_past_due: account.daysPastDue,
    },
    creditor: { name: creditor.name, tax_id: creditor.taxId ?? null, tax_id_label: creditor.taxIdLabel ?? null, address: creditor.address ?? null },
    agency: agency ? { name: agency.name, collector_name: agency.collectorName ?? null } : null,
    contact: { business_name: contact.businessName, person_name: contact.personName ?? null, phone: contact.phone, email: contact.email ?? null, hours: contact.hours ?? null },
    link: context.link,
    offer: offer
      ? {
        instalments: offer.instalments,
        instalment_amount: money(offer.instalmentAmount),
        frequency: offer.frequency,
        first_due_date: date(offer.firstDueDate),
        expires_on: date(offer.expiresOn),
      }
      : null,
    promise: promise ? { amount: money(promise.amount), date: date(promise.date) } : null,
    lesson: lesson ? { title: lesson.title, url: lesson.url, minutes: lesson.minutes ?? null } : null,
    identification: identificationText(context, language),
    disclosure: disclosureText(context, language),
    opt_out: options.confirmsOptOut ? '' : optOutText(context, channel, language),
    opt_out_url: options.confirmsOptOut ? null : context.optOut?.url ?? null,
    today: date(localDate(now, debtor.timeZone)),
  };
};
