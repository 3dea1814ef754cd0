import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { currencyExponent, parseAmount } from '../../lib/money.ts';
import { COLUMNS, columnNames, escapeFormula, money, toCsvRecord, toJsonObject, type EventExportRow } from './exports.domain.ts';
import { ExportEntity } from './exports.types.ts';

describe('money columns', () => {
  it.each([
    [123456, 'EUR', '.', '1234.56'],
    [123456, 'EUR', ',', '1234,56'],
    [-5, 'EUR', '.', '-0.05'],
    [150000, 'CLP', '.', '150000'],
    [1234, 'KWD', '.', '1.234'],
    [0, 'MXN', ',', '0,00'],
  ] as const)('%i %s with "%s" -> %s', (minor, currency, sep, text) => {
    expect(money(minor, currency, { decimalSeparator: sep })).toBe(text);
  });

  it('reads back to the same minor units (the import parser is the inverse)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), fc.constantFrom('EUR', 'CLP', 'KWD', 'COP', 'BRL'), fc.constantFrom('.', ',') , (minor, cur, sep) => {
        expect(parseAmount(money(minor, cur, { decimalSeparator: sep }), currencyExponent(cur), sep)).toEqual({ ok: true, minor });
      }),
    );
  });
});

describe('records', () => {
  const row: EventExportRow = {
    seq: 7, id: 'evt_1', type: 'payment.recorded', subject_type: 'account', subject_id: 'acc_1',
    payload: { amountMinor: 5 }, occurred_at: new Date('2026-03-15T10:00:00Z'), relayed_at: null,
  };
  it('writes objects as JSON text in CSV and keeps them in NDJSON', () => {
    const m = { decimalSeparator: '.' } as const;
    expect(toCsvRecord(COLUMNS.events, row, m)).toEqual([7, 'evt_1', 'payment.recorded', 'account', 'acc_1', '2026-03-15T10:00:00.000Z', null, '{"amountMinor":5}']);
    expect(toJsonObject(COLUMNS.events, row, m)).toEqual({
      seq: 7, event_id: 'evt_1', type: 'payment.recorded', subject_type: 'account', subject_id: 'acc_1',
      occurred_at: '2026-03-15T10:00:00.000Z', relayed_at: null, payload: { amountMinor: 5 },
    });
  });

  it.each([
    ['=SUM(A1)', "'=SUM(A1)"],
    ['@cmd', "'@cmd"],
    ['+34600111222', '+34600111222'], // a number to a spreadsheet, not a formula
    ['+1+cmd', "'+1+cmd"],
    ['-12.50', '-12.50'],
    ['-3', '-3'],
    ['García', 'García'],
    [42, 42],
    [null, null],
  ] as const)('formula guard: %s -> %s', (cell, out) => {
    expect(escapeFormula(cell)).toBe(out);
  });

  it('has unique column names per entity', () => {
    for (const e of ExportEntity.options) expect(new Set(columnNames(e)).size).toBe(columnNames(e).length);
  });
});

describe('docs/export.md stays true', () => {
  const doc = readFileSync(new URL('../../../docs/export.md', import.meta.url), 'utf8');
  it.each(ExportEntity.options)('documents every %s column, in order', (entity) => {
    const section = doc.split(`### ${entity}\n`)[1]!.split('\n### ')[0]!;
    const documented = [...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented).toEqual(columnNames(entity));
  });
});
