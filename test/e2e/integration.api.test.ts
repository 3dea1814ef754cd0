import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { startTestApp } from '../support/app.ts';
import { givenTenant } from '../support/fixtures.ts';

let t: Awaited<ReturnType<typeof startTestApp>>;
let auth: { authorization: string };
let other: { authorization: string };

beforeAll(async () => {
  t = await startTestApp('2026-03-15T10:00:00Z');
  auth = { authorization: `Bearer ${(await givenTenant(t.db, { creditorRef: 'BANCO-1' })).apiKey}` };
  other = { authorization: `Bearer ${(await givenTenant(t.db, { creditorRef: 'BANCO-1' })).apiKey}` };
});
afterAll(() => t.close());

const spanishCsv = [
  'referencia_acreedor;referencia_deudor;nombre;apellidos;dni;pais;movil;correo;referencia_cuenta;producto;moneda;principal_original;capital;intereses;comisiones;primera_cuota;num_cuotas;importe_cuota;periodicidad',
  'BANCO-1;D-100;José;Muñoz Peña;12345678Z;ES;612345678;jose@example.com;A-100;préstamo;EUR;3.000,00;2.500,00;120,50;30,00;05/01/2026;12;250,00;mensual',
  'BANCO-1;D-101;Begoña;Ibáñez;87654321X;ES;699111222;bego@example.com;A-101;tarjeta;EUR;1.200,00;-5,00;0,00;0,00;05/02/2026;6;200,00;mensual',
  'BANCO-1;D-102;Íñigo;Sáenz;11223344B;ES;611223344;inigo@example.com;A-102;tarjeta;XXX;800,00;800,00;0,00;0,00;31/02/2026;4;200,00;mensual',
].join('\r\n');

