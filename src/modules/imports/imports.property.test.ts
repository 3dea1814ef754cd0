import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/db.ts';
import { currencyExponent } from '../../lib/money.ts';
import { createTestDatabase } from '../../../test/support/db.ts';
import { givenTenant } from '../../../test/support/fixtures.ts';
import { runImport } from './index.ts';
import { accountsByRef, debtorsByRef, deps } from './imports.test-support.ts';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

// Characters Spanish files hold, plus the ones CSV must quote; all exist in Windows-1252.
const nameChar = fc.constantFrom('a', 'e', 'ñ', 'á', 'é', 'í', 'ó', 'ú', 'ü', 'Ñ', 'Á', ' ', ',', ';', '"', "'", '-', 'º', 'ç');
const name = fc.string({ unit: nameChar, minLength: 1, maxLength: 12 }).map((s) => `N${s}x`);
const row = fc.record({
  givenName: name,
  familyName: name,
  birthDate: fc.date({ min: new Date('1930-01-01T00:00:00Z'), max: new Date('2005-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  currency: fc.constantFrom('EUR', 'MXN', 'COP', 'CLP', 'USD'),
  principal: fc.integer({ min: 0, max: 5_000_000_00 }),
  count: fc.integer({ min: 1, max: 36 }),
  phone: fc.constantFrom('612345678', '+34 699 11 22 33', '954123456'),
});

describe('any valid row', () => {
  it('imports and reads back equal, whatever the delimiter, decimal separator and encoding (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 15 }), fc.constantFrom('es-1252', 'es-utf8', 'en-utf8'), async (rows, style) => {
        const { tenantId } = await givenTenant(db);
        const spanish = style.startsWith('es');
        const fmt = (minor: number, currency: string): string => {
          const e = currencyExponent(currency);
          return new Intl.NumberFormat(spanish ? 'es-ES' : 'en-US', { minimumFractionDigits: e, maximumFractionDigits: e, useGrouping: 'always' }).format(minor / 10 ** e);
        };
        const date = (iso: string): string => (spanish ? iso.split('-').reverse().join('/') : iso);
        const header = spanish
          ? ['referencia_acreedor', 'ref_cliente', 'nombre', 'apellidos', 'fecha_nacimiento', 'teléfono', 'referencia_cuenta', 'moneda', 'capital', 'primera_cuota', 'num_cuotas', 'importe_cuota']
          : ['creditor_ref', 'debtor_ref', 'given_name', 'family_name', 'birth_date', 'phone', 'account_ref', 'currency', 'principal', 'first_due_date', 'instalment_count', 'instalment_amount'];
        const table = rows.map((r, i) => ['BANCO-1', `D-${i}`, r.givenName, r.familyName, date(r.birthDate), r.phone, `A-${i}`, r.currency, fmt(r.principal, r.currency), date('2024-01-31'), String(r.count), fmt(1000, r.currency)]);
        const text = stringify([header, ...table], { delimiter: spanish ? ';' : ',' });
        const bytes = style === 'es-1252' ? iconv.encode(text, 'windows-1252') : Buffer.from(text, 'utf8');
        const report = await runImport(deps(db), { tenantId, source: Readable.from([bytes]), filename: 'p.csv' });
        expect(report.errors).toEqual([]);
        expect(report.rowsImported).toBe(rows.length);
        const debtors = await debtorsByRef(db, tenantId);
        const accounts = await accountsByRef(db, tenantId);
        rows.forEach((r, i) => {
          expect(debtors[`D-${i}`]).toMatchObject({ given_name: r.givenName.trim(), family_name: r.familyName.trim(), birth_date: r.birthDate });
          expect(accounts[`A-${i}`]).toMatchObject({ currency: r.currency, principal_minor: r.principal, instalments: r.count });
        });
      }),
      { numRuns: 12 },
    );
  });
});
