import { describe, expect, it } from 'vitest';
import { currencyExponent, daysBetween, formatDate, formatMoney, formatNumber, localeFor, minorToDecimal, parseAmountInput } from '../../web/src/format.ts';
import { csvCell, toCsv } from '../../web/src/csv.ts';
import { compareBuckets } from '../../web/src/buckets.ts';

// Intl separates the amount from the symbol with a no-break space; compare with plain spaces.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('console money and date formatting', () => {
  it('formats minor units exactly in Spanish and English, grouping thousands always', () => {
    expect(plain(formatMoney(123456, 'EUR', 'es-ES'))).toBe('1.234,56 €');
    expect(plain(formatMoney(304500, 'EUR', 'es-ES'))).toBe('3.045,00 €');
    expect(plain(formatMoney(99, 'EUR', 'es-ES'))).toBe('0,99 €');
    expect(formatMoney(123456, 'EUR', 'en-GB')).toBe('€1,234.56');
    expect(plain(formatMoney(150000, 'CLP', 'es-ES'))).toBe('150.000 CLP');
    expect(plain(formatMoney(900719925474099, 'EUR', 'es-ES'))).toBe('9.007.199.254.740,99 €');
    expect(plain(formatMoney(-2500, 'EUR', 'es-ES'))).toBe('-25,00 €');
    expect(formatNumber(1234, 'es-ES')).toBe('1.234');
  });

  it('turns minor units into decimal strings without floats', () => {
    expect(minorToDecimal(5, 2)).toBe('0.05');
    expect(minorToDecimal(-123456, 2)).toBe('-1234.56');
    expect(minorToDecimal(1500, 0)).toBe('1500');
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('CLP')).toBe(0);
  });

  it('formats calendar dates without shifting them across time zones', () => {
    expect(formatDate('2026-01-05', 'es-ES')).toBe('5 ene 2026');
    expect(formatDate('2026-01-05', 'en-GB')).toBe('5 Jan 2026');
    expect(formatDate(null, 'es-ES')).toBe('');
    expect(daysBetween('2026-01-05', '2026-03-15')).toBe(69);
    expect(localeFor('en')).toBe('en-GB');
    expect(localeFor('es')).toBe('es-ES');
  });
});

describe('amounts typed by people', () => {
  it.each([
    ['1.234,56', 'es-ES', 2, '1234.56'],
    ['1234,5', 'es-ES', 2, '1234.50'],
    ['250', 'es-ES', 2, '250.00'],
    ['12.50', 'es-ES', 2, '12.50'],
    ['1.250', 'es-ES', 2, '1250.00'],
    ['1 234,56', 'es-ES', 2, '1234.56'],
    ['1,234.56', 'en-GB', 2, '1234.56'],
    ['1,250', 'en-GB', 2, '1250.00'],
    ['12,5', 'en-GB', 2, '12.50'],
    ['150.000', 'es-ES', 0, '150000'],
  ])('reads %s in %s', (raw, locale, exponent, decimal) => {
    expect(parseAmountInput(raw, locale, exponent)).toMatchObject({ ok: true, decimal });
  });

  it.each([
    ['', 'empty'],
    ['abc', 'format'],
    ['1,2,3', 'format'],
    ['12,345', 'decimals'],
    ['-5', 'positive'],
    ['0,00', 'positive'],
    ['1.23.4', 'format'],
    ['12,', 'format'],
  ])('rejects %s as %s', (raw, reason) => {
    expect(parseAmountInput(raw, 'es-ES', 2)).toEqual({ ok: false, reason });
  });
});

describe('CSV of import errors', () => {
  it('quotes, escapes and defuses formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('-5')).toBe('-5');
    expect(csvCell(null)).toBe('');
    expect(toCsv(['row', 'reason'], [[2, 'bad; date']])).toBe('row,reason\r\n2,"bad; date"\r\n');
  });

  it('orders buckets from current to the oldest', () => {
    expect(['180+', '1-30', 'current', 'custom', '61-90'].sort(compareBuckets)).toEqual(['current', '1-30', '61-90', '180+', 'custom']);
  });
});
