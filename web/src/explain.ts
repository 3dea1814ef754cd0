import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { ExplainLine, StrategyNames } from './api.ts';
import { formatDateTime, localeFor } from './format.ts';
import { humanize } from './labels.ts';

/** Which question a line of a decision answers, for the account panel's three headings. */
export type LineTopic = 'action' | 'time' | 'policy';
export const lineTopic = (code: string): LineTopic =>
  code.startsWith('SEND_TIME.') ? 'time' : code.startsWith('POLICY.') ? 'policy' : 'action';

/** `2026-03-16 09:12:30` (a wall-clock time the server wrote in the debtor's zone) as `16 mar 2026, 09:12`. */
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})/;
const formatLocal = (local: string, locale: string): string => {
  const m = LOCAL.exec(local);
  if (!m) return local;
  const utc = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]))).toISOString();
  return formatDateTime(utc, locale, 'UTC');
};

/** Segment and journey names in the reader's language, from the strategy document. */
export interface StrategyWords {
  strategy: (id: string) => string;
  segment: (id: string) => string;
  journey: (id: string) => string;
}

export const strategyWords = (doc: StrategyNames | undefined, lang: string): StrategyWords => {
  const pick = (name: Record<string, string> | undefined, id: string) => name?.[lang] ?? name?.['es'] ?? id;
  return {
    strategy: (id) => (doc && doc.id === id ? pick(doc.name, id) : id),
    segment: (id) => pick(doc?.document.segments?.find((s) => s.id === id)?.name, id),
    journey: (id) => pick(doc?.document.journeys?.find((j) => j.id === id)?.name, id),
  };
};

/**
 * Explanation lines in plain words: the console's own sentence for the codes it knows, with
 * channels, purposes, segments and dates put into words; the server's sentence otherwise.
 */
export const useExplain = (words: StrategyWords) => {
  const { t, i18n } = useTranslation();
  const lang = i18n.language.startsWith('en') ? 'en' : 'es';
  const locale = localeFor(lang);
  return useMemo(() => {
    const channel = (c: unknown) => t(`channel.${String(c)}`, { defaultValue: humanize(String(c)) });
    const purpose = (p: unknown) => t(`purpose.${String(p)}`, { defaultValue: humanize(String(p)) });
    const instant = (iso: unknown) => formatDateTime(String(iso), locale);
    const render = (l: ExplainLine): string => {
      const p = l.params;
      const fallback = l.text[lang];
      const key = `explain.${l.code}`;
      const v: Record<string, string | number> = { ...p };
      if (typeof p['step'] === 'string') v['step'] = humanize(p['step']);
      switch (l.code) {
        case 'ASSIGN.SEGMENT':
        case 'ASSIGN.SUPPRESSED':
          v['segment'] = words.segment(String(p['segment']));
          v['strategy'] = words.strategy(String(p['strategy']));
          if (p['journey'] !== undefined) v['journey'] = words.journey(String(p['journey']));
          break;
        case 'JOURNEY.STARTED':
          v['journey'] = words.journey(String(p['journey']));
          break;
        case 'EXIT.EXITED':
        case 'EXIT.PAUSED':
          v['on'] = t(`explain.exit.${String(p['on'])}`, { defaultValue: String(p['on']) });
          break;
        case 'PRE_DUE.SKIPPED':
          v['why'] = t(`explain.preDue.${String(p['why'])}`, { defaultValue: String(p['why']) });
          break;
        case 'WAIT.PENDING':
          v['until'] = instant(p['until']);
          break;
        case 'CHANNEL.SKIPPED':
          v['channel'] = channel(p['channel']);
          v['reason'] = t(`explain.reason.${String(p['reason'])}`, { defaultValue: String(p['reason']) }) + (p['detail'] ? ` (${String(p['detail'])})` : '');
          break;
        case 'SEND.CHOSEN':
          v['channel'] = channel(p['channel']);
          v['purpose'] = purpose(p['purpose']);
          break;
        case 'AGENT.TASK':
          v['task'] = t(`explain.task.${String(p['task'])}`, { defaultValue: String(p['task']) });
          break;
        case 'SEND_TIME.PREFERRED':
        case 'SEND_TIME.FIRST_ALLOWED':
          v['when'] = formatLocal(String(p['local']), locale);
          if (l.code === 'SEND_TIME.FIRST_ALLOWED' && p['why'] === 'outside_preference') return t('explain.SEND_TIME.FIRST_ALLOWED_OUTSIDE', v);
          break;
        case 'POLICY.WINDOWS':
          v['channel'] = channel(p['channel']);
          v['first'] = instant(p['first']);
          break;
        case 'POLICY.BLOCKED':
          v['channel'] = channel(p['channel']);
          break;
        case 'POLICY.JURISDICTION_FALLBACK':
        case 'WAIT.DONE':
        case 'WAIT.DPD_PENDING':
        case 'PRE_DUE.PENDING':
        case 'JOURNEY.COMPLETED':
        case 'ASSIGN.NONE':
        case 'SEND_TIME.NO_WINDOW':
          break;
        default:
          return fallback;
      }
      return t(key, { ...v, defaultValue: fallback, interpolation: { escapeValue: false } });
    };
    return { render, channel, purpose };
  }, [t, lang, locale, words]);
};
