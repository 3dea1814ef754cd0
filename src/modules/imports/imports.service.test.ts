import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/db.ts';
import { createTestDatabase } from '../../../test/support/db.ts';
import { givenTenant } from '../../../test/support/fixtures.ts';
import { getImport, runImport } from './index.ts';
import { accountsByRef, AS_OF, debtorsByRef, deps, fixture, tableCounts } from './imports.test-support.ts';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

const events = async (tenantId: string, type: string) =>
  (await db.query<{ payload: Record<string, unknown> }>('SELECT payload FROM events WHERE tenant_id = $1 AND type = $2 ORDER BY seq', [tenantId, type])).rows;

describe('accounts CSV (comma, decimal point)', () => {
  it('imports debtors, contact points, accounts and schedules, with delinquency as of the clock date', async () => {
    const { tenantId } = await givenTenant(db);
    const progress: number[] = [];
    const report = await runImport(deps(db), { tenantId, source: fixture('accounts-en.csv'), filename: 'accounts-en.csv' }, (p) => progress.push(p.rows));
    expect(report.errors).toEqual([]);
    expect(report).toMatchObject({ status: 'completed', rowsTotal: 4, rowsImported: 4, rowsFailed: 0, created: { debtors: 3, accounts: 4, contactPoints: 8 }, updated: { debtors: 0, accounts: 0 } });
    expect(progress.at(-1)).toBe(4);
    expect(await tableCounts(db, tenantId)).toMatchObject({ debtors: 3, accounts: 4, contactPoints: 8, instalments: 24 + 12 + 6 });

    const a = await accountsByRef(db, tenantId);
    // 24 monthly instalments of 275.00 from 2023-02-10, 12 paid: the 13th (2024-02-10) is 126 days late.
    expect(a['ACC-001']).toMatchObject({ debtor_ref: 'D-001', currency: 'EUR', original_principal_minor: 600000, principal_minor: 450000, interest_minor: 12050, fees_minor: 3500, status: 'active', days_past_due: 126, bucket: '121-180', dpd_as_of: AS_OF, oldest_unpaid_due_date: '2024-02-10', instalments: 24, paid: 330000 });
    expect(a['ACC-002']).toMatchObject({ debtor_ref: 'D-001', instalments: 0, days_past_due: 0, bucket: 'current' });
    // Fortnightly from 2024-02-01, two paid: the third, 2024-02-29, is oldest unpaid.
    expect(a['ACC-003']).toMatchObject({ currency: 'MXN', principal_minor: 950000, days_past_due: 107, oldest_unpaid_due_date: '2024-02-29', paid: 220000 });
    expect(a['ACC-004']).toMatchObject({ currency: 'COP', days_past_due: 75, bucket: '61-90' });

    const d = await debtorsByRef(db, tenantId);
    expect(d['D-001']).toMatchObject({ given_name: 'Lucía', family_name: 'Fernández García', national_id: '12345678Z', birth_date: '1985-04-12', language: 'es', timezone: 'Europe/Madrid' });
    expect(d['D-001']!.contacts).toEqual(['address:Calle Mayor 5, 3º B, 28013 Madrid, ES:unknown', 'email:lucia.fernandez@example.com:unknown', 'phone:+34612345678:unknown']);
    expect(d['D-002']).toMatchObject({ country: 'MX', timezone: 'America/Mexico_City', language: 'es' });
    expect(d['D-002']!.contacts).toContain('whatsapp:+525512345678:unknown');
    expect(d['D-003']).toMatchObject({ country: 'CO', timezone: 'America/Bogota', given_name: null });

    expect(await getImport(db, tenantId, report.importId)).toMatchObject({ status: 'completed', rowsTotal: 4, rowsImported: 4, rowsFailed: 0, dryRun: false });
    const done = await events(tenantId, 'import.completed');
    expect(done).toHaveLength(1);
    expect(done[0]!.payload).toMatchObject({ importId: report.importId, status: 'completed', rowsImported: 4, created: { accounts: 4 } });
  });

  it('is idempotent: a second run creates nothing, updates every record and duplicates no row', async () => {
    const { tenantId } = await givenTenant(db);
    await runImport(deps(db), { tenantId, source: fixture('accounts-en.csv'), filename: 'accounts-en.csv' });
    const before = await tableCounts(db, tenantId);
    const accountsBefore = await accountsByRef(db, tenantId);
    const again = await runImport(deps(db), { tenantId, source: fixture('accounts-en.csv'), filename: 'accounts-en.csv' });
    expect(again).toMatchObject({ status: 'completed', rowsImported: 4, created: { debtors: 0, accounts: 0, contactPoints: 0 }, updated: { debtors: 3, accounts: 4 } });
    expect(await tableCounts(db, tenantId)).toEqual(before);
    expect(await accountsByRef(db, tenantId)).toEqual(accountsBefore);
  });

  it('keeps what an empty cell does not say, and replaces the schedule when the file gives one', async () => {
    const { tenantId } = await givenTenant(db);
    await runImport(deps(db), { tenantId, source: fixture('accounts-en.csv'), filename: 'accounts-en.csv' });
    const update = [
      'creditor_ref,debtor_ref,account_ref,currency,principal,language,first_due_date,instalment_count,instalment_amount,amount_paid',
      'BANCO-1,D-001,ACC-001,EUR,4000.00,en,2024-05-01,4,1000.00,1000.00',
      'BANCO-1,D-002,ACC-003,MXN,9000.00,,,,,',
    ].join('\n');
    const r = await runImport(deps(db), { tenantId, source: Readable.from([update]), filename: 'update.csv' });
    expect(r).toMatchObject({ status: 'completed', created: { debtors: 0, accounts: 0 }, updated: { debtors: 2, accounts: 2 } });
    const a = await accountsByRef(db, tenantId);
    expect(a['ACC-001']).toMatchObject({ principal_minor: 400000, interest_minor: 12050, fees_minor: 3500, original_principal_minor: 600000, instalments: 4, paid: 100000, oldest_unpaid_due_date: '2024-06-01', days_past_due: 14 });
    // No schedule columns on the row: the stored schedule stays and delinquency is recomputed from it.
    expect(a['ACC-003']).toMatchObject({ principal_minor: 900000, instalments: 12, days_past_due: 107 });
    const d = await debtorsByRef(db, tenantId);
    expect(d['D-001']).toMatchObject({ language: 'en', given_name: 'Lucía', national_id: '12345678Z', timezone: 'Europe/Madrid' });
  });
});

