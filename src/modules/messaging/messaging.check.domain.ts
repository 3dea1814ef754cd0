import { countSmsSegments, nonGsm7Characters } from './messaging.gsm.domain.ts';
import { REQUIREMENTS } from './messaging.packs.domain.ts';
import { readability, type Readability } from './messaging.readability.domain.ts';
import { fold, foldString, htmlVisibleText, identity, sourceSpan } from './messaging.text.domain.ts';
import type { Finding, Jurisdiction, Language, MessagePart, SmsMetadata, TemplateChannel } from './messaging.types.ts';
import { LANGUAGES } from './messaging.types.ts';
import { scanWording } from './messaging.wording.domain.ts';

/**
 * The template check: pure, over a rendered message and the facts it must show. It runs on
 * rendered output (with realistic sample data in the editor, with real data before a send) so
 * that variables count: an opt-out sentence held in `{{ opt_out }}` is present, a long creditor
 * name pushes an SMS into a third segment.
 *
 * Severities: `error` blocks publishing and sending; `warning` needs a reviewer's sign-off;
 * `info` is advice. Every finding has a stable code, a message in es and en, and where it
 * points at text, the span.
 */
export interface CheckFacts {
  /** Each must appear verbatim (sender and creditor names, CNPJ, the contact number…). */
  identification: { label: string; value: string | undefined; citation: string }[];
  /** US third-party collection: the 1006.18(e) disclosure must appear. */
  disclosure?: { pattern: RegExp; citation: string };
  /** E-mail: the unsubscribe link the body must carry. */
  optOutUrl?: string;
  /** Limited-content messages: values that must not appear (creditor name, amounts…). */
  forbidden?: string[];
}

export interface CheckInput {
  channel: TemplateChannel;
  language: Language;
  jurisdiction: Jurisdiction;
  parts: { text: string; subject?: string; html?: string };
  /** Reg F 1006.2(j) limited-content message. */
  limitedContent: boolean;
  /** The one opt-out confirmation 1006.6(e) allows: it needs no opt-out instruction. */
  confirmsOptOut?: boolean;
  /** WhatsApp: template messages are limited to 1024 characters, free-form text to 4096. */
  whatsappTemplate?: boolean;
  facts: CheckFacts;
  /** SMS: segments of `parts.text` when already counted (the renderer counts them); counted here otherwise. */
  sms?: Omit<SmsMetadata, 'transliterated'>;
}

export interface CheckResult {
  /** No `error` findings. */
  ok: boolean;
  findings: Finding[];
  metrics: { characters: number; readability: Readability; sms?: Omit<SmsMetadata, 'transliterated'> };
}

const f = (finding: Finding): Finding => finding;

const LENGTH = REQUIREMENTS.length;

/** Readability as reported by an errors-only check, which does not score it. */
const NOT_SCORED: Readability = Object.freeze({ formula: 'flesch', score: 0, words: 0, sentences: 0, syllables: 0, threshold: 0, reliable: false }) as Readability;

const smsFindings = (text: string, errorsOnly = false, counted?: Omit<SmsMetadata, 'transliterated'>): { findings: Finding[]; sms: Omit<SmsMetadata, 'transliterated'> } => {
  const sms = counted ?? countSmsSegments(text);
  const findings: Finding[] = [];
  const { info, warning, error } = LENGTH.smsSegments;
  if (sms.segments >= info) {
    const severity = sms.segments >= error ? 'error' : sms.segments >= warning ? 'warning' : 'info';
    findings.push(f({
      code: 'TEMPLATE.SMS_SEGMENTS', severity, part: 'text',
      message: {
        es: `El SMS ocupa ${sms.segments} segmentos (${sms.units} unidades ${sms.encoding}); cada segmento se cobra y los largos llegan partidos.`,
        en: `The SMS takes ${sms.segments} segments (${sms.units} ${sms.encoding} units); each is billed and long ones arrive split.`,
      },
    }));
  }
  if (sms.encoding === 'UCS-2' && !errorsOnly) {
    const chars = nonGsm7Characters(text);
    const first = chars[0] ?? '';
    const at = text.indexOf(first);
    findings.push(f({
      code: 'TEMPLATE.SMS_ENCODING', severity: 'info', part: 'text',
      ...(at >= 0 ? { span: { start: at, end: at + first.length, text: first } } : {}),
      message: {
        es: `Caracteres fuera de GSM-7 (${chars.join(' ')}) pasan el SMS a UCS-2: 70 caracteres por segmento en vez de 160.`,
        en: `Characters outside GSM-7 (${chars.join(' ')}) switch the SMS to UCS-2: 70 characters per segment instead of 160.`,
      },
    }));
  }
  return { findings, sms };
};

