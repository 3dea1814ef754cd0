import { PassThrough, Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import type { Database, Sql } from '../../db/db.ts';
import { fixedClock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { currencyExponent, parseAmount } from '../../lib/money.ts';
import { createTestDatabase } from '../../../test/support/db.ts';
import { givenTenant } from '../../../test/support/fixtures.ts';
import { createPortfolioService } from '../portfolio/index.ts';
import { createLedgerService } from '../ledger/index.ts';
import { createTenantsService } from '../tenants/index.ts';
import { ACCOUNT_COLUMNS as IMPORT_ACCOUNT_COLUMNS, TRANSACTION_COLUMNS as IMPORT_TRANSACTION_COLUMNS, runImport } from '../imports/index.ts';
import { columnNames, exportData, type ExportRequest } from './index.ts';

let db: Database;
let tenant: Awaited<ReturnType<typeof givenTenant>>;
let other: Awaited<ReturnType<typeof givenTenant>>;
const ids: Record<string, string> = {};

/** Runs an export into memory and returns the text. */
const run = async (req: Omit<ExportRequest, 'tenantId'> & { tenantId?: string }, deps: { db?: Sql; batchSize?: number; onProgress?: (n: number) => void } = {}) => {
  const sink = new PassThrough();
  const parts: Buffer[] = [];
  sink.on('data', (c: Buffer) => parts.push(c));
  const result = await exportData({ db: deps.db ?? db, ...deps }, { tenantId: tenant.tenantId, ...req }, sink);
  return { ...result, text: Buffer.concat(parts).toString('utf8') };
};
const csvRows = (text: string, delimiter = ',') => parse(text, { columns: true, delimiter, bom: true }) as Record<string, string>[];
const ndjson = (text: string) => text.trimEnd().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  db = await createTestDatabase();
  const clock = fixedClock('2026-03-15T10:00:00Z');
  tenant = await givenTenant(db, { creditorRef: 'BANCO-1' });
  other = await givenTenant(db, { creditorRef: 'BANCO-1' });
  await createTenantsService({ db, clock, newId }).upsertCreditor(tenant.tenantId, { externalRef: 'BANCO-2', name: 'Banco Dos', country: 'CL' });
  const portfolio = createPortfolioService({ db, clock, newId });
  const ledger = createLedgerService({ db, clock, newId });
  const person = { kind: 'person' as const, country: 'ES', givenName: 'Lucía', familyName: 'García, "Luli"' };
  const d1 = await portfolio.createDebtor(tenant.tenantId, {
    ...person, creditorRef: 'BANCO-1', externalRef: 'D-1', contactPoints: [
      { kind: 'phone', value: '+34600111222' }, { kind: 'email', value: 'lucia@example.es' }, { kind: 'phone', value: '+34600999888' },
    ],
  });
  const d2 = await portfolio.createDebtor(tenant.tenantId, { kind: 'company', country: 'CL', companyName: '=HYPERLINK("x")', creditorRef: 'BANCO-2', externalRef: 'D-2', contactPoints: [] });
  const a1 = await portfolio.createAccount(tenant.tenantId, {
    creditorRef: 'BANCO-1', debtorId: d1.id, externalRef: 'A-1', product: 'personal_loan', currency: 'EUR', originalPrincipalMinor: 200000,
    principalMinor: 123456, interestMinor: 1000, feesMinor: 500, openedAt: '2025-01-10', attributes: { branch: 'Madrid' },
    schedule: [{ dueDate: '2026-01-01', amountMinor: 50000, paidMinor: 0 }, { dueDate: '2026-06-01', amountMinor: 74956, paidMinor: 0 }],
  });
  const a2 = await portfolio.createAccount(tenant.tenantId, {
    creditorRef: 'BANCO-2', debtorId: d2.id, externalRef: 'A-2', product: 'card', currency: 'CLP', originalPrincipalMinor: 150000, principalMinor: 150000, interestMinor: 0, feesMinor: 0,
  });
  const a3 = await portfolio.createAccount(tenant.tenantId, {
    creditorRef: 'BANCO-2', debtorId: d2.id, externalRef: 'A-3', product: 'loan', currency: 'KWD', originalPrincipalMinor: 1234, principalMinor: 1234, interestMinor: 0, feesMinor: 0,
  });
  await ledger.record(tenant.tenantId, a1.id, { kind: 'payment', amountMinor: 2000, externalId: 'bank-1', method: 'transfer' });
  await portfolio.optOut(tenant.tenantId, d1.id, d1.contactPoints.find((c) => c.value === '+34600111222')!.id, 'debtor request');
  Object.assign(ids, { d1: d1.id, d2: d2.id, a1: a1.id, a2: a2.id, a3: a3.id });
  // The other tenant has data too; none of it may appear in this tenant's exports.
  const od = await portfolio.createDebtor(other.tenantId, { ...person, creditorRef: 'BANCO-1', externalRef: 'D-1', contactPoints: [] });
  await portfolio.createAccount(other.tenantId, { creditorRef: 'BANCO-1', debtorId: od.id, externalRef: 'A-1', product: 'x', currency: 'EUR', originalPrincipalMinor: 1, principalMinor: 1, interestMinor: 0, feesMinor: 0 });
});
afterAll(async () => db.close());

