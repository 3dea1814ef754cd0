import { OPT_OUT_KEYWORDS, type KeywordSet } from './messaging.packs.domain.ts';
import { LANGUAGES, type Language } from './messaging.types.ts';

/**
 * Recognises opt-out, re-subscribe and help keywords in a debtor's reply (COMPLIANCE.md,
 * "Channel and provider rules"; Reg F 1006.6(e) and 1006.14(h); CTIA). Matching ignores case,
 * accents, punctuation and emoji ("Baja.", "stop!!", "SAÍR 🙏").
 *
 * - Opt-out: the whole message, or its first word, is an opt-out word of ANY language. A debtor
 *   who writes "BAJA" to an English-language account has still asked us to stop; a missed
 *   opt-out is a violation, a false one costs a message and a confirmation.
 * - Re-subscribe and help: the whole message only, carrier words or the debtor's language. We
 *   never resume messaging on an ambiguous reply ("Alta la cuota?").
 * Multi-word phrases ("NO MAS", "OPT OUT") match the whole message only.
 */
export type KeywordAction = 'opt_out' | 'opt_in' | 'help';

export interface KeywordMatch {
  action: KeywordAction;
  /** The keyword as listed (upper case, no accents). */
  keyword: string;
  match: 'whole_message' | 'first_word';
  /** Which list it came from. */
  source: 'carrier' | Language;
}

/** Upper case, no accents, punctuation and symbols as spaces, spaces collapsed. */
export const normaliseReply = (text: string): string =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

interface Indexed {
  whole: Map<string, { action: KeywordAction; source: 'carrier' | Language }>;
  first: Map<string, { action: KeywordAction; source: 'carrier' | Language }>;
}

const index = (language: Language): Indexed => {
  const whole: Indexed['whole'] = new Map();
  const first: Indexed['first'] = new Map();
  const add = (set: KeywordSet, source: 'carrier' | Language, withOptIn: boolean): void => {
    for (const k of set.optOut) {
      const key = normaliseReply(k);
      if (!whole.has(key)) whole.set(key, { action: 'opt_out', source });
      if (!key.includes(' ') && !first.has(key)) first.set(key, { action: 'opt_out', source });
    }
    if (!withOptIn) return;
    for (const k of set.optIn) if (!whole.has(normaliseReply(k))) whole.set(normaliseReply(k), { action: 'opt_in', source });
    for (const k of set.help) if (!whole.has(normaliseReply(k))) whole.set(normaliseReply(k), { action: 'help', source });
  };
  add(OPT_OUT_KEYWORDS.carrier, 'carrier', true);
  add(OPT_OUT_KEYWORDS.languages[language], language, true);
  for (const other of LANGUAGES) if (other !== language) add(OPT_OUT_KEYWORDS.languages[other], other, false);
  return { whole, first };
};

const INDEX: Readonly<Record<Language, Indexed>> = {
  es: index('es'),
  en: index('en'),
  pt: index('pt'),
};

export const detectOptOutKeyword = (text: string, language: Language): KeywordMatch | null => {
  const normalised = normaliseReply(text);
  if (normalised === '') return null;
  const { whole, first } = INDEX[language];
  const exact = whole.get(normalised);
  if (exact) return { action: exact.action, keyword: normalised, match: 'whole_message', source: exact.source };
  const firstWord = normalised.split(' ', 1)[0] ?? '';
  const leading = first.get(firstWord);
  if (leading) return { action: leading.action, keyword: firstWord, match: 'first_word', source: leading.source };
  return null;
};
