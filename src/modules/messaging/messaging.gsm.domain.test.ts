import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countSmsSegments, GSM7_PART, GSM7_SINGLE, gsm7Cost, isGsm7, nonGsm7Characters, transliterateToGsm7, UCS2_PART, UCS2_SINGLE,
} from './messaging.gsm.domain.ts';

/** GSM-7 / UCS-2 detection and segment arithmetic (3GPP TS 23.038 / 23.040). */
const BASIC = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const EXTENSION = '\f^{}\\[~]|€';
const a = (n: number): string => 'a'.repeat(n);

describe('segment counting at the boundaries', () => {
  const rows: { name: string; text: string; encoding: 'GSM-7' | 'UCS-2'; units: number; segments: number }[] = [
    { name: 'empty', text: '', encoding: 'GSM-7', units: 0, segments: 0 },
    { name: '160 GSM-7 characters fit one SMS', text: a(160), encoding: 'GSM-7', units: 160, segments: 1 },
    { name: '161 need two parts of 153', text: a(161), encoding: 'GSM-7', units: 161, segments: 2 },
    { name: '306 fill two parts', text: a(306), encoding: 'GSM-7', units: 306, segments: 2 },
    { name: '307 need a third', text: a(307), encoding: 'GSM-7', units: 307, segments: 3 },
    { name: '€ costs two septets: 80 fit', text: '€'.repeat(80), encoding: 'GSM-7', units: 160, segments: 1 },
    { name: '81 € do not', text: '€'.repeat(81), encoding: 'GSM-7', units: 162, segments: 2 },
    { name: 'an escape pair is never split across parts', text: `${a(152)}€${a(152)}`, encoding: 'GSM-7', units: 306, segments: 3 },
    { name: 'ñ, é, ¿ and ¡ are GSM-7', text: '¿Año? ¡Sí! é ü Ñ', encoding: 'UCS-2', units: 16, segments: 1 },
    { name: 'á forces UCS-2: 70 fit', text: 'á'.repeat(70), encoding: 'UCS-2', units: 70, segments: 1 },
    { name: '71 need two parts of 67', text: 'á'.repeat(71), encoding: 'UCS-2', units: 71, segments: 2 },
    { name: 'an emoji is two UCS-2 units', text: '🙏'.repeat(35), encoding: 'UCS-2', units: 70, segments: 1 },
    { name: 'a surrogate pair is never split across parts', text: `${'á'.repeat(66)}🙏${'á'.repeat(66)}`, encoding: 'UCS-2', units: 134, segments: 3 },
  ];
  for (const row of rows) {
    it(row.name, () => {
      expect(countSmsSegments(row.text)).toEqual({ encoding: row.encoding, units: row.units, segments: row.segments });
    });
  }
  it('"Sí" has í, which GSM-7 lacks', () => {
    expect(nonGsm7Characters('¿Año? ¡Sí!')).toEqual(['í']);
  });
});

const gsmChar = fc.constantFrom(...BASIC);
const extChar = fc.constantFrom(...EXTENSION);
const gsmText = fc.array(fc.oneof({ weight: 9, arbitrary: gsmChar }, { weight: 1, arbitrary: extChar }), { maxLength: 700 }).map((cs) => cs.join(''));
const anyText = fc.string({ unit: 'grapheme', maxLength: 400 });

describe('properties', () => {
  it('GSM-7 units are characters plus one per extension character', () => {
    fc.assert(fc.property(gsmText, (text) => {
      const r = countSmsSegments(text);
      const extensions = [...text].filter((c) => EXTENSION.includes(c)).length;
      expect(r.encoding).toBe('GSM-7');
      expect(r.units).toBe([...text].length + extensions);
    }));
  });

  it('without extension characters, segments are exactly 1 up to 160 and ceil(n/153) beyond', () => {
    fc.assert(fc.property(fc.array(gsmChar, { maxLength: 1000 }), (chars) => {
      const n = chars.length;
      const expected = n === 0 ? 0 : n <= GSM7_SINGLE ? 1 : Math.ceil(n / GSM7_PART);
      expect(countSmsSegments(chars.join('')).segments).toBe(expected);
    }));
  });

  it('with escape pairs kept whole, each part wastes at most one septet', () => {
    fc.assert(fc.property(gsmText, (text) => {
      const { units, segments } = countSmsSegments(text);
      if (units <= GSM7_SINGLE) return;
      expect(segments).toBeGreaterThanOrEqual(Math.ceil(units / GSM7_PART));
      expect(segments).toBeLessThanOrEqual(Math.ceil(units / (GSM7_PART - 1)));
    }));
  });

  it('anything outside GSM-7 makes the message UCS-2, counted in UTF-16 units', () => {
    fc.assert(fc.property(anyText, (text) => {
      const r = countSmsSegments(text);
      expect(r.encoding === 'GSM-7').toBe(isGsm7(text));
      expect(isGsm7(text)).toBe(nonGsm7Characters(text).length === 0);
      if (r.encoding === 'UCS-2') {
        expect(r.units).toBe(text.length);
        if (r.units > UCS2_SINGLE) {
          expect(r.segments).toBeGreaterThanOrEqual(Math.ceil(r.units / UCS2_PART));
          expect(r.segments).toBeLessThanOrEqual(Math.ceil(r.units / (UCS2_PART - 1)));
        } else if (r.units > 0) expect(r.segments).toBe(1);
      }
    }));
  });

  it('appending a character never lowers the segment count within one encoding', () => {
    fc.assert(fc.property(gsmText, gsmChar, (text, ch) => {
      expect(countSmsSegments(text + ch).segments).toBeGreaterThanOrEqual(countSmsSegments(text).segments);
    }));
  });

  it('transliteration turns Spanish and Portuguese text into GSM-7 and leaves GSM-7 text alone', () => {
    const iberian = fc.array(fc.constantFrom(...'aábcçdeéêfghiíjlmnñoóôõpqrstuúüvxyzÁÉÍÓÚÃÕÂÊÔ ¿?¡!.,:“”‘’–—…\u00a0\u202f'), { maxLength: 300 }).map((c) => c.join(''));
    fc.assert(fc.property(iberian, (text) => {
      const out = transliterateToGsm7(text);
      expect(isGsm7(out.text)).toBe(true);
      expect(out.changed).toBe(!isGsm7(text));
    }));
    fc.assert(fc.property(gsmText, (text) => {
      expect(transliterateToGsm7(text)).toEqual({ text, changed: false });
    }));
  });
});

describe('transliteration', () => {
  it('keeps what GSM-7 has and replaces what it lacks', () => {
    expect(transliterateToGsm7('Responde BAJA para no recibir más SMS. ¿Año? Sí.').text).toBe('Responde BAJA para no recibir mas SMS. ¿Año? Si.');
    expect(transliterateToGsm7('Você não receberá cobrança — “R$\u00a01.234,56”').text).toBe('Voce nao recebera cobranca - "R$ 1.234,56"');
    expect(transliterateToGsm7('Gracias 🙏').text).toBe('Gracias 🙏');
    expect(gsm7Cost('€')).toBe(2);
  });
});
