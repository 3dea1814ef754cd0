import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketFor, buildSchedule, daysPastDue, oldestUnpaidDueDate, payInstalments, statusAfter } from '../ledger/index.ts';
import { countryTimezones, defaultLanguage, defaultTimezone, normaliseEmail, normalisePhone } from '../portfolio/index.ts';
import { validateAccountRow, validateTransactionRow, type AccountRowContext, type ImportRules } from './imports.domain.ts';
import { cellCountProblem, mapHeader } from './imports.header.domain.ts';
import { normaliseHeader, parseCountry, parseDate, parseInstant, parseMoney } from './imports.values.domain.ts';
import { detectEncoding } from './imports.readers.ts';
import iconv from 'iconv-lite';

const rules: ImportRules = {
  normalisePhone, normaliseEmail, isCountry: (c) => countryTimezones(c).length > 0, defaultLanguage, defaultTimezone,
  buildSchedule, payInstalments, daysPastDue, oldestUnpaidDueDate, bucketFor: (d) => bucketFor(d), statusAfter,
};
const ctx = (over: Partial<AccountRowContext> = {}): AccountRowContext => ({
  decimal: '.', dateFormat: undefined, checkMojibake: false, label: (k) => k, creditorRefOption: null, defaultCountry: () => 'ES', asOf: '2024-06-15', rules, ...over,
});

describe('normaliseHeader', () => {
  it.each([
    ['Teléfono Móvil', 'telefono_movil'],
    ['accountRef', 'account_ref'],
    ['Nº cuotas', 'n_cuotas'],
    ['\uFEFFreferencia-cuenta', 'referencia_cuenta'],
    ['  PAÍS ', 'pais'],
  ])('%j -> %j', (h, n) => expect(normaliseHeader(h)).toBe(n));
});

describe('mapHeader', () => {
  it('maps Spanish and English aliases, lists unknown columns and refuses missing or doubled ones', () => {
    const m = mapHeader(['Referencia Acreedor', 'DNI', 'móvil', 'Observaciones', 'referencia_cuenta', 'divisa', 'capital', 'ref_cliente'], 'accounts', { creditorRefGiven: false });
    expect(m.errors).toEqual([]);
    expect(m.keys).toEqual(['creditor_ref', 'national_id', 'mobile', null, 'account_ref', 'currency', 'principal', 'debtor_ref']);
    expect(m.ignored).toEqual(['Observaciones']);
    expect(m.labels.get('mobile')).toBe('móvil');
    const bad = mapHeader(['telefono', 'phone', 'account_ref'], 'accounts', { creditorRefGiven: true });
    expect(bad.errors.map((e) => [e.code, e.column])).toEqual([
      ['IMPORT.DUPLICATE_COLUMN', 'phone'], ['IMPORT.MISSING_COLUMN', 'debtor_ref'], ['IMPORT.MISSING_COLUMN', 'currency'], ['IMPORT.MISSING_COLUMN', 'principal'],
    ]);
  });

  it('tolerates trailing empty cells but not missing ones', () => {
    expect(cellCountProblem(['a', 'b', '', ''], 2, false)).toBeNull();
    expect(cellCountProblem(['a', 'b', 'c'], 2, false)).toMatch(/has 3 columns where the header has 2/);
    expect(cellCountProblem(['a'], 2, true)).toBe('the last line is truncated: it has 1 of 2 columns and no line end');
  });
});

