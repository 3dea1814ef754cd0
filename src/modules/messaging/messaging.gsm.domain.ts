import type { SmsMetadata } from './messaging.types.ts';

/**
 * SMS encoding and segment arithmetic (3GPP TS 23.038 and TS 23.040).
 *
 * A message that fits the GSM 7-bit default alphabet costs one septet per character, two for
 * the extension table (reached through ESC). One character outside it turns the whole message
 * into UCS-2, where every UTF-16 code unit costs one unit. A single SMS holds 160 septets or
 * 70 units; concatenated parts lose room to the 6-byte user-data header: 153 septets or 67
 * units each. Handsets and Twilio never split an escape pair or a surrogate pair across parts,
 * so parts are filled greedily by whole characters rather than by dividing the total.
 */

const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const EXTENSION = '\f^{}\\[~]|€';

/** Septets per UTF-16 code unit (0: not in GSM-7). Every GSM-7 character is one code unit. */
const COST = new Uint8Array(0x10000);
for (const ch of BASIC) COST[ch.charCodeAt(0)] = 1;
for (const ch of EXTENSION) COST[ch.charCodeAt(0)] = 2;

export const GSM7_SINGLE = 160;
export const GSM7_PART = 153;
export const UCS2_SINGLE = 70;
export const UCS2_PART = 67;

/** Septets a character costs in GSM-7, or undefined when it is not representable. */
export const gsm7Cost = (char: string): 1 | 2 | undefined => (char.length === 1 ? ((COST[char.charCodeAt(0)] || undefined) as 1 | 2 | undefined) : undefined);

export const isGsm7 = (text: string): boolean => {
  // By code unit: a surrogate (half of an emoji) costs 0, so it is caught like any other.
  for (let i = 0; i < text.length; i++) if (COST[text.charCodeAt(i)] === 0) return false;
  return true;
};

/** Characters (code points) outside GSM-7, each once, in order of appearance. */
export const nonGsm7Characters = (text: string): string[] => {
  const seen = new Set<string>();
  for (const ch of text) if (gsm7Cost(ch) === undefined) seen.add(ch);
  return [...seen];
};

const pack = (costs: number[], single: number, part: number): { units: number; segments: number } => {
  const units = costs.reduce((a, b) => a + b, 0);
  if (units === 0) return { units, segments: 0 };
  if (units <= single) return { units, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const c of costs) {
    if (used + c > part) {
      segments++;
      used = 0;
    }
    used += c;
  }
  return { units, segments };
};

/** Encoding, units and billable segments of an SMS body exactly as it will be sent. */
export const countSmsSegments = (text: string): Omit<SmsMetadata, 'transliterated'> => {
  if (isGsm7(text)) {
    const costs = new Array<number>(text.length);
    for (let i = 0; i < text.length; i++) costs[i] = COST[text.charCodeAt(i)]!;
    return { encoding: 'GSM-7', ...pack(costs, GSM7_SINGLE, GSM7_PART) };
  }
  // Code points: a non-BMP character (emoji) is a surrogate pair, two UCS-2 units, never split.
  const costs = [...text].map((ch) => ch.length);
  return { encoding: 'UCS-2', ...pack(costs, UCS2_SINGLE, UCS2_PART) };
};

/**
 * Replacements into GSM-7 for characters Spanish and Portuguese use that the alphabet lacks
 * (it has é, ñ, ü, ¿, ¡ but not á, í, ó, ú, ç, ã, õ, â, ê, ô), plus typographic punctuation and
 * the no-break spaces Intl puts in amounts ("1234,56 €"). One such character would otherwise
 * switch the whole message to UCS-2 and cut a segment from 160 to 70 characters; carriers'
 * and Twilio's "smart encoding" make the same substitutions.
 */
const TRANSLITERATION: Readonly<Record<string, string>> = {
  á: 'a', í: 'i', ó: 'o', ú: 'u', Á: 'A', Í: 'I', Ó: 'O', Ú: 'U',
  â: 'a', ê: 'e', î: 'i', ô: 'o', û: 'u', Â: 'A', Ê: 'E', Î: 'I', Ô: 'O', Û: 'U',
  ã: 'a', õ: 'o', Ã: 'A', Õ: 'O', ç: 'c', À: 'A', È: 'E', Ì: 'I', Ò: 'O', Ù: 'U',
  ï: 'i', ë: 'e', ý: 'y', Ë: 'E', Ï: 'I', ÿ: 'y',
  '\u00a0': ' ', '\u202f': ' ', '\u2007': ' ', '\u2009': ' ', '\u200b': '',
  '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201c': '"', '\u201d': '"', '\u201e': '"', '«': '"', '»': '"',
  '\u2013': '-', '\u2014': '-', '\u2212': '-', '\u2026': '...', '•': '-', '\t': ' ',
};

/** Replaces what has a GSM-7 equivalent; anything else (emoji, other scripts) is left as is. */
export const transliterateToGsm7 = (text: string): { text: string; changed: boolean } => {
  let out = '';
  let changed = false;
  for (const ch of text) {
    if (gsm7Cost(ch) !== undefined) {
      out += ch;
      continue;
    }
    const sub = TRANSLITERATION[ch];
    if (sub === undefined) out += ch;
    else {
      out += sub;
      changed = true;
    }
  }
  return { text: out, changed };
};
