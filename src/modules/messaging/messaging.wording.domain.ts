import { WORDING, type WordingCategory } from './messaging.packs.domain.ts';
import { fold, sourceSpan, type MappedText } from './messaging.text.domain.ts';
import type { Finding, FindingCode, Language, MessagePart } from './messaging.types.ts';

/**
 * Threatening, shaming and misleading wording (COMPLIANCE.md "Across all jurisdictions"; FDCPA
 * 806–807 / Reg F 1006.14 and 1006.18; CDC arts. 42 and 71; Ley 2300; CONDUSEF). Patterns come
 * from `packs/wording.<lang>.json` and run on folded text, so "CÁRCEL" and "carcel" match alike;
 * spans point back into the original text.
 *
 * The packs of every language run on every message: a Spanish template quoting an English
 * threat is still a threat, and debtors mix languages.
 */

const CODE: Readonly<Record<WordingCategory, FindingCode>> = {
  threatening: 'TEMPLATE.THREATENING',
  shaming: 'TEMPLATE.SHAMING',
  misleading: 'TEMPLATE.MISLEADING',
};

const LABEL: Readonly<Record<WordingCategory, { es: string; en: string }>> = {
  threatening: { es: 'Lenguaje amenazante', en: 'Threatening wording' },
  shaming: { es: 'Lenguaje que avergüenza', en: 'Shaming wording' },
  misleading: { es: 'Lenguaje engañoso', en: 'Misleading wording' },
};

interface Hit {
  category: WordingCategory;
  severity: 'error' | 'warning';
  start: number;
  end: number;
  reason: { es: string; en: string };
  rule: string;
}

/** Drops a hit lying inside another hit of the same category ("morosos" within "lista de morosos"). */
const withoutNested = (hits: Hit[]): Hit[] =>
  hits.filter((h) => !hits.some((o) => o !== h && o.category === h.category && o.start <= h.start && o.end >= h.end
    && (o.end - o.start > h.end - h.start || (o.end - o.start === h.end - h.start && hits.indexOf(o) < hits.indexOf(h)))));

/**
 * One alternation of every rule of the given languages: a text it does not match matches no
 * rule, so the common case (clean text) costs one regex pass instead of one per rule. Exact: the
 * rules run one by one, as before, whenever it matches.
 */
const anyRule = new Map<string, RegExp>();
const prefilter = (languages: readonly Language[]): RegExp => {
  const key = languages.join(',');
  let re = anyRule.get(key);
  if (!re) {
    re = new RegExp(languages.flatMap((l) => WORDING[l].rules.map((r) => `(?:${r.pattern.source})`)).join('|'), 'u');
    anyRule.set(key, re);
  }
  return re;
};

export const scanWording = (source: MappedText, original: string, part: MessagePart, languages: readonly Language[]): Finding[] => {
  const folded = fold(source);
  if (!prefilter(languages).test(folded.text)) return [];
  const hits: Hit[] = [];
  for (const language of languages) {
    for (const rule of WORDING[language].rules) {
      rule.pattern.lastIndex = 0;
      for (const m of folded.text.matchAll(rule.pattern)) {
        const span = sourceSpan(folded, m.index, m.index + m[0].length);
        hits.push({ category: rule.category, severity: rule.severity, ...span, reason: rule.reason, rule: rule.id });
      }
    }
  }
  return withoutNested(hits)
    .sort((a, b) => a.start - b.start || a.end - b.end)
    .map((h) => {
      const text = original.slice(h.start, h.end);
      return {
        code: CODE[h.category],
        severity: h.severity,
        part,
        span: { start: h.start, end: h.end, text },
        message: {
          es: `${LABEL[h.category].es}: «${text}». ${h.reason.es}`,
          en: `${LABEL[h.category].en}: "${text}". ${h.reason.en}`,
        },
        citation: h.rule,
      };
    });
};
