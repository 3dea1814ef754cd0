import type { Language } from './messaging.types.ts';

/**
 * Syllable counters for the readability formulas. Spanish and Portuguese spelling marks stress
 * and hiatus, so their counts follow the orthographic rules; English spelling does not, so its
 * counter is the usual heuristic (vowel groups with corrections for silent endings), which is
 * what Flesch's own calibration and most tools use.
 */

/**
 * The scan Spanish and Portuguese share: split the word (h dropped: it does not break a
 * diphthong, ahu-ma-do) into runs of vowels; each run makes as many syllables as it has nuclei,
 * at least one (a run of glides is one diphthong). A silent u (que, gui) is not a vowel; y ending
 * a word or before a consonant is (hoy, muy, y). The languages differ in their letters, in where
 * u is silent, and in what counts as a nucleus.
 */
const countByNuclei = (
  word: string,
  vowels: ReadonlySet<string>,
  silentU: (prev: string, next: string) => boolean,
  isNucleus: (w: string, i: number) => boolean,
): number => {
  const w = word.toLowerCase().replace(/h/g, '');
  let count = 0;
  let nuclei = 0;
  let inRun = false;
  const close = (): void => {
    if (inRun) count += Math.max(nuclei, 1);
    inRun = false;
    nuclei = 0;
  };
  for (let i = 0; i < w.length; i++) {
    const ch = w[i] ?? '';
    const prev = w[i - 1] ?? '';
    const next = w[i + 1] ?? '';
    let vowel = vowels.has(ch);
    if (ch === 'u' && silentU(prev, next)) vowel = false;
    if (ch === 'y') vowel = next === '' || !vowels.has(next);
    if (!vowel) {
      close();
      continue;
    }
    inRun = true;
    if (isNucleus(w, i)) nuclei++;
  }
  close();
  return Math.max(count, 1);
};

const STRONG_ES = new Set('aeoáéóíú');
const VOWEL_ES = new Set('aeiouáéíóúü');
const FRONT_ES = new Set('eiéí');

/**
 * Spanish: every run of vowels forms as many syllables as it has strong vowels (a, e, o, or an
 * accented í/ú, which marks a hiatus: dí-a, ba-úl); a run of only weak vowels (i, u, ü) is one
 * diphthong (cui-da, ciu-dad). Strong next to strong is a hiatus (le-er, ca-os). Silent u in
 * que/qui/gue/gui.
 */
export const syllablesEs = (word: string): number =>
  countByNuclei(word, VOWEL_ES, (prev, next) => prev === 'q' || (prev === 'g' && FRONT_ES.has(next)), (w, i) => STRONG_ES.has(w[i] ?? ''));

const STRONG_PT = new Set('aeoáéóíúâêôãõ');
const VOWEL_PT = new Set('aeiouáéíóúâêôãõü');
const FRONT_PT = new Set('eiéêí');

/**
 * Portuguese: the same nucleus rule as Spanish, plus the nasal diphthongs ão, ãe, õe (mão,
 * mães, põe), whose second vowel is a glide, unmarked hiatus before a closing r/l/z or nh,
 * and silent u in que/qui/gue/gui.
 */
export const syllablesPt = (word: string): number =>
  countByNuclei(word, VOWEL_PT, (prev, next) => (prev === 'q' || prev === 'g') && FRONT_PT.has(next), (w, i) => {
    const ch = w[i] ?? '';
    const prev = w[i - 1] ?? '';
    const next = w[i + 1] ?? '';
    const glide = (ch === 'o' || ch === 'e') && (prev === 'ã' || prev === 'õ');
    // i/u after a vowel and before r, l, z closing the syllable, or before nh, is a hiatus
    // the spelling does not mark (sa-ir, ra-iz, ra-i-nha).
    const after = w[i + 2] ?? '';
    const unmarkedHiatus = (ch === 'i' || ch === 'u') && STRONG_PT.has(prev)
      && ((/[rlz]/.test(next) && !VOWEL_PT.has(after)) || (next === 'n' && after === 'h'));
    return (STRONG_PT.has(ch) && !glide) || unmarkedHiatus;
  });

/**
 * English heuristic: count vowel groups (y counts as a vowel after the first letter), drop a
 * silent final e, -es and -ed where they add no syllable (keeping consonant + le: ta-ble), and
 * add one for vowel pairs that are usually split (ra-di-o, i-de-a).
 */
export const syllablesEn = (word: string): number => {
  let w = word.toLowerCase().replace(/[^a-z]/g, '');
  if (w.length === 0) return 1;
  if (w.length <= 3) return 1;
  w = w.replace(/(?:[^laeiouy]es|[^laeiouy]e|[^dt]ed)$/, (m) => m.slice(0, 1));
  w = w.replace(/^y/, '').replace(/qu/g, 'qw');
  const groups = w.match(/[aeiouy]+/g) ?? [];
  let count = groups.length;
  const splitPairs = !/(?:tion|sion|cious|tial|cial|geous)/.test(w);
  for (const g of groups) if (splitPairs && /^(?:ia|io|iu|ua|uo)$/.test(g)) count++;
  if (/[^aeiouy]ea$/.test(w)) count++;
  return Math.max(count, 1);
};

export const countSyllables = (word: string, language: Language): number =>
  language === 'es' ? syllablesEs(word) : language === 'pt' ? syllablesPt(word) : syllablesEn(word);
