/**
 * Text helpers shared by the template check: folding for accent- and case-insensitive matching
 * that still reports spans in the original text, visible text of HTML, words and sentences.
 */

/** A derived text whose `map[i]` is the offset in the source of derived character `i`. */
export interface MappedText {
  text: string;
  map: number[];
  /** Length of the source, so a match ending at the derived end maps to the source end. */
  sourceLength: number;
}

export const identity = (text: string): MappedText => {
  // A plain loop: Array.from with a mapping callback cost more than the check around it.
  const map: number[] = [];
  for (let i = 0; i < text.length; i++) map.push(i);
  return { text, map, sourceLength: text.length };
};

/** Source span `[start, end)` of the derived span `[start, end)`. */
export const sourceSpan = (mapped: MappedText, start: number, end: number): { start: number; end: number } => {
  const s = mapped.map[start] ?? mapped.sourceLength;
  const lastIndex = mapped.map[end - 1];
  return { start: s, end: lastIndex === undefined ? s : lastIndex + 1 };
};

/**
 * Lower case without diacritics ("CÁRCEL" → "carcel", "não" → "nao") and with no-break spaces
 * as spaces (Intl puts them in amounts), character by character so every folded character
 * keeps its source offset.
 */
export const fold = (input: MappedText): MappedText => {
  let text = '';
  const map: number[] = [];
  for (let i = 0; i < input.text.length; i++) {
    const ch = input.text[i] ?? '';
    const code = ch.charCodeAt(0);
    // Printable ASCII needs only lower-casing (most of any message).
    if (code >= 0x20 && code < 0x7f) {
      text += code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : ch;
      map.push(input.map[i] ?? i);
      continue;
    }
    const folded = ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[\u00a0\u2007\u202f]/g, ' ').toLowerCase();
    for (const f of folded) {
      text += f;
      map.push(input.map[i] ?? i);
    }
  }
  return { text, map, sourceLength: input.sourceLength };
};

export const foldString = (text: string): string =>
  text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[\u00a0\u2007\u202f]/g, ' ').toLowerCase();

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', aacute: 'á', eacute: 'é', iacute: 'í', oacute: 'ó',
  uacute: 'ú', ntilde: 'ñ', Aacute: 'Á', Eacute: 'É', Iacute: 'Í', Oacute: 'Ó', Uacute: 'Ú', Ntilde: 'Ñ', ccedil: 'ç',
  atilde: 'ã', otilde: 'õ', acirc: 'â', ecirc: 'ê', ocirc: 'ô', uuml: 'ü', iexcl: '¡', iquest: '¿', euro: '€', copy: '©',
};

const BLOCK = /^(?:p|div|br|li|ul|ol|tr|td|table|h[1-6]|section|footer|header|hr)$/i;

/**
 * The text a reader sees in an HTML body: tags removed (block tags become line breaks so
 * sentences do not run together), `<style>`/`<script>`/`<head>` content dropped, entities decoded.
 */
export const htmlVisibleText = (html: string): MappedText => {
  let text = '';
  const map: number[] = [];
  let i = 0;
  const push = (s: string, at: number): void => {
    for (const ch of s) {
      text += ch;
      map.push(at);
    }
  };
  while (i < html.length) {
    const ch = html[i] ?? '';
    if (ch === '<') {
      const close = html.indexOf('>', i);
      if (close === -1) break;
      const tag = /^<\/?\s*([a-zA-Z0-9]+)/.exec(html.slice(i, close + 1))?.[1] ?? '';
      if (/^(?:style|script|head|title)$/i.test(tag) && html[i + 1] !== '/') {
        const end = html.toLowerCase().indexOf(`</${tag.toLowerCase()}`, close);
        i = end === -1 ? html.length : html.indexOf('>', end) + 1 || html.length;
        continue;
      }
      if (BLOCK.test(tag)) push('\n', i);
      i = close + 1;
      continue;
    }
    if (ch === '&') {
      const m = /^&(#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});/.exec(html.slice(i, i + 12));
      if (m?.[1]) {
        const name = m[1];
        const decoded = name.startsWith('#x')
          ? String.fromCodePoint(parseInt(name.slice(2), 16))
          : name.startsWith('#') ? String.fromCodePoint(Number(name.slice(1))) : ENTITIES[name];
        if (decoded !== undefined) {
          push(decoded, i);
          i += m[0].length;
          continue;
        }
      }
    }
    push(ch, i);
    i++;
  }
  return { text, map, sourceLength: html.length };
};

const URL_OR_EMAIL = /\b(?:https?:\/\/\S+|www\.\S+|[^\s@]+@[^\s@]+\.[^\s@]+)/gi;

/**
 * Words for readability: runs of letters (apostrophes and hyphens inside a word allowed).
 * URLs, e-mail addresses and anything with digits (amounts, dates, references) are left out:
 * they are read as one unit and would distort syllable counts either way.
 */
export const words = (text: string): string[] => {
  const cleaned = text.replace(URL_OR_EMAIL, ' ');
  const out: string[] = [];
  for (const token of cleaned.split(/[\s/]+/)) {
    if (/\d/.test(token)) continue;
    const m = token.match(/\p{L}+(?:['’-]\p{L}+)*/gu);
    if (m) out.push(...m);
  }
  return out;
};

/**
 * Sentences: text between terminators (. ! ? … and a line break ending a line). Short messages
 * are set as lines ("Hola, Ana:" / "Tu cuota…"); each line is read as a unit, so it counts as one.
 */
export const sentenceCount = (text: string): number => {
  // URLs and addresses are not sentences, and their dots are not full stops; decimal points
  // in amounts are not either.
  const cleaned = text.replace(URL_OR_EMAIL, ' ').replace(/(\d)[.,](\d)/g, '$1$2');
  const pieces = cleaned.split(/[.!?…]+|\n+/);
  const n = pieces.filter((p) => /\p{L}/u.test(p)).length;
  return Math.max(n, 1);
};