describe('accounts export', () => {
  it('writes the documented CSV columns, money in the currency exponent plus minor units', async () => {
    const out = await run({ entity: 'accounts', format: 'csv' });
    expect(out.text.split('\n')[0]).toBe(columnNames('accounts').join(','));
    const rows = csvRows(out.text);
    expect(out.rows).toBe(3);
    expect(rows.map((r) => r.account_ref)).toEqual(['A-1', 'A-2', 'A-3']);
    const [a1, a2, a3] = rows as [Record<string, string>, Record<string, string>, Record<string, string>];
    // The 20.00 payment took fees (5.00), interest (10.00), then 5.00 of principal.
    expect(a1).toMatchObject({
      creditor_ref: 'BANCO-1', debtor_ref: 'D-1', product: 'personal_loan', currency: 'EUR', original_principal: '2000.00', principal: '1229.56',
      interest: '0.00', fees: '0.00', balance: '1229.56', principal_minor: '122956', balance_minor: '122956', status: 'active',
      days_past_due: '73', bucket: '61-90', opened_at: '2025-01-10', tacto_account_id: ids.a1, attributes: '{"branch":"Madrid"}',
    });
    expect(a2).toMatchObject({ currency: 'CLP', principal: '150000', principal_minor: '150000', creditor_ref: 'BANCO-2' });
    expect(a3).toMatchObject({ currency: 'KWD', principal: '1.234', principal_minor: '1234' });
  });

  it('round-trips money with the import notation for the shared columns', async () => {
    const rows = csvRows((await run({ entity: 'accounts' })).text);
    for (const r of rows) {
      for (const c of ['principal', 'interest', 'fees'] as const) {
        expect(parseAmount(r[c]!, currencyExponent(r.currency!), '.')).toEqual({ ok: true, minor: Number(r[`${c}_minor`]) });
      }
    }
  });

  it('writes NDJSON with the same names, integers for minor units and objects kept', async () => {
    const out = await run({ entity: 'accounts', format: 'ndjson' });
    const objs = ndjson(out.text);
    expect(objs).toHaveLength(3);
    expect(Object.keys(objs[0]!)).toEqual(columnNames('accounts'));
    expect(objs[0]).toMatchObject({ principal: '1229.56', principal_minor: 122956, days_past_due: 73, attributes: { branch: 'Madrid' }, charged_off_at: null });
  });

  it('filters by creditor, bucket, status and change time', async () => {
    const refs = async (filters: NonNullable<ExportRequest['filters']>) => csvRows((await run({ entity: 'accounts', filters })).text).map((r) => r.account_ref);
    expect(await refs({ creditorRef: 'BANCO-2' })).toEqual(['A-2', 'A-3']);
    expect(await refs({ bucket: '61-90' })).toEqual(['A-1']);
    expect(await refs({ status: 'paid' })).toEqual([]);
    expect(await refs({ updatedSince: '2999-01-01' })).toEqual([]);
    expect(await refs({ updatedSince: '2000-01-01T00:00:00Z', creditorRef: 'BANCO-1' })).toEqual(['A-1']);
  });

  it('writes Spanish spreadsheet CSV on request: ; delimiter, decimal comma, BOM, formulas defused', async () => {
    const out = await run({ entity: 'accounts', csv: { delimiter: ';', decimalSeparator: ',', bom: true } });
    expect(out.text.charCodeAt(0)).toBe(0xfeff);
    expect(csvRows(out.text, ';')[0]).toMatchObject({ principal: '1229,56', principal_minor: '122956' });
    const plain = csvRows((await run({ entity: 'debtors' })).text).find((r) => r.debtor_ref === 'D-2')!;
    expect(plain.company_name).toBe('=HYPERLINK("x")');
    const safe = csvRows((await run({ entity: 'debtors', csv: { escapeFormulas: true } })).text).find((r) => r.debtor_ref === 'D-2')!;
    expect(safe.company_name).toBe(`'=HYPERLINK("x")`);
  });

  it('refuses unknown creditors, unsupported filters and bad input with field details', async () => {
    await expect(run({ entity: 'accounts', filters: { creditorRef: 'NOPE' } })).rejects.toMatchObject({ code: 'CREDITOR.UNKNOWN' });
    await expect(run({ entity: 'events', filters: { bucket: '1-30' } })).rejects.toMatchObject({
      code: 'EXPORT.FILTER_NOT_SUPPORTED', details: [{ field: 'filters.bucket' }],
    });
    // @ts-expect-error not an entity
    await expect(run({ entity: 'payments' })).rejects.toMatchObject({ code: 'EXPORT.INVALID_REQUEST', details: [{ field: 'entity' }] });
    await expect(run({ entity: 'accounts', filters: { updatedSince: 'yesterday' } })).rejects.toMatchObject({ details: [{ field: 'filters.updatedSince' }] });
  });
});

