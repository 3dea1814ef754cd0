import { z } from 'zod';
import optOutDoc from './packs/opt-out-keywords.json' with { type: 'json' };
import requirementsDoc from './packs/requirements.json' with { type: 'json' };
import wordingEn from './packs/wording.en.json' with { type: 'json' };
import wordingEs from './packs/wording.es.json' with { type: 'json' };
import wordingPt from './packs/wording.pt.json' with { type: 'json' };
import { LANGUAGES, type Language } from './messaging.types.ts';

/**
 * The word lists and rules of the template check live in `packs/*.json` so compliance staff can
 * review and extend them without reading code. They are validated and compiled once at module
 * load: a malformed pack stops the process at start-up, not in the middle of a send.
 */

const Regex = z.string().min(1).refine((source) => {
  try {
    new RegExp(source, 'gu');
    return true;
  } catch {
    return false;
  }
}, { message: 'not a valid regular expression' });

const Bilingual = z.object({ es: z.string().min(1), en: z.string().min(1) });
const PerLanguage = <T extends z.ZodType>(t: T) => z.object({ es: t, en: t, pt: t });

export const WORDING_CATEGORIES = ['threatening', 'shaming', 'misleading'] as const;
export type WordingCategory = (typeof WORDING_CATEGORIES)[number];

const WordingPack = z.object({
  language: z.enum(LANGUAGES),
  version: z.string(),
  entries: z.array(z.object({
    id: z.string().regex(/^[a-z]{2}\.[a-z_]+$/),
    category: z.enum(WORDING_CATEGORIES),
    severity: z.enum(['error', 'warning']),
    /** Runs on folded text (lower case, no accents). */
    pattern: Regex,
    reason: Bilingual,
  })).min(1),
});

export interface WordingRule {
  id: string;
  category: WordingCategory;
  severity: 'error' | 'warning';
  pattern: RegExp;
  reason: { es: string; en: string };
}

const compileWording = (doc: unknown): { language: Language; version: string; rules: WordingRule[] } => {
  const pack = WordingPack.parse(doc);
  return {
    language: pack.language,
    version: pack.version,
    rules: pack.entries.map((e) => ({ id: e.id, category: e.category, severity: e.severity, pattern: new RegExp(e.pattern, 'gu'), reason: e.reason })),
  };
};

export const WORDING: Readonly<Record<Language, { version: string; rules: WordingRule[] }>> = Object.freeze(
  Object.fromEntries([wordingEs, wordingEn, wordingPt].map((doc) => {
    const pack = compileWording(doc);
    return [pack.language, { version: pack.version, rules: pack.rules }];
  })) as Record<Language, { version: string; rules: WordingRule[] }>,
);

const KeywordSet = z.object({ optOut: z.array(z.string()), optIn: z.array(z.string()), help: z.array(z.string()) });
const OptOutPack = z.object({ version: z.string(), carrier: KeywordSet, languages: PerLanguage(KeywordSet) });
export type KeywordSet = z.infer<typeof KeywordSet>;

export const OPT_OUT_KEYWORDS = OptOutPack.parse(optOutDoc);

const Part = z.enum(['sender', 'creditor', 'creditor_tax_id', 'agency']);
export type IdentificationPart = z.infer<typeof Part>;

const RequirementsPack = z.object({
  version: z.string(),
  optOut: z.object({
    channels: z.array(z.string()),
    citation: z.string(),
    defaults: z.object({ sms: PerLanguage(z.string()), whatsapp: PerLanguage(z.string()), email: PerLanguage(z.string()) }),
    instruction: PerLanguage(Regex),
    emailInstruction: PerLanguage(Regex),
  }),
  identification: z.object({
    default: z.object({ parts: z.array(Part), citation: z.string() }),
    byJurisdiction: z.record(z.string(), z.object({ parts: z.array(Part), citation: z.string() })),
  }),
  disclosure: z.record(z.string(), z.object({
    when: z.enum(['agency', 'always']),
    citation: z.string(),
    text: PerLanguage(z.string()),
    pattern: PerLanguage(Regex),
  })),
  limitedContent: z.object({ citation: z.string(), forbidden: PerLanguage(Regex) }),
  length: z.object({
    smsSegments: z.object({ info: z.int(), warning: z.int(), error: z.int() }),
    whatsappTemplateBody: z.int(),
    whatsappText: z.int(),
    emailSubject: z.int(),
    voicemailWords: z.int(),
  }),
});
export type RequirementsPack = z.infer<typeof RequirementsPack>;

export const REQUIREMENTS: RequirementsPack = RequirementsPack.parse(requirementsDoc);
