import { countSyllables } from './messaging.syllables.domain.ts';
import { sentenceCount, words } from './messaging.text.domain.ts';
import type { Language } from './messaging.types.ts';

/**
 * Readability of debtor-facing text, one formula per language, each on its own published scale
 * (higher is easier):
 * - Spanish, Fernández-Huerta (1959): 206.84 − 0.60·P − 1.02·F, P = syllables per 100 words,
 *   F = words per sentence. The formula is usually cited with F = "sentences per 100 words",
 *   which makes shorter sentences score as harder; Law (2011, LINGUIST List 22.2332) showed
 *   that reading is a transcription error, and F = words per sentence is what makes it the
 *   Flesch adaptation it claims to be (1.02 ≈ Flesch's 1.015). We use the corrected form;
 *   `fernandezHuertaAsCited` keeps the other for comparison. 60–70 "normal", 70–80 "fairly
 *   easy", 80+ "easy".
 * - English, Flesch Reading Ease (1948): 206.835 − 1.015·(words/sentences) − 84.6·(syllables/words).
 *   60–70 plain English (8th–9th grade); below 50 is college level.
 * - Portuguese, Flesch adapted by Martins et al. (1996): 248.835 − 1.015·ASL − 84.6·ASW.
 *   75–100 very easy, 50–75 easy, 25–50 difficult, below 25 very difficult.
 * Many debtors are new to credit and read on a phone, stressed: aim for "easy".
 */
export type ReadabilityFormula = 'fernandez-huerta' | 'flesch' | 'flesch-martins';

export interface Readability {
  formula: ReadabilityFormula;
  score: number;
  words: number;
  sentences: number;
  syllables: number;
  /** Below this the check warns. */
  threshold: number;
  /** Too few words for the formula to mean anything (scores of a 5-word SMS swing wildly). */
  reliable: boolean;
}

export const FORMULAS: Readonly<Record<Language, { formula: ReadabilityFormula; threshold: number }>> = {
  es: { formula: 'fernandez-huerta', threshold: 60 },
  en: { formula: 'flesch', threshold: 60 },
  pt: { formula: 'flesch-martins', threshold: 50 },
};

/** Fewer words than this and a score is reported but never flagged. */
export const MIN_WORDS = 12;

const round1 = (n: number): number => Math.round(n * 10) / 10;

export const fernandezHuerta = (wordCount: number, sentenceCount: number, syllableCount: number): number =>
  206.84 - 0.6 * ((syllableCount / wordCount) * 100) - 1.02 * (wordCount / sentenceCount);

/** The widespread citation (F = sentences per 100 words); kept to show why it is not used. */
export const fernandezHuertaAsCited = (wordCount: number, sentenceCount: number, syllableCount: number): number =>
  206.84 - 0.6 * ((syllableCount / wordCount) * 100) - 1.02 * ((sentenceCount / wordCount) * 100);

export const fleschReadingEase = (wordCount: number, sentenceCount: number, syllableCount: number): number =>
  206.835 - 1.015 * (wordCount / sentenceCount) - 84.6 * (syllableCount / wordCount);

export const fleschMartins = (wordCount: number, sentenceCount: number, syllableCount: number): number =>
  248.835 - 1.015 * (wordCount / sentenceCount) - 84.6 * (syllableCount / wordCount);

export const readability = (text: string, language: Language): Readability => {
  const list = words(text);
  const sentences = sentenceCount(text);
  const syllables = list.reduce((sum, w) => sum + countSyllables(w, language), 0);
  const { formula, threshold } = FORMULAS[language];
  const n = Math.max(list.length, 1);
  const raw = formula === 'fernandez-huerta'
    ? fernandezHuerta(n, sentences, syllables)
    : formula === 'flesch' ? fleschReadingEase(n, sentences, syllables) : fleschMartins(n, sentences, syllables);
  return {
    formula, score: round1(raw), words: list.length, sentences, syllables, threshold, reliable: list.length >= MIN_WORDS,
  };
};