describe('round trip with the import format', () => {
  it.each([
    ['accounts', IMPORT_ACCOUNT_COLUMNS],
    ['transactions', IMPORT_TRANSACTION_COLUMNS],
  ] as const)('%s: every column shared with the import has its canonical name, none is another column\'s alias', (entity, importColumns) => {
    const exported = new Set(columnNames(entity));
    for (const c of importColumns) for (const alias of c.aliases) expect(exported.has(alias), `${alias} is an alias of ${c.key}`).toBe(false);
    const shared = importColumns.filter((c) => exported.has(c.key)).map((c) => c.key);
    expect(shared.length).toBeGreaterThanOrEqual(entity === 'accounts' ? 12 : 11);
  });

  it('re-imports an accounts export into the same tenant without errors or changes', async () => {
    const before = (await run({ entity: 'accounts', format: 'ndjson' })).text;
    const csv = (await run({ entity: 'accounts' })).text;
    const report = await runImport({ db, clock: fixedClock('2026-03-15T10:00:00Z'), newId }, { tenantId: tenant.tenantId, source: Readable.from([csv]), filename: 'accounts.csv' });
    expect(report).toMatchObject({ rowsTotal: 3, rowsFailed: 0, created: { accounts: 0, debtors: 0, creditors: 0 }, errors: [] });
    const strip = (t: string) => ndjson(t).map(({ updated_at: _u, version: _v, dpd_as_of: _d, ...rest }) => rest);
    expect(strip((await run({ entity: 'accounts', format: 'ndjson' })).text)).toEqual(strip(before));
  });

  it('re-imports a transactions export as replays (idempotent by external_id)', async () => {
    const csv = (await run({ entity: 'transactions' })).text;
    const report = await runImport({ db, clock: fixedClock('2026-03-15T10:00:00Z'), newId }, { tenantId: tenant.tenantId, source: Readable.from([csv]), filename: 'tx.csv', kind: 'transactions' });
    expect(report).toMatchObject({ rowsTotal: 1, rowsFailed: 0, created: { transactions: 0 }, errors: [] });
    expect(report.replayed).toBeGreaterThanOrEqual(1);
  });
});