describe('parseDate', () => {
  it.each([
    ['15/03/2024', undefined, '2024-03-15'],
    ['5-3-2024', undefined, '2024-03-05'],
    ['2024-03-15', 'dmy', '2024-03-15'],
    ['2024-03-15T10:00:00Z', undefined, '2024-03-15'],
    ['03/15/2024', 'mdy', '2024-03-15'],
    ['2024/03/15', 'ymd', '2024-03-15'],
    ['29/02/2024', undefined, '2024-02-29'],
    ['', undefined, null],
  ] as const)('%j (%s) -> %j', (raw, fmt, out) => {
    expect(parseDate(raw, fmt)).toEqual({ ok: true, value: out });
  });

  it.each([
    ['31/02/2024', undefined, '"31/02/2024" is not a real date: February 2024 has 29 days'],
    ['29/02/2023', undefined, '"29/02/2023" is not a real date: February 2023 has 28 days'],
    ['15/13/2024', undefined, '"15/13/2024" is not a real date: there is no month 13'],
    ['15/03/24', undefined, '"15/03/24" needs a four-digit year (expected dd/mm/yyyy, dd-mm-yyyy or yyyy-mm-dd)'],
    ['03/15/2024', 'dmy', '"03/15/2024" is not a real date: there is no month 15'],
    ['2024/03/15', 'mdy', '"2024/03/15" starts with the year (expected mm/dd/yyyy or yyyy-mm-dd)'],
    ['mañana', undefined, '"mañana" is not a date (expected dd/mm/yyyy, dd-mm-yyyy or yyyy-mm-dd)'],
    ['01/01/1850', undefined, '"01/01/1850" has year 1850, outside 1900–2199'],
  ] as const)('%j (%s) is refused: %s', (raw, fmt, reason) => {
    expect(parseDate(raw, fmt)).toEqual({ ok: false, code: 'IMPORT.INVALID_DATE', reason });
  });

  it('reads spreadsheet cells: Date objects and serial numbers', () => {
    expect(parseDate(new Date(Date.UTC(2024, 0, 31)), undefined)).toEqual({ ok: true, value: '2024-01-31' });
    expect(parseDate(45322, undefined)).toEqual({ ok: true, value: '2024-01-31' });
  });

  it('round-trips every real date written as dd/mm/yyyy, dd-mm-yyyy, ISO and mm/dd/yyyy (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2199-12-31T00:00:00Z'), noInvalidDate: true }), (d) => {
        const iso = d.toISOString().slice(0, 10);
        const [y, m, day] = iso.split('-');
        expect(parseDate(`${day}/${m}/${y}`, undefined)).toEqual({ ok: true, value: iso });
        expect(parseDate(`${day}-${m}-${y}`, 'dmy')).toEqual({ ok: true, value: iso });
        expect(parseDate(iso, 'ymd')).toEqual({ ok: true, value: iso });
        expect(parseDate(`${m}/${day}/${y}`, 'mdy')).toEqual({ ok: true, value: iso });
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseInstant', () => {
  it.each([
    ['2024-06-01T10:00:00Z', '2024-06-01T10:00:00.000Z'],
    ['2024-06-01T10:00:00+02:00', '2024-06-01T08:00:00.000Z'],
    ['01/06/2024 09:30', '2024-06-01T09:30:00.000Z'],
    ['2024-06-01', '2024-06-01T00:00:00.000Z'],
  ])('%j -> %s', (raw, iso) => {
    const r = parseInstant(raw, undefined);
    expect(r.ok && r.value?.toISOString()).toBe(iso);
  });
  it('refuses an impossible time', () => expect(parseInstant('2024-06-01 25:00', undefined)).toMatchObject({ ok: false, code: 'IMPORT.INVALID_DATE' }));
});