describe('Spanish conventions', () => {
  const expectSpanish = async (tenantId: string): Promise<void> => {
    const d = await debtorsByRef(db, tenantId);
    expect(d['CLI-0001']).toMatchObject({ given_name: 'José Ángel', family_name: 'Muñoz Peña', birth_date: '1980-03-15', country: 'ES', region: 'Sevilla', language: 'es' });
    expect(d['CLI-0002']).toMatchObject({ family_name: 'Núñez Ibáñez', birth_date: '1975-02-28' });
    expect(d['CLI-0003']).toMatchObject({ given_name: 'Iñaki', family_name: 'Etxeberría' });
    expect(d['CLI-0001']!.contacts).toEqual(expect.arrayContaining(['phone:+34954123456:unknown', 'phone:+34612345678:unknown', 'email:jose.munoz@ejemplo.es:unknown']));
    const a = await accountsByRef(db, tenantId);
    expect(a['PRE-0001']).toMatchObject({ original_principal_minor: 1000000, principal_minor: 725050, interest_minor: 31240, fees_minor: 4500, instalments: 36, paid: 465375, days_past_due: 14, bucket: '1-30' });
    expect(a['TAR-0002']).toMatchObject({ principal_minor: 210000, days_past_due: 183, bucket: '180+' });
    expect(a['REC-0003']).toMatchObject({ principal_minor: 18000, interest_minor: 0, instalments: 1, days_past_due: 45, bucket: '31-60' });
  };

  it('reads a Windows-1252 file with ";" and decimal commas, detecting all three, and creates the named creditor', async () => {
    const { tenantId } = await givenTenant(db);
    const bytes = iconv.encode(readFileSync(fixture('cuentas-es.csv'), 'utf8'), 'windows-1252');
    expect(bytes.includes(Buffer.from('ñ', 'utf8'))).toBe(false);
    const report = await runImport(deps(db), { tenantId, source: Readable.from([bytes]), filename: 'cuentas.csv' });
    expect(report.errors).toEqual([]);
    expect(report).toMatchObject({ status: 'completed', rowsImported: 3, created: { creditors: 1, debtors: 3, accounts: 3 } });
    const rec = await getImport(db, tenantId, report.importId);
    expect(rec.summary).toMatchObject({ encoding: 'windows-1252', delimiter: ';' });
    await expectSpanish(tenantId);
    const creditor = await db.query<{ name: string }>('SELECT name FROM creditors WHERE tenant_id = $1 AND external_ref = $2', [tenantId, 'CAJA-SUR']);
    expect(creditor.rows[0]?.name).toBe('Caja del Sur');
  });

  it('reads the committed Windows-1252 fixture with CRLF line ends from a path', async () => {
    const { tenantId } = await givenTenant(db);
    const report = await runImport(deps(db), { tenantId, source: fixture('cuentas-es-windows-1252.csv'), filename: 'cuentas-es-windows-1252.csv' });
    expect(report.errors).toEqual([]);
    await expectSpanish(tenantId);
  });

  it('reads the same file in UTF-8 with a BOM', async () => {
    const { tenantId } = await givenTenant(db);
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(fixture('cuentas-es.csv'))]);
    const report = await runImport(deps(db), { tenantId, source: Readable.from([bytes]), filename: 'cuentas.csv' });
    expect(report.errors).toEqual([]);
    await expectSpanish(tenantId);
  });
});