describe('debtors, transactions and events exports', () => {
  it('exports debtors with their primary contact points and opt-outs, quoting awkward text', async () => {
    const out = await run({ entity: 'debtors' });
    expect(out.text).toContain('"García, ""Luli"""');
    const rows = csvRows(out.text);
    expect(rows.map((r) => r.debtor_ref)).toEqual(['D-1', 'D-2']);
    expect(rows[0]).toMatchObject({ given_name: 'Lucía', family_name: 'García, "Luli"', phone: '+34600111222', email: 'lucia@example.es', language: 'es', timezone: 'Europe/Madrid' });
    expect(rows[0]!.phone_opted_out_at).toMatch(/^2026-03-15T10:00:00/);
    expect(rows[1]).toMatchObject({ kind: 'company', phone: '', email: '' });
    expect(csvRows((await run({ entity: 'debtors', filters: { bucket: '61-90' } })).text).map((r) => r.debtor_ref)).toEqual(['D-1']);
  });

  it('exports transactions with amounts and allocation', async () => {
    const [t] = ndjson((await run({ entity: 'transactions', format: 'ndjson' })).text);
    expect(t).toMatchObject({
      account_ref: 'A-1', kind: 'payment', amount: '20.00', amount_minor: 2000, currency: 'EUR', external_id: 'bank-1', method: 'transfer',
      allocated_fees: '5.00', allocated_fees_minor: 500, allocated_interest: '10.00', allocated_principal: '5.00', allocated_credit: null,
    });
  });

  it('exports the event feed in seq order, only this tenant', async () => {
    // (Later rows come from the round-trip imports above: import.completed and what they changed.)
    const events = ndjson((await run({ entity: 'events', format: 'ndjson' })).text);
    expect(events.slice(0, 8).map((e) => e.type)).toEqual([
      'debtor.created', 'debtor.created', 'account.created', 'account.created', 'account.created',
      'payment.recorded', 'account.balance_changed', 'contact_point.opted_out',
    ]);
    const seqs = events.map((e) => e.seq as number);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    expect(events[2]!.payload).toMatchObject({ accountId: ids.a1 });
    const csv = csvRows((await run({ entity: 'events' })).text);
    expect(JSON.parse(csv[0]!.payload!)).toMatchObject({ debtorId: ids.d1 });
  });

  it("never includes another tenant's rows", async () => {
    for (const entity of ['accounts', 'debtors', 'transactions', 'events'] as const) {
      const mine = await run({ entity, format: 'ndjson' });
      const theirs = await run({ entity, format: 'ndjson', tenantId: other.tenantId });
      const idsOf = (t: string) => new Set(ndjson(t).map((o) => String(o.tacto_account_id ?? o.tacto_debtor_id ?? o.tacto_transaction_id ?? o.event_id)));
      const overlap = [...idsOf(mine.text)].filter((x) => idsOf(theirs.text).has(x));
      expect(overlap).toEqual([]);
    }
  });
});

describe('streaming', () => {
  it('reads in keyset pages of batchSize, never the whole table, and respects backpressure', async () => {
    const t = await givenTenant(db);
    const debtorId = newId('dbt');
    await db.query(`INSERT INTO debtors (tenant_id, id, creditor_id, external_ref, country, timezone) VALUES ($1, $2, $3, 'BULK', 'ES', 'Europe/Madrid')`, [t.tenantId, debtorId, t.creditorId]);
    await db.query(
      `INSERT INTO accounts (tenant_id, id, creditor_id, debtor_id, external_ref, product, currency, original_principal_minor, principal_minor)
       SELECT $1, 'acc_' || lpad(g::text, 8, '0'), $2, $3, 'R-' || g, 'loan', 'EUR', g, g FROM generate_series(1, 2345) g`,
      [t.tenantId, t.creditorId, debtorId],
    );
    const limits: unknown[] = [];
    const counting: Sql = {
      query: async (text, params) => {
        if (/SELECT a.id AS account_id/.test(text)) limits.push(params?.[2]);
        return db.query(text, params);
      },
      copyIn: (s, d) => db.copyIn(s, d),
    };
    // A slow consumer: each write takes a tick, with a tiny buffer, so the exporter must wait on it.
    let bytes = 0;
    let lines = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        lines += chunk.toString().split('\n').length - 1;
        setImmediate(done);
      },
    });
    const progress: number[] = [];
    const result = await exportData({ db: counting, batchSize: 500, onProgress: (n) => progress.push(n) }, { tenantId: t.tenantId, entity: 'accounts' }, slow);
    expect(result.rows).toBe(2345);
    expect(lines).toBe(2346);
    expect(bytes).toBeGreaterThan(0);
    expect(limits).toEqual([500, 500, 500, 500, 500]);
    expect(progress).toEqual([500, 1000, 1500, 2000, 2345]);
    expect(slow.writableFinished).toBe(true);
  });

  it('leaves the stream open with end: false (stdout)', async () => {
    const sink = new PassThrough();
    sink.resume();
    await exportData({ db }, { tenantId: tenant.tenantId, entity: 'events', format: 'ndjson' }, sink, { end: false });
    expect(sink.writableEnded).toBe(false);
    sink.end();
  });
});