describe('parseMoney', () => {
  it.each([
    ['1.234,56', 'EUR', ',', 123456],
    ['1234,5', 'EUR', ',', 123450],
    ['1,234.56', 'USD', '.', 123456],
    ['1.234 €', 'EUR', ',', 123400],
    ['12.345', 'CLP', ',', 12345],
    [0.30000000000000004, 'EUR', ',', 30],
    [1500.5, 'BRL', '.', 150050],
    ['12.488.564,00', 'COP', ',', 12488564],
    ['1,234.500', 'USD', '.', 123450],
  ] as const)('%j %s (%s) -> %d', (raw, cur, dec, minor) => {
    expect(parseMoney(raw, cur, dec)).toEqual({ ok: true, value: minor });
  });
  it.each([
    ['-5,00', ',', 'IMPORT.NEGATIVE_AMOUNT'],
    ['1,234', ',', 'IMPORT.INVALID_AMOUNT'],
    ['12,5.3', ',', 'IMPORT.INVALID_AMOUNT'],
    ['diez', ',', 'IMPORT.INVALID_AMOUNT'],
    ['1,255', ',', 'IMPORT.INVALID_AMOUNT'],
  ] as const)('%j (%s) -> %s', (raw, dec, code) => {
    expect(parseMoney(raw, 'EUR', dec)).toMatchObject({ ok: false, code });
  });

  it('round-trips any amount written the Spanish way (property)', () => {
    const es = new Intl.NumberFormat('es-ES', { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: 'always' });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e13 }), (minor) => {
        expect(parseMoney(es.format(minor / 100), 'EUR', ',')).toEqual({ ok: true, value: minor });
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseCountry', () => {
  it('reads codes, alpha-3 codes and common names', () => {
    const isCountry = (c: string) => countryTimezones(c).length > 0;
    expect(parseCountry('es', isCountry)).toEqual({ ok: true, value: 'ES' });
    expect(parseCountry('España', isCountry)).toEqual({ ok: true, value: 'ES' });
    expect(parseCountry('COL', isCountry)).toEqual({ ok: true, value: 'CO' });
    expect(parseCountry('ZZ', isCountry)).toMatchObject({ ok: false, code: 'IMPORT.INVALID_VALUE' });
  });
});

describe('detectEncoding', () => {
  it('tells UTF-8 from Windows-1252, by majority when a file mixes them', () => {
    expect(detectEncoding(Buffer.from('Muñoz;Peña\n', 'utf8'))).toBe('utf-8');
    expect(detectEncoding(iconv.encode('Muñoz;Peña\n', 'windows-1252'))).toBe('windows-1252');
    const mixed = Buffer.concat([Buffer.from('Muñoz;Peña;Ibáñez\n', 'utf8'), iconv.encode('Begoña\n', 'windows-1252')]);
    expect(detectEncoding(mixed)).toBe('utf-8');
  });
});

describe('validateAccountRow', () => {
  it('normalises a row: E.164 phones, lower-case e-mail domain, defaults by country, schedule with delinquency', () => {
    const r = validateAccountRow(2, {
      creditor_ref: 'B', debtor_ref: 'D1', given_name: ' Ana ', country: 'MX', mobile: '55 1234 5678', email: 'Ana@Example.MX',
      account_ref: 'A1', currency: 'mxn', principal: '1,000.00', first_due_date: '2024-05-01', instalment_count: '3', instalment_amount: '400', amount_paid: '500',
    }, ctx());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.debtor).toMatchObject({ givenName: 'Ana', country: 'MX', language: null, languageDefault: 'es', timezone: null, timezoneDefault: 'America/Mexico_City' });
    expect(r.value.contacts).toEqual([
      { kind: 'phone', value: '+525512345678', address: null, label: 'mobile', isPrimary: true, consent: null },
      { kind: 'email', value: 'Ana@example.mx', address: null, label: null, isPrimary: true, consent: null },
    ]);
    expect(r.value.account).toMatchObject({ currency: 'MXN', principal: 100000, statusOnInsert: 'active', daysPastDue: 14, bucket: '1-30', oldestUnpaidDueDate: '2024-06-01' });
    expect(r.value.account.schedule!.map((i) => i.paid)).toEqual([40000, 10000, 0]);
  });

  it('reports every problem of a row at once, naming each column', () => {
    const r = validateAccountRow(7, {
      creditor_ref: 'B', debtor_ref: '', phone: '123', email: 'nope', timezone: 'Mars/Base', birth_date: '2030-01-01',
      account_ref: 'A1', currency: 'EUR', principal: '10', interest: '-1', first_due_date: '2024-01-01', amount_paid: '5', language: 'klingon',
    }, ctx({ label: (k) => (k === 'phone' ? 'teléfono' : k) }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [7, 'debtor_ref', 'IMPORT.MISSING_VALUE'],
      [7, 'timezone', 'IMPORT.INVALID_VALUE'],
      [7, 'birth_date', 'IMPORT.INVALID_DATE'],
      [7, 'language', 'IMPORT.INVALID_VALUE'],
      [7, 'teléfono', 'IMPORT.INVALID_PHONE'],
      [7, 'email', 'IMPORT.INVALID_EMAIL'],
      [7, 'interest', 'IMPORT.NEGATIVE_AMOUNT'],
      [7, 'instalment_count', 'IMPORT.MISSING_VALUE'],
      [7, 'instalment_amount', 'IMPORT.MISSING_VALUE'],
    ]);
    expect(r.errors[4]!.reason).toBe('teléfono "123" is not a valid phone number for country ES');
  });

  it('refuses amount_paid beyond what the schedule owes, and a balance of zero makes the account paid', () => {
    const over = validateAccountRow(2, { creditor_ref: 'B', debtor_ref: 'D', account_ref: 'A', currency: 'EUR', principal: '0', first_due_date: '2024-01-01', instalment_count: '2', instalment_amount: '10', amount_paid: '25' }, ctx());
    expect(over.ok ? [] : over.errors.map((e) => e.code)).toEqual(['IMPORT.INVALID_VALUE']);
    const paid = validateAccountRow(2, { creditor_ref: 'B', debtor_ref: 'D', account_ref: 'A', currency: 'EUR', principal: '0', status: 'activa' }, ctx());
    expect(paid.ok && paid.value.account.statusOnInsert).toBe('paid');
  });
});

describe('validateTransactionRow', () => {
  it('requires a component for charges and the original for reversals', () => {
    const o = { decimal: '.' as const, dateFormat: undefined, checkMojibake: false, label: (k: string) => k, creditorRefOption: 'B' };
    const charge = validateTransactionRow(2, { account_ref: 'A', external_id: 'X', kind: 'cargo', amount: '5' }, o);
    expect(charge.ok ? [] : charge.errors.map((e) => [e.column, e.code])).toEqual([['component', 'IMPORT.MISSING_VALUE']]);
    const rev = validateTransactionRow(3, { account_ref: 'A', external_id: 'Y', kind: 'reversal' }, o);
    expect(rev.ok ? [] : rev.errors.map((e) => [e.column, e.code])).toEqual([['reverses_external_id', 'IMPORT.MISSING_VALUE']]);
    expect(validateTransactionRow(4, { account_ref: 'A', external_id: 'Z', kind: 'pago', amount: '5' }, o)).toMatchObject({ ok: true, value: { kind: 'payment', creditorRef: 'B' } });
  });
});
