import { readFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/db.ts';
import { createTestDatabase } from '../../../test/support/db.ts';
import { givenTenant } from '../../../test/support/fixtures.ts';
import { getImport, listImportErrors, runImport, writeErrorReportCsv } from './index.ts';
import { accountsByRef, debtorsByRef, deps, fixture, tableCounts } from './imports.test-support.ts';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

describe('the malformed file', () => {
  it('reports every problem by row, column, value and code, and imports only the good rows, whole', async () => {
    const { tenantId } = await givenTenant(db);
    const report = await runImport(deps(db), { tenantId, source: fixture('malformed.csv'), filename: 'malformed.csv' });
    expect(report).toMatchObject({ status: 'completed_with_errors', rowsTotal: 10, rowsImported: 2, rowsFailed: 8, errorCount: 9, errorsTruncated: false });
    expect(report.errors.map(({ row, column, value, code }) => ({ row, column, value, code }))).toEqual([
      { row: 3, column: null, value: 'BANCO-1,C-2,Luis,Gómez,ES,612345679,M-2,EUR,500,00', code: 'IMPORT.MALFORMED_ROW' },
      { row: 4, column: 'primera_cuota', value: '31/02/2024', code: 'IMPORT.INVALID_DATE' },
      { row: 5, column: 'capital', value: '-250,00', code: 'IMPORT.NEGATIVE_AMOUNT' },
      { row: 6, column: 'moneda', value: 'EUROS', code: 'IMPORT.UNKNOWN_CURRENCY' },
      { row: 7, column: 'referencia_cuenta', value: 'M-1', code: 'IMPORT.DUPLICATE_REFERENCE' },
      { row: 8, column: 'nombre', value: 'Bego\ufffda', code: 'IMPORT.ENCODING' },
      { row: 8, column: 'apellidos', value: 'N\ufffd\ufffdez', code: 'IMPORT.ENCODING' },
      { row: 9, column: 'móvil', value: '12345', code: 'IMPORT.INVALID_PHONE' },
      { row: 11, column: null, value: 'BANCO-1;C-10;Luz;Rey;ES;612345687;M-10;EUR;600', code: 'IMPORT.MALFORMED_ROW' },
    ]);
    const reasons = Object.fromEntries(report.errors.map((e) => [`${e.row}:${e.column}`, e.reason]));
    expect(reasons['3:null']).toBe('the row has 1 column where the header has 13 (check the delimiter, or a value with an unquoted delimiter or quote)');
    expect(reasons['4:primera_cuota']).toBe('primera_cuota "31/02/2024" is not a real date: February 2024 has 29 days');
    expect(reasons['5:capital']).toBe('capital must not be negative');
    expect(reasons['6:moneda']).toBe('moneda "EUROS" is not an ISO 4217 currency code (e.g. EUR, MXN, COP)');
    expect(reasons['7:referencia_cuenta']).toBe('referencia_cuenta "M-1" already appears in row 2; the later row is not imported');
    expect(reasons['8:nombre']).toMatch(/^nombre contains bytes that are not valid in the file's encoding \(read as UTF-8\)/);
    expect(reasons['9:móvil']).toBe('móvil "12345" is not a valid phone number for country ES');
    expect(reasons['11:null']).toBe('the last line is truncated: it has 9 of 13 columns and no line end');

    // Only rows 2 and 10 are in the database, each whole; no debtor of a failed row was left behind.
    expect(await tableCounts(db, tenantId)).toEqual({ debtors: 2, accounts: 2, contactPoints: 2, instalments: 17, transactions: 0 });
    expect(Object.keys(await debtorsByRef(db, tenantId)).sort()).toEqual(['C-1', 'C-9']);
    expect(Object.keys(await accountsByRef(db, tenantId)).sort()).toEqual(['M-1', 'M-9']);

    // The stored report: the import record, its errors page by page, and the CSV.
    expect(await getImport(db, tenantId, report.importId)).toMatchObject({ status: 'completed_with_errors', rowsTotal: 10, rowsImported: 2, rowsFailed: 8, summary: { errorCount: 9, encoding: 'utf-8', delimiter: ';' } });
    const page1 = await listImportErrors(db, tenantId, report.importId, { limit: 6 });
    expect(page1.data.map((e) => e.row)).toEqual([3, 4, 5, 6, 7]);
    expect(page1.nextAfterRow).toBe(7);
    const page2 = await listImportErrors(db, tenantId, report.importId, { afterRow: 7, limit: 6 });
    expect(page2).toMatchObject({ nextAfterRow: null });
    expect(page2.data.map((e) => `${e.row}:${e.column}`)).toEqual(['8:apellidos', '8:nombre', '9:móvil', '11:null']);
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await writeErrorReportCsv(report.errors, out);
    const csv = Buffer.concat(chunks).toString('utf8').split('\n');
    expect(csv[0]).toBe('row,column,value,code,reason');
    expect(csv[2]).toBe('4,primera_cuota,31/02/2024,IMPORT.INVALID_DATE,"primera_cuota ""31/02/2024"" is not a real date: February 2024 has 29 days"');
  });

  it('rejects a file missing a required column before reading any row', async () => {
    const { tenantId } = await givenTenant(db);
    const csv = 'creditor_ref,debtor_ref,account_ref,principal\nBANCO-1,D-1,A-1,10\n';
    const r = await runImport(deps(db), { tenantId, source: Readable.from([csv]), filename: 'x.csv' });
    expect(r).toMatchObject({ status: 'rejected', rowsTotal: 0, rowsImported: 0 });
    expect(r.errors).toEqual([{ row: 1, column: 'currency', value: null, code: 'IMPORT.MISSING_COLUMN', reason: 'required column currency is missing' }]);
    expect((await tableCounts(db, tenantId)).debtors).toBe(0);
  });

  it('explains a forced wrong delimiter: the header reads as one column', async () => {
    const { tenantId } = await givenTenant(db);
    const r = await runImport(deps(db), { tenantId, source: fixture('cuentas-es.csv'), filename: 'cuentas-es.csv', options: { delimiter: ',' } });
    expect(r.status).toBe('rejected');
    expect(r.errors.map((e) => e.code)).toEqual(['IMPORT.MISSING_COLUMN', 'IMPORT.MISSING_COLUMN', 'IMPORT.MISSING_COLUMN', 'IMPORT.MISSING_COLUMN', 'IMPORT.MISSING_COLUMN']);
    expect(r.errors[1]!.reason).toBe('required column debtor_ref is missing (the header is one single column: is the delimiter right?)');
  });

  it('rejects a Windows-1252 file forced to read as UTF-8 at its header, naming the encoding', async () => {
    const { tenantId } = await givenTenant(db);
    const r = await runImport(deps(db), { tenantId, source: fixture('cuentas-es-windows-1252.csv'), filename: 'c.csv', options: { encoding: 'utf-8' } });
    expect(r).toMatchObject({ status: 'rejected', rowsTotal: 0, rowsImported: 0 });
    expect(r.errors.map((e) => [e.row, e.code, e.column])).toEqual([
      [1, 'IMPORT.ENCODING', 'pa\ufffds'], [1, 'IMPORT.ENCODING', 'tel\ufffdfono'], [1, 'IMPORT.ENCODING', 'm\ufffdvil'],
      [1, 'IMPORT.ENCODING', 'direcci\ufffdn'], [1, 'IMPORT.ENCODING', 'c\ufffddigo_postal'],
    ]);
    expect(r.errors[0]!.reason).toBe('header "pa\ufffds" has bytes that are not valid UTF-8: save the file as UTF-8, or pass encoding=windows-1252 for a Latin-1 / Windows-1252 file');
    expect((await tableCounts(db, tenantId)).debtors).toBe(0);
  });

  it('reports UTF-8 rows in a file detected as Windows-1252', async () => {
    const { tenantId } = await givenTenant(db);
    const latin = readFileSync(fixture('cuentas-es-windows-1252.csv'));
    const utf8Row = Buffer.from('CAJA-SUR;Caja del Sur;CLI-0009;Begoña;Ruiz;;;ES;;;;;;;;PRE-0009;prestamo;EUR;1,00;1,00;;;;;;;;;\r\n', 'utf8');
    const r = await runImport(deps(db), { tenantId, source: Readable.from([Buffer.concat([latin, utf8Row])]), filename: 'c.csv' });
    expect(r).toMatchObject({ rowsImported: 3, rowsFailed: 1 });
    expect(r.errors).toEqual([
      { row: 5, column: 'nombre', value: 'BegoÃ±a', code: 'IMPORT.ENCODING', reason: 'nombre looks like UTF-8 text in a file read as Windows-1252 (e.g. "Ã±" for "ñ"); save the whole file in one encoding' },
    ]);
  });

  it('refuses a currency change of an existing account and leaves the row out whole', async () => {
    const { tenantId } = await givenTenant(db);
    await runImport(deps(db), { tenantId, source: fixture('accounts-en.csv'), filename: 'accounts-en.csv' });
    const csv = 'creditor_ref,debtor_ref,given_name,account_ref,currency,principal\nBANCO-1,D-001,Changed,ACC-001,USD,10\nBANCO-1,D-002,Carlos,ACC-003,MXN,10\n';
    const r = await runImport(deps(db), { tenantId, source: Readable.from([csv]), filename: 'c.csv' });
    expect(r.errors).toEqual([{ row: 2, column: 'currency', value: 'USD', code: 'IMPORT.CURRENCY_MISMATCH', reason: 'account ACC-001 exists in EUR; its currency cannot change to USD' }]);
    expect((await debtorsByRef(db, tenantId))['D-001']!.given_name).toBe('Lucía');
    expect((await accountsByRef(db, tenantId))['ACC-003']!.principal_minor).toBe(1000);
  });

  it('isolates a row the database refuses: the batch is redone row by row and the refused row leaves nothing', async () => {
    const { tenantId } = await givenTenant(db);
    await db.exec(`CREATE FUNCTION imp_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.external_ref = 'BOOM' THEN RAISE EXCEPTION 'account BOOM refused by a test trigger' USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER imp_test_refuse BEFORE INSERT OR UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION imp_test_refuse();`);
    try {
      const csv = 'creditor_ref,debtor_ref,given_name,account_ref,currency,principal,phone\nBANCO-1,B-1,Uno,OK-1,EUR,10,612000001\nBANCO-1,B-2,Dos,BOOM,EUR,10,612000002\nBANCO-1,B-3,Tres,OK-2,EUR,10,612000003\n';
      const r = await runImport(deps(db), { tenantId, source: Readable.from([csv]), filename: 'b.csv' });
      expect(r).toMatchObject({ status: 'completed_with_errors', rowsImported: 2, rowsFailed: 1, created: { debtors: 2, accounts: 2, contactPoints: 2 } });
      expect(r.errors).toEqual([{ row: 3, column: null, value: null, code: 'IMPORT.DATABASE_ERROR', reason: 'the database refused the row: account BOOM refused by a test trigger' }]);
      expect(Object.keys(await debtorsByRef(db, tenantId)).sort()).toEqual(['B-1', 'B-3']);
      expect(await tableCounts(db, tenantId)).toMatchObject({ debtors: 2, accounts: 2, contactPoints: 2 });
    } finally {
      await db.exec('DROP TRIGGER imp_test_refuse ON accounts; DROP FUNCTION imp_test_refuse();');
    }
  });

  it('rejects a file that cannot be opened or is not the format it claims, recording why', async () => {
    const { tenantId } = await givenTenant(db);
    const missing = await runImport(deps(db), { tenantId, source: fixture('no-such-file.csv'), filename: 'no-such-file.csv' });
    expect(missing).toMatchObject({ status: 'rejected', rowsTotal: 0 });
    expect(missing.errors[0]).toMatchObject({ row: 0, code: 'IMPORT.UNREADABLE_FILE', reason: expect.stringContaining('the file cannot be opened: ENOENT') });
    const notXlsx = await runImport(deps(db), { tenantId, source: fixture('accounts-en.csv'), filename: 'accounts.xlsx' });
    expect(notXlsx.status).toBe('rejected');
    expect(notXlsx.errors[0]).toMatchObject({ row: 0, code: 'IMPORT.UNREADABLE_FILE', reason: expect.stringContaining('cannot be read as an XLSX workbook') });
    expect((await getImport(db, tenantId, notXlsx.importId)).status).toBe('rejected');
    const empty = await runImport(deps(db), { tenantId, source: Readable.from(['\n\n']), filename: 'empty.csv' });
    expect(empty.errors).toEqual([{ row: 0, column: null, value: null, code: 'IMPORT.EMPTY_FILE', reason: 'the file has no header row' }]);
  });

  it('reports progress in rows and bytes of the whole file', async () => {
    const { tenantId } = await givenTenant(db);
    const seen: { rows: number; bytes: number; totalBytes?: number }[] = [];
    await runImport(deps(db), { tenantId, source: fixture('malformed.csv'), filename: 'malformed.csv' }, (p) => seen.push(p));
    const size = readFileSync(fixture('malformed.csv')).length;
    expect(seen.at(-1)).toEqual({ rows: 10, bytes: size, totalBytes: size });
  });

  it('reports an unknown creditor unless the file names it', async () => {
    const { tenantId } = await givenTenant(db);
    const csv = 'creditor_ref,debtor_ref,account_ref,currency,principal\nNOPE,D-1,A-1,EUR,10\n';
    const r = await runImport(deps(db), { tenantId, source: Readable.from([csv]), filename: 'c.csv' });
    expect(r.errors).toEqual([{ row: 2, column: 'creditor_ref', value: 'NOPE', code: 'IMPORT.UNKNOWN_CREDITOR', reason: 'creditor_ref "NOPE" is not a creditor of this tenant; add a creditor_name column to create it' }]);
  });

  it('caps the errors in the report and counts all of them', async () => {
    const { tenantId } = await givenTenant(db);
    const lines = ['creditor_ref,debtor_ref,account_ref,currency,principal'];
    for (let i = 0; i < 1_200; i++) lines.push(`BANCO-1,D-${i},A-${i},EUR,-${i + 1}`);
    const r = await runImport(deps(db), { tenantId, source: Readable.from([lines.join('\n')]), filename: 'neg.csv' });
    expect(r).toMatchObject({ rowsFailed: 1_200, errorCount: 1_200, errorsTruncated: true });
    expect(r.errors).toHaveLength(1_000);
    expect(r.errors[999]!.row).toBe(1_001);
    expect((await listImportErrors(db, tenantId, r.importId, { afterRow: 1_100, limit: 500 })).data).toHaveLength(101);
  });
});