describe('XLSX', () => {
  it('reads the named sheet with typed cells (dates, numbers) and reports rows by their sheet number', async () => {
    const { tenantId } = await givenTenant(db);
    const dir = mkdtempSync(join(tmpdir(), 'tacto-xlsx-'));
    try {
      const path = join(dir, 'cartera.xlsx');
      const wb = new ExcelJS.Workbook();
      wb.addWorksheet('Notas').addRow(['Cartera de junio']);
      const ws = wb.addWorksheet('Cartera');
      ws.addRow(['Referencia acreedor', 'Ref cliente', 'Nombre', 'Apellidos', 'Móvil', 'Referencia cuenta', 'Moneda', 'Capital', 'Intereses', 'Primera cuota', 'Nº cuotas', 'Importe cuota', 'Pagado']);
      ws.addRow(['BANCO-1', 'X-1', 'Álvaro', 'Peña', '612 34 56 78', 'XL-1', 'EUR', 1234.56, 10.5, new Date(Date.UTC(2024, 0, 15)), 6, 200, 400]);
      ws.addRow(['BANCO-1', 12345, 'Nuria', 'Sol', '+34699000111', 'XL-2', 'EUR', 99.99, 0, new Date(Date.UTC(2024, 4, 20)), 1, 99.99, 0]);
      ws.addRow(['BANCO-1', 'X-3', 'Marta', 'Gil', '612345678', 'XL-3', 'EUR', -5, 0, new Date(Date.UTC(2024, 4, 20)), 1, 5, 0]);
      ws.getColumn(10).numFmt = 'dd/mm/yyyy';
      await wb.xlsx.writeFile(path);
      const report = await runImport(deps(db), { tenantId, source: path, filename: 'cartera.xlsx', options: { sheet: 'cartera' } });
      expect(report).toMatchObject({ status: 'completed_with_errors', rowsTotal: 3, rowsImported: 2, rowsFailed: 1 });
      expect(report.errors).toEqual([{ row: 4, column: 'Capital', value: '-5', code: 'IMPORT.NEGATIVE_AMOUNT', reason: 'Capital must not be negative' }]);
      const a = await accountsByRef(db, tenantId);
      // 2024-01-15 monthly, 2 of 6 paid: 2024-03-15 is the oldest unpaid on 2024-06-15 (92 days).
      expect(a['XL-1']).toMatchObject({ principal_minor: 123456, interest_minor: 1050, instalments: 6, paid: 40000, days_past_due: 92, bucket: '91-120' });
      expect(a['XL-2']).toMatchObject({ debtor_ref: '12345', principal_minor: 9999, days_past_due: 26 });
      const d = await debtorsByRef(db, tenantId);
      expect(d['X-1']!.contacts).toEqual(['phone:+34612345678:unknown']);
      expect((await getImport(db, tenantId, report.importId)).summary).toMatchObject({ sheet: 'Cartera' });

      const missing = await runImport(deps(db), { tenantId, source: path, filename: 'cartera.xlsx', options: { sheet: 'Deudas' } });
      expect(missing.status).toBe('rejected');
      expect(missing.errors[0]).toMatchObject({ row: 0, code: 'IMPORT.UNREADABLE_FILE', reason: 'the workbook has no sheet "Deudas"; it has: Notas, Cartera' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('NDJSON', () => {
  it('imports nested contact points and explicit schedules, counting rows by line', async () => {
    const { tenantId } = await givenTenant(db);
    const report = await runImport(deps(db), { tenantId, source: fixture('accounts.ndjson'), filename: 'accounts.ndjson' });
    expect(report.errors).toEqual([]);
    expect(report).toMatchObject({ status: 'completed', rowsTotal: 2, created: { debtors: 2, accounts: 2, contactPoints: 4 } });
    const a = await accountsByRef(db, tenantId);
    expect(a['NDJ-1']).toMatchObject({ currency: 'BRL', principal_minor: 150050, interest_minor: 3000, instalments: 3, scheduled: 150050, paid: 70000, oldest_unpaid_due_date: '2024-04-10', days_past_due: 66, bucket: '61-90' });
    expect(a['NDJ-2']).toMatchObject({ fees_minor: 15000, instalments: 2, oldest_unpaid_due_date: '2024-06-01', days_past_due: 14 });
    const d = await debtorsByRef(db, tenantId);
    expect(d['D-100']).toMatchObject({ language: 'pt', country: 'BR', timezone: 'America/Sao_Paulo' });
    expect(d['D-100']!.contacts).toEqual(['email:bia@example.com.br:unknown', 'phone:+5511987654321:granted', 'whatsapp:+5511987654321:denied']);
    expect(d['D-101']).toMatchObject({ kind: 'company', company_name: 'Construcciones Ruiz SL', given_name: null });

    const bad = '{"creditorRef":"BANCO-1","debtorRef":"D-102","accountRef":"NDJ-3","currency":"EUR","principal":10,"schedule":[{"due_date":"2024-13-01","amount":10}]}\n{"creditorRef":"BANCO-1",';
    const r2 = await runImport(deps(db), { tenantId, source: Readable.from([bad]), filename: 'bad.ndjson' });
    expect(r2.errors).toEqual([
      { row: 1, column: 'schedule[0]', value: '{"due_date":"2024-13-01","amount":10}', code: 'IMPORT.INVALID_DATE', reason: 'schedule[0].due_date "2024-13-01" is not a real date: there is no month 13' },
      { row: 2, column: null, value: '{"creditorRef":"BANCO-1",', code: 'IMPORT.MALFORMED_ROW', reason: expect.stringContaining('the last line is truncated') },
    ]);
  });
});

describe('modes', () => {
  it('dry run validates against the database and writes nothing but the import record', async () => {
    const { tenantId } = await givenTenant(db);
    await runImport(deps(db), { tenantId, source: fixture('accounts-en.csv'), filename: 'accounts-en.csv' });
    const before = await tableCounts(db, tenantId);
    const eventsBefore = (await events(tenantId, 'import.completed')).length;
    const mixed = [
      'creditor_ref,debtor_ref,given_name,account_ref,currency,principal',
      'BANCO-1,D-001,Lucía,ACC-001,EUR,4400.00',
      'BANCO-1,D-900,Nuevo,ACC-900,EUR,100.00',
      'BANCO-1,D-900,Nuevo,ACC-901,EUR,100.00',
      'BANCO-1,D-901,Otro,ACC-902,EUR,-1',
    ].join('\n');
    const r = await runImport(deps(db), { tenantId, source: Readable.from([mixed]), filename: 'dry.csv', options: { dryRun: 'true' } });
    expect(r).toMatchObject({ status: 'completed_with_errors', dryRun: true, rowsTotal: 4, rowsImported: 3, rowsFailed: 1, created: { debtors: 1, accounts: 2 }, updated: { debtors: 1, accounts: 1 } });
    expect(await tableCounts(db, tenantId)).toEqual(before);
    expect((await accountsByRef(db, tenantId))['ACC-001']!.principal_minor).toBe(450000);
    expect(await getImport(db, tenantId, r.importId)).toMatchObject({ dryRun: true, status: 'completed_with_errors', rowsFailed: 1 });
    expect((await events(tenantId, 'import.completed')).length).toBe(eventsBefore);
  });

  it('all-or-nothing imports nothing when a row fails, and everything when none does', async () => {
    const { tenantId } = await givenTenant(db);
    const r = await runImport(deps(db), { tenantId, source: fixture('malformed.csv'), filename: 'malformed.csv', options: { allOrNothing: true } });
    expect(r).toMatchObject({ status: 'rejected', rowsTotal: 10, rowsImported: 0, rowsFailed: 8, created: { debtors: 0, accounts: 0 } });
    expect(r.errorCount).toBeGreaterThanOrEqual(8);
    expect(await tableCounts(db, tenantId)).toEqual({ debtors: 0, accounts: 0, contactPoints: 0, instalments: 0, transactions: 0 });
    expect((await getImport(db, tenantId, r.importId)).status).toBe('rejected');

    const ok = await runImport(deps(db), { tenantId, source: fixture('accounts-en.csv'), filename: 'accounts-en.csv', options: { allOrNothing: true } });
    expect(ok).toMatchObject({ status: 'completed', rowsImported: 4, created: { debtors: 3, accounts: 4 } });
    expect((await tableCounts(db, tenantId)).accounts).toBe(4);
  });

  it('applies the creditorRef option to a file without a creditor column, and asOf to delinquency', async () => {
    const { tenantId } = await givenTenant(db, { creditorRef: 'FIN-9' });
    const csv = 'debtor_ref|account_ref|currency|principal|first_due_date|instalment_count|instalment_amount\nZ-1|Z-ACC|EUR|100|2024-01-01|1|100\n';
    const r = await runImport(deps(db), { tenantId, source: Readable.from([csv]), filename: 'z.csv', options: { creditorRef: 'FIN-9', asOf: '2024-01-11' } });
    expect(r.errors).toEqual([]);
    expect((await accountsByRef(db, tenantId))['Z-ACC']).toMatchObject({ days_past_due: 10, dpd_as_of: '2024-01-11', bucket: '1-30' });
  });

  it('refuses invalid options with a stable code', async () => {
    const { tenantId } = await givenTenant(db);
    await expect(runImport(deps(db), { tenantId, source: fixture('accounts-en.csv'), filename: 'a.csv', options: { delimiter: 'x', asOf: '2024-02-30' } })).rejects.toMatchObject({
      code: 'IMPORT.INVALID_OPTIONS',
    });
  });
});
