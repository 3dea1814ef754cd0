import { formatMoney } from '../../lib/money.ts';
import type { CheckFacts } from './messaging.check.domain.ts';
import { REQUIREMENTS, type IdentificationPart } from './messaging.packs.domain.ts';
import type { Language, RenderContext, TemplateChannel } from './messaging.types.ts';

/**
 * What a message must say, derived from the context: the identification line, the US debt
 * collector disclosure, the opt-out sentence, and the facts the template check verifies. The
 * renderer puts the same strings in front of templates, so a template that uses `{{
 * identification }}` and `{{ opt_out }}` is compliant by construction and the check proves it.
 */

/** BCP 47 locale for Intl: explicit, else language + country (`es` + `MX` → `es-MX`). */
export const resolveLocale = (debtor: Pick<RenderContext['debtor'], 'locale' | 'language' | 'country'>): string =>
  debtor.locale ?? `${debtor.language}-${debtor.country}`;

const partsFor = (context: RenderContext): { parts: IdentificationPart[]; citation: string } => {
  const base = REQUIREMENTS.identification.default;
  const extra = REQUIREMENTS.identification.byJurisdiction[context.jurisdiction];
  const parts = [...new Set([...base.parts, ...(extra?.parts ?? [])])].filter((p) => p !== 'agency' || context.agency !== undefined);
  return { parts, citation: extra ? `${extra.citation}; ${base.citation}` : base.citation };
};

const creditorLabel = (context: RenderContext, withTaxId: boolean): string => {
  const { name, taxId, taxIdLabel } = context.creditor;
  return withTaxId && taxId ? `${name} (${taxIdLabel ?? 'CNPJ'} ${taxId})` : name;
};

const ON_BEHALF: Readonly<Record<Language, string>> = { es: 'en nombre de', en: 'on behalf of', pt: 'em nome de' };

/** "Cobranzas Andinas, en nombre de Financiera Sol" / "Financeira Sol (CNPJ 12.345.678/0001-90)". */
export const identificationText = (context: RenderContext, language: Language): string => {
  const withTaxId = partsFor(context).parts.includes('creditor_tax_id');
  const creditor = creditorLabel(context, withTaxId);
  return context.agency ? `${context.agency.name}, ${ON_BEHALF[language]} ${creditor}` : creditor;
};

/** Reg F 1006.18(e): a third-party collector says it is one; empty where no rule applies. */
export const disclosureText = (context: RenderContext, language: Language): string => {
  const rule = REQUIREMENTS.disclosure[context.jurisdiction];
  if (!rule || (rule.when === 'agency' && !context.agency)) return '';
  return rule.text[language];
};

export const optOutText = (context: RenderContext, channel: TemplateChannel, language: Language): string => {
  if (context.optOut?.text) return context.optOut.text;
  if (channel === 'sms' || channel === 'whatsapp' || channel === 'email') return REQUIREMENTS.optOut.defaults[channel][language];
  return '';
};

const LABELS: Readonly<Record<IdentificationPart, string>> = {
  sender: 'sender / remitente',
  creditor: 'creditor / acreedor',
  creditor_tax_id: 'creditor tax id / CNPJ',
  agency: 'collection agency / agencia',
};

/** The facts `checkMessage` verifies for a message rendered from `context` in `language`. */
export const checkFactsFor = (
  context: RenderContext, channel: TemplateChannel, limitedContent: boolean, language: Language = context.debtor.language,
): CheckFacts => {
  if (limitedContent) {
    // 1006.2(j)(1): a business name that does not reveal debt collection, a request to reply, a
    // natural person to contact and a telephone number. Naming the creditor, the account or an
    // amount takes the message outside the definition and reveals the debt to whoever listens.
    const locale = resolveLocale(context.debtor);
    const forbidden = [context.creditor.name, context.account.reference,
      formatMoney(context.account.amountDue.minor, context.account.amountDue.currency, locale),
      formatMoney(context.account.balance.minor, context.account.balance.currency, locale)];
    if (context.agency) forbidden.push(context.agency.name);
    // A first-party creditor's business name is its own name; only other names are forbidden.
    const business = context.contact.businessName.toLowerCase();
    return {
      identification: [
        { label: 'business name / nombre comercial', value: context.contact.businessName, citation: REQUIREMENTS.limitedContent.citation },
        { label: 'person to contact / persona de contacto', value: context.contact.personName, citation: REQUIREMENTS.limitedContent.citation },
        { label: 'telephone / teléfono', value: context.contact.phone, citation: REQUIREMENTS.limitedContent.citation },
      ],
      forbidden: forbidden.filter((v) => v.toLowerCase() !== business),
    };
  }
  const { parts, citation } = partsFor(context);
  const value = (part: IdentificationPart): string | undefined => {
    switch (part) {
      case 'sender':
        return context.agency?.name ?? context.creditor.name;
      case 'creditor':
        return context.creditor.name;
      case 'creditor_tax_id':
        return context.creditor.taxId;
      case 'agency':
        return context.agency?.name;
    }
  };
  const facts: CheckFacts = { identification: parts.map((p) => ({ label: LABELS[p], value: value(p), citation })) };
  const rule = REQUIREMENTS.disclosure[context.jurisdiction];
  if (rule && (rule.when === 'always' || context.agency)) {
    facts.disclosure = { pattern: new RegExp(rule.pattern[language], 'u'), citation: rule.citation };
  }
  if (channel === 'email' && context.optOut?.url) facts.optOutUrl = context.optOut.url;
  return facts;
};