describe('imports over HTTP', () => {
  it('imports a Windows-1252 Spanish CSV, reports bad rows by row and column, and writes nothing of them', async () => {
    const r = await t.app.inject({
      method: 'POST', url: '/api/v1/imports?filename=cartera.csv', headers: { ...auth, 'content-type': 'text/csv' }, payload: iconv.encode(spanishCsv, 'win1252'),
    });
    expect(r.statusCode).toBe(200);
    const report = r.json();
    expect(report).toMatchObject({ status: 'completed_with_errors', rowsTotal: 3, rowsImported: 1, rowsFailed: 2 });
    const byRow = (row: number) => report.errors.filter((e: { row: number }) => e.row === row).map((e: { column: string; code: string }) => `${e.column}:${e.code}`);
    expect(byRow(3)).toEqual(expect.arrayContaining([expect.stringMatching(/^capital:IMPORT\.NEGATIVE_AMOUNT$|^principal:IMPORT\.NEGATIVE_AMOUNT$/)]));
    expect(byRow(4).some((x: string) => x.endsWith('IMPORT.UNKNOWN_CURRENCY'))).toBe(true);
    expect(byRow(4).some((x: string) => x.endsWith('IMPORT.INVALID_DATE'))).toBe(true);
    const accounts = (await t.app.inject({ method: 'GET', url: '/api/v1/accounts', headers: auth })).json().data;
    expect(accounts.map((a: { externalRef: string }) => a.externalRef)).toEqual(['A-100']);
    expect(accounts[0]).toMatchObject({ daysPastDue: 69, balance: { principalMinor: 250000, interestMinor: 12050, feesMinor: 3000 } });
    expect(accounts[0].debtor.name).toBe('José Muñoz Peña');
    const debtors = (await t.app.inject({ method: 'GET', url: '/api/v1/debtors', headers: auth })).json().data;
    expect(debtors).toHaveLength(1);
    const errors = (await t.app.inject({ method: 'GET', url: `/api/v1/imports/${report.importId}/errors`, headers: auth })).json();
    expect(errors.data.length).toBe(report.errorCount);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/imports/${report.importId}`, headers: other })).statusCode).toBe(404);
  });

  it('asks for a format it can read', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/imports', headers: { ...auth, 'content-type': 'application/octet-stream' }, payload: 'a,b' });
    expect(r.json().error.code).toBe('IMPORT.UNKNOWN_FORMAT');
  });
});

describe('exports, events and webhooks over HTTP', () => {
  it('streams accounts as CSV with the Spanish convention', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/exports/accounts?delimiter=;&decimalSeparator=,', headers: auth });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/csv');
    const [header, row] = r.body.trim().split('\n');
    expect(header!.split(';').slice(0, 3)).toEqual(['creditor_ref', 'debtor_ref', 'account_ref']);
    expect(row).toContain('2500,00');
    const unknown = await t.app.inject({ method: 'GET', url: '/api/v1/exports/accounts?creditorRef=NOPE', headers: auth });
    expect(unknown.statusCode).toBeGreaterThanOrEqual(400);
    expect(unknown.statusCode).toBeLessThan(500);
  });

  it('registers a webhook endpoint (secret shown once) and feeds events in order', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: auth, payload: { url: 'https://crm.example.com/hooks/tacto', eventTypes: ['payment.recorded'] } });
    expect(created.statusCode).toBe(201);
    expect(created.json().secret).toMatch(/^whsec_/);
    const list = (await t.app.inject({ method: 'GET', url: '/api/v1/webhooks', headers: auth })).json();
    expect(list.data).toHaveLength(1);
    expect(list.data[0].secret).toBeUndefined();
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/webhooks', headers: other })).json().data).toHaveLength(0);
    const feed = (await t.app.inject({ method: 'GET', url: '/api/v1/events?limit=100', headers: auth })).json();
    expect(feed.data.map((e: { type: string }) => e.type)).toContain('import.completed');
    const seqs = feed.data.map((e: { seq: number }) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  });
});

describe('contact policy over HTTP', () => {
  const doc = JSON.parse(readFileSync(new URL('../fixtures/policy/reg-f-example.json', import.meta.url), 'utf8'));

  it('answers the Reg F example with the reason, citation and next allowed time', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/policy/evaluate', headers: auth, payload: doc });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      allowed: false,
      nextAllowedAt: '2020-04-10T12:00:00Z',
      reasons: [{ code: 'FREQUENCY.CALL_AFTER_CONVERSATION', citation: '12 CFR 1006.14(b)(2)(i)(B)' }],
    });
  });

  it('records decisions for audit only when asked', async () => {
    await t.app.inject({ method: 'POST', url: '/api/v1/policy/evaluate', headers: auth, payload: doc });
    const recorded = await t.app.inject({ method: 'POST', url: '/api/v1/policy/evaluate?record=true&debtorId=dbt_x', headers: auth, payload: doc });
    expect(recorded.json().decisionId).toMatch(/^pdc_/);
    const trail = (await t.app.inject({ method: 'GET', url: '/api/v1/policy/decisions?debtorId=dbt_x', headers: auth })).json();
    expect(trail.data).toHaveLength(1);
    expect(trail.data[0]).toMatchObject({ allowed: false, packVersion: 'us-reg-f@1.0.0', accountId: 'A', channel: 'call' });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/policy/decisions', headers: other })).json().data).toHaveLength(0);
  });

  it('names each invalid field', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/policy/evaluate', headers: auth, payload: { ...doc, proposed: { ...doc.proposed, channel: 'pigeon', at: 'tomorrow' } } });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.details.map((d: { field: string }) => d.field).sort()).toEqual(['body.proposed.at', 'body.proposed.channel']);
  });

  it('lists allowed windows', async () => {
    const { proposed: _p, ...rest } = doc;
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/policy/windows', headers: auth, payload: { ...rest, channel: 'email', from: '2020-04-08T00:00:00Z', days: 2, debtId: 'A' } });
    expect(r.statusCode).toBe(200);
    expect(r.json().data.length).toBeGreaterThan(0);
  });
});
