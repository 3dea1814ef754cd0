import { z } from 'zod';

/** The vocabulary of templates, their context and the template check. */

export const LANGUAGES = ['es', 'en', 'pt'] as const;
export const Language = z.enum(LANGUAGES);
export type Language = z.infer<typeof Language>;

/** Where a template's text ends up; voicemail scripts and letters have no adapter yet (agent tasks, print). */
export const TEMPLATE_CHANNELS = ['sms', 'whatsapp', 'email', 'voicemail', 'letter'] as const;
export const TemplateChannel = z.enum(TEMPLATE_CHANNELS);
export type TemplateChannel = z.infer<typeof TemplateChannel>;

/** Journey steps the starter library covers; tenants may add their own purposes. */
export const PURPOSES = [
  'pre_due_reminder', 'missed_payment_1', 'missed_payment_2', 'payment_link', 'promise_confirmation', 'plan_offer',
  'hardship_check_in', 'lesson', 'opt_out_confirmation', 'help_reply', 'voicemail_limited_content',
] as const;
export const Purpose = z.string().regex(/^[a-z][a-z0-9_]{2,60}$/, 'lower-case letters, digits and _');
export type Purpose = z.infer<typeof Purpose>;

/** Mirrors the policy module's jurisdictions (a test keeps the two lists equal). */
export const JURISDICTIONS = ['US', 'CO', 'MX', 'PE', 'CL', 'BR', 'ES', 'UK'] as const;
export const Jurisdiction = z.enum(JURISDICTIONS);
export type Jurisdiction = z.infer<typeof Jurisdiction>;

const IsoDate = z.iso.date();
export const Money = z.object({ minor: z.int(), currency: z.string().regex(/^[A-Z]{3}$/) });
export type Money = z.infer<typeof Money>;

/**
 * What a template may refer to. Built by the dispatcher from the debtor, account, creditor and
 * offer at send time; the names templates see are the snake_case forms (docs/messaging.md).
 */
export const RenderContext = z.object({
  jurisdiction: Jurisdiction,
  debtor: z.object({
    firstName: z.string().min(1).max(60),
    language: Language,
    /** BCP 47 locale for numbers and dates (`es-MX`, `pt-BR`); defaults to language + country. */
    locale: z.string().regex(/^[a-z]{2}(?:-[A-Z]{2})?$/).optional(),
    country: z.string().regex(/^[A-Z]{2}$/),
    timeZone: z.string().min(1),
  }),
  account: z.object({
    reference: z.string().min(1).max(40),
    balance: Money,
    amountDue: Money,
    dueDate: IsoDate.optional(),
    daysPastDue: z.int().min(0),
  }),
  creditor: z.object({
    name: z.string().min(1).max(80),
    /** CNPJ in Brazil (CDC art. 42-A), NIF, RFC, NIT, RUT… */
    taxId: z.string().max(40).optional(),
    taxIdLabel: z.string().max(10).optional(),
    address: z.string().max(200).optional(),
  }),
  /** Present when a collection agency sends on the creditor's behalf (third-party collection). */
  agency: z.object({ name: z.string().min(1).max(80), collectorName: z.string().max(80).optional() }).optional(),
  /** How the debtor reaches us. `businessName` must not reveal debt collection (Reg F 1006.2(j)). */
  contact: z.object({
    businessName: z.string().min(1).max(80),
    /** A natural person the debtor can ask for; required in limited-content messages (1006.2(j)(1)(iii)). */
    personName: z.string().min(1).max(60).optional(),
    phone: z.string().min(4).max(30),
    email: z.email().optional(),
    hours: z.string().max(80).optional(),
  }),
  /** Tracked link to the debtor portal or payment page. */
  link: z.url(),
  offer: z.object({
    instalments: z.int().min(1).max(120),
    instalmentAmount: Money,
    frequency: z.enum(['weekly', 'fortnightly', 'monthly']),
    firstDueDate: IsoDate.optional(),
    expiresOn: IsoDate.optional(),
  }).optional(),
  promise: z.object({ amount: Money, date: IsoDate }).optional(),
  lesson: z.object({ title: z.string().min(1).max(120), url: z.url(), minutes: z.int().min(1).max(120).optional() }).optional(),
  /** Overrides of the default opt-out wording; `url` is the e-mail unsubscribe link. */
  optOut: z.object({ text: z.string().min(1).max(160).optional(), url: z.url().optional() }).optional(),
});
export type RenderContext = z.infer<typeof RenderContext>;

/** Context parts a template needs beyond the always-present ones. */
export const CONTEXT_EXTRAS = ['offer', 'promise', 'lesson'] as const;
export type ContextExtra = (typeof CONTEXT_EXTRAS)[number];

/** One template: a purpose in one channel and one language. E-mail has three parts. */
export interface TemplateSource {
  purpose: Purpose;
  channel: TemplateChannel;
  language: Language;
  version: number;
  /** `text` is the SMS/WhatsApp body, the e-mail plain-text part, the voicemail script, the letter. */
  parts: { text: string; subject?: string; html?: string };
  requires: ContextExtra[];
  /** Reg F 1006.2(j) limited-content message: the check forbids anything beyond its contents. */
  limitedContent: boolean;
  /** The single confirmation of an opt-out (1006.6(e)): carries no opt-out instruction itself. */
  confirmsOptOut: boolean;
  /** WhatsApp only: the approved template this text mirrors. */
  whatsapp?: { name: string; category: 'utility' | 'marketing'; parameters: string[] };
}

export const SEVERITIES = ['error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type FindingCode =
  | 'TEMPLATE.THREATENING'
  | 'TEMPLATE.SHAMING'
  | 'TEMPLATE.MISLEADING'
  | 'TEMPLATE.MISSING_OPT_OUT'
  | 'TEMPLATE.MISSING_IDENTIFICATION'
  | 'TEMPLATE.MISSING_DISCLOSURE'
  | 'TEMPLATE.LIMITED_CONTENT_VIOLATION'
  | 'TEMPLATE.SMS_SEGMENTS'
  | 'TEMPLATE.SMS_ENCODING'
  | 'TEMPLATE.TOO_LONG'
  | 'TEMPLATE.WHATSAPP_FORMAT'
  | 'TEMPLATE.READABILITY_LOW'
  | 'TEMPLATE.EMPTY';

export type MessagePart = 'text' | 'subject' | 'html';

export interface Finding {
  code: FindingCode;
  severity: Severity;
  part?: MessagePart;
  /** UTF-16 offsets into the part, `end` exclusive, and the text found there. */
  span?: { start: number; end: number; text: string };
  message: { es: string; en: string };
  /** Regulation or provider rule behind the finding, when there is one. */
  citation?: string;
}

export interface SmsMetadata {
  encoding: 'GSM-7' | 'UCS-2';
  /** Billable parts. */
  segments: number;
  /** Septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2. */
  units: number;
  /** Characters replaced to stay within GSM-7 (é stays; á becomes a). */
  transliterated: boolean;
}