const containsFolded = (haystack: string, needle: string): boolean => foldString(haystack).includes(foldString(needle));

/**
 * What the dispatcher needs before a send: the same checks, but only those that can block
 * (severity `error`). Readability and the SMS encoding note only ever warn or inform, so they
 * are left out; everything that can fail a message runs on the text as rendered for it.
 */
export const blockingFindings = (input: CheckInput): Finding[] => checkMessage(input, { errorsOnly: true }).findings.filter((x) => x.severity === 'error');

export const checkMessage = (input: CheckInput, options: { errorsOnly?: boolean } = {}): CheckResult => {
  const { channel, language, parts, facts } = input;
  const findings: Finding[] = [];
  const visibleHtml = parts.html === undefined ? undefined : htmlVisibleText(parts.html);
  const sections: { part: MessagePart; original: string; mapped: ReturnType<typeof identity> }[] = [
    { part: 'text', original: parts.text, mapped: identity(parts.text) },
  ];
  if (parts.subject !== undefined) sections.push({ part: 'subject', original: parts.subject, mapped: identity(parts.subject) });
  if (visibleHtml && parts.html !== undefined) sections.push({ part: 'html', original: parts.html, mapped: visibleHtml });

  for (const s of sections) {
    if (s.mapped.text.trim() === '') {
      findings.push(f({ code: 'TEMPLATE.EMPTY', severity: 'error', part: s.part, message: { es: 'Esta parte está vacía.', en: 'This part is empty.' } }));
    }
  }
  // Wording: every language's pack on every part.
  for (const s of sections) findings.push(...scanWording(s.mapped, s.original, s.part, LANGUAGES));

  const everything = [parts.subject ?? '', parts.text, visibleHtml?.text ?? ''].join('\n');

  // Opt-out (Reg F 1006.6(e)): SMS and WhatsApp need a reply keyword, e-mail a way to unsubscribe.
  if (REQUIREMENTS.optOut.channels.includes(channel) && !input.limitedContent && !input.confirmsOptOut) {
    const keyword = new RegExp(REQUIREMENTS.optOut.instruction[language], 'u');
    const emailWords = new RegExp(REQUIREMENTS.optOut.emailInstruction[language], 'u');
    const present = channel === 'email'
      ? (facts.optOutUrl === undefined || (parts.html ?? '').includes(facts.optOutUrl) || parts.text.includes(facts.optOutUrl))
        && emailWords.test(foldString(everything))
      : keyword.test(parts.text);
    if (!present) {
      findings.push(f({
        code: 'TEMPLATE.MISSING_OPT_OUT', severity: 'error', part: 'text', citation: REQUIREMENTS.optOut.citation,
        message: {
          es: channel === 'email' ? 'Falta el enlace y el texto para darse de baja.' : 'Falta cómo darse de baja (p. ej. «Responde BAJA para no recibir más SMS»).',
          en: channel === 'email' ? 'The unsubscribe link and wording are missing.' : 'How to opt out is missing (e.g. "Reply STOP to opt out").',
        },
      }));
    }
  }

  for (const item of facts.identification) {
    if (item.value !== undefined && item.value !== '' && containsFolded(everything, item.value)) continue;
    findings.push(f({
      code: 'TEMPLATE.MISSING_IDENTIFICATION', severity: 'error', citation: item.citation,
      message: {
        es: `Falta la identificación: ${item.label}${item.value ? ` («${item.value}»)` : ' (no hay dato)'}.`,
        en: `Identification missing: ${item.label}${item.value ? ` ("${item.value}")` : ' (no value given)'}.`,
      },
    }));
  }

  if (facts.disclosure && !facts.disclosure.pattern.test(foldString(everything))) {
    findings.push(f({
      code: 'TEMPLATE.MISSING_DISCLOSURE', severity: 'error', citation: facts.disclosure.citation,
      message: {
        es: 'Falta indicar que la comunicación es de un cobrador de deudas (mensajes de terceros en EE. UU.).',
        en: 'The statement that the communication is from a debt collector is missing (US third-party collection).',
      },
    }));
  }

  if (input.limitedContent) {
    const forbidden = new RegExp(REQUIREMENTS.limitedContent.forbidden[language], 'gu');
    const folded = fold(identity(parts.text));
    // Words inside the names the message must carry do not count ("Crédito Ágil" may leave its
    // own name; the rule is about what the message says, not what the business is called).
    const allowed: { start: number; end: number }[] = [];
    for (const item of facts.identification) {
      const needle = foldString(item.value ?? '');
      for (let at = needle === '' ? -1 : folded.text.indexOf(needle); at >= 0; at = folded.text.indexOf(needle, at + 1)) {
        allowed.push({ start: at, end: at + needle.length });
      }
    }
    const spans: { start: number; end: number }[] = [];
    for (const m of folded.text.matchAll(forbidden)) {
      if (allowed.some((a) => a.start <= m.index && a.end >= m.index + m[0].length)) continue;
      spans.push(sourceSpan(folded, m.index, m.index + m[0].length));
    }
    for (const value of facts.forbidden ?? []) {
      const needle = foldString(value);
      const at = needle === '' ? -1 : folded.text.indexOf(needle);
      if (at >= 0) spans.push(sourceSpan(folded, at, at + needle.length));
    }
    for (const span of spans.sort((a, b) => a.start - b.start)) {
      const text = parts.text.slice(span.start, span.end);
      findings.push(f({
        code: 'TEMPLATE.LIMITED_CONTENT_VIOLATION', severity: 'error', part: 'text', span: { ...span, text }, citation: REQUIREMENTS.limitedContent.citation,
        message: {
          es: `Un mensaje de contenido limitado solo puede llevar el nombre comercial, una petición de respuesta y el contacto; «${text}» revela la deuda.`,
          en: `A limited-content message may only carry the business name, a request to reply and contact details; "${text}" reveals the debt.`,
        },
      }));
    }
  }

  let sms: Omit<SmsMetadata, 'transliterated'> | undefined;
  if (channel === 'sms') {
    const r = smsFindings(parts.text, options.errorsOnly === true, input.sms);
    findings.push(...r.findings);
    sms = r.sms;
  }
  const tooLong = (limit: number, length: number, part: MessagePart, unit: { es: string; en: string }): void => {
    if (length <= limit) return;
    findings.push(f({
      code: 'TEMPLATE.TOO_LONG', severity: channel === 'whatsapp' ? 'error' : 'warning', part,
      message: { es: `Demasiado largo: ${length} ${unit.es} (máximo ${limit}).`, en: `Too long: ${length} ${unit.en} (at most ${limit}).` },
    }));
  };
  const chars = { es: 'caracteres', en: 'characters' };
  if (channel === 'whatsapp') tooLong(input.whatsappTemplate ? LENGTH.whatsappTemplateBody : LENGTH.whatsappText, parts.text.length, 'text', chars);
  if (channel === 'email' && parts.subject !== undefined) tooLong(LENGTH.emailSubject, parts.subject.length, 'subject', chars);

  if (options.errorsOnly) return { ok: !findings.some((x) => x.severity === 'error'), findings, metrics: { characters: parts.text.length, readability: NOT_SCORED, ...(sms ? { sms } : {}) } };
  const score = readability(parts.text, language);
  if (channel === 'voicemail') tooLong(LENGTH.voicemailWords, score.words, 'text', { es: 'palabras', en: 'words' });
  if (score.reliable && score.score < score.threshold) {
    findings.push(f({
      code: 'TEMPLATE.READABILITY_LOW', severity: 'warning', part: 'text',
      message: {
        es: `Difícil de leer: ${score.formula} ${score.score} (mínimo ${score.threshold}). Usa frases y palabras más cortas.`,
        en: `Hard to read: ${score.formula} ${score.score} (minimum ${score.threshold}). Use shorter sentences and words.`,
      },
    }));
  }

  return {
    ok: !findings.some((x) => x.severity === 'error'),
    findings,
    metrics: { characters: parts.text.length, readability: score, ...(sms ? { sms } : {}) },
  };
};
