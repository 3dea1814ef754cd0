import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { currencyExponent, formatMinor, formatMoney, isCurrency, parseAmount } from './money.ts';

describe('parseAmount', () => {
  it.each([
    ['1.234,56', 2, ',', 123456],
    ['1234,56', 2, ',', 123456],
    ['1234,5', 2, ',', 123450],
    ['-12,00', 2, ',', -1200],
    ['1.234.567', 2, ',', 123456700],
    ['1,234.56', 2, '.', 123456],
    ['1234.56', 2, '.', 123456],
    ['1234', 0, '.', 1234],
    [' 12 345,60 ', 2, ',', 1234560],
    ['0,01', 2, ',', 1],
  ] as const)('%s (exp %i, decimal %s) -> %i', (raw, exp, dec, minor) => {
    expect(parseAmount(raw, exp, dec)).toEqual({ ok: true, minor });
  });

  it.each([
    ['', 2, ','],
    ['12,345', 2, ','], // three decimals
    ['1.23,45', 2, ','], // bad grouping
    ['12,3,4', 2, ','],
    ['1,234.5', 2, ','], // wrong convention
    ['12.5', 0, '.'], // CLP has no decimals
    ['abc', 2, '.'],
    ['1e5', 2, '.'],
    ['99999999999999999999', 2, '.'],
  ] as const)('rejects %s', (raw, exp, dec) => {
    expect(parseAmount(raw, exp, dec).ok).toBe(false);
  });

  it('round-trips with formatMinor for any amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.constantFrom(0, 2, 3), (minor, exp) => {
        expect(parseAmount(formatMinor(minor, exp), exp, '.')).toEqual({ ok: true, minor });
        const comma = formatMinor(minor, exp).replace('.', ',');
        expect(parseAmount(comma, exp, ',')).toEqual({ ok: true, minor });
      }),
    );
  });
});

describe('currencies', () => {
  it('knows ISO 4217 codes and their minor units from ICU', () => {
    expect(isCurrency('EUR')).toBe(true);
    expect(isCurrency('XYZ')).toBe(false);
    expect(isCurrency('eur')).toBe(false);
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('CLP')).toBe(0);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('KWD')).toBe(3);
  });

  it('formats for the debtor locale', () => {
    expect(formatMoney(123456, 'EUR', 'es-ES').replace(/\s/g, ' ')).toBe('1234,56 €');
    expect(formatMoney(1234567, 'EUR', 'es-ES').replace(/\s/g, ' ')).toBe('12.345,67 €');
    expect(formatMoney(5000, 'CLP', 'es-CL')).toBe('$5.000');
  });
});
