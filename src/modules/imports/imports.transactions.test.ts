import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/db.ts';
import { createTestDatabase } from '../../../test/support/db.ts';
import { givenTenant } from '../../../test/support/fixtures.ts';
import { runImport } from './index.ts';
import { accountsByRef, deps, fixture, tableCounts } from './imports.test-support.ts';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

const portfolio = async (): Promise<string> => {
  const { tenantId } = await givenTenant(db);
  const r = await runImport(deps(db), { tenantId, source: fixture('accounts-en.csv'), filename: 'accounts-en.csv' });
  expect(r.status).toBe('completed');
  return tenantId;
};

const transactions = async (tenantId: string) =>
  (
    await db.query<{ external_id: string; kind: string; amount_minor: number; component: string | null; allocation: Record<string, number>; reverses: string | null; method: string | null; occurred_at: Date }>(
      `SELECT t.external_id, t.kind, t.amount_minor, t.component, t.allocation, o.external_id AS reverses, t.method, t.occurred_at
       FROM transactions t LEFT JOIN transactions o ON o.tenant_id = t.tenant_id AND o.id = t.reverses_id WHERE t.tenant_id = $1 ORDER BY t.id`,
      [tenantId],
    )
  ).rows;

describe('transactions files', () => {
  it('applies payments, charges and reversals through the ledger, recomputing balance, schedule and delinquency', async () => {
    const tenantId = await portfolio();
    const r = await runImport(deps(db), { tenantId, source: fixture('transactions.csv'), filename: 'transactions.csv', kind: 'transactions' });
    expect(r.errors).toEqual([]);
    expect(r).toMatchObject({ status: 'completed', kind: 'transactions', rowsTotal: 5, rowsImported: 5, created: { transactions: 5 }, replayed: 0 });
    const t = await transactions(tenantId);
    expect(t.map((x) => [x.external_id, x.kind, x.amount_minor, x.reverses])).toEqual([
      ['PAY-1', 'payment', 10000, null], ['CHG-1', 'charge', 2500, null], ['PAY-2', 'payment', 5000, null], ['REV-1', 'reversal', 5000, 'PAY-2'], ['PAY-3', 'payment', 110000, null],
    ]);
    // Allocation order fees, interest, principal (the creditor's default).
    expect(t[0]!.allocation).toEqual({ fees: 3500, interest: 6500 });
    expect(t[2]!.allocation).toEqual({ fees: 2500, interest: 2500 });
    expect(t[3]!.allocation).toEqual({ fees: -2500, interest: -2500 });
    expect(t[0]!.occurred_at.toISOString()).toBe('2024-06-01T10:00:00.000Z');
    expect(t[2]!.occurred_at.toISOString()).toBe('2024-06-03T09:30:00.000Z');
    const a = await accountsByRef(db, tenantId);
    expect(a['ACC-001']).toMatchObject({ principal_minor: 450000, interest_minor: 5550, fees_minor: 2500, paid: 340000, days_past_due: 126 });
    // 1,100.00 MXN clears fees and interest, then principal; it pays the 2024-02-29 instalment, so
    // the oldest unpaid is now 2024-03-14.
    expect(a['ACC-003']).toMatchObject({ principal_minor: 935000, interest_minor: 0, fees_minor: 0, paid: 330000, oldest_unpaid_due_date: '2024-03-14', days_past_due: 93, bucket: '91-120' });
    const ev = await db.query<{ type: string; n: number }>('SELECT type, count(*)::int AS n FROM events WHERE tenant_id = $1 GROUP BY type ORDER BY type', [tenantId]);
    expect(Object.fromEntries(ev.rows.map((e) => [e.type, e.n]))).toEqual({
      'account.balance_changed': 2, 'import.completed': 2, 'payment.recorded': 3, 'transaction.recorded': 1, 'transaction.reversed': 1,
    });
  });

  it('is idempotent by external id: the same file again records nothing and changes no balance', async () => {
    const tenantId = await portfolio();
    await runImport(deps(db), { tenantId, source: fixture('transactions.csv'), filename: 'transactions.csv', kind: 'transactions' });
    const before = await accountsByRef(db, tenantId);
    const again = await runImport(deps(db), { tenantId, source: fixture('transactions.csv'), filename: 'transactions.csv', kind: 'transactions' });
    expect(again).toMatchObject({ status: 'completed', rowsImported: 5, created: { transactions: 0 }, replayed: 5 });
    expect((await tableCounts(db, tenantId)).transactions).toBe(5);
    expect(await accountsByRef(db, tenantId)).toEqual(before);
  });

  it('reports rows the ledger cannot apply, each with its reason, and applies the rest', async () => {
    const tenantId = await portfolio();
    await runImport(deps(db), { tenantId, source: fixture('transactions.csv'), filename: 'transactions.csv', kind: 'transactions' });
    const csv = [
      'referencia_cuenta;id_movimiento;tipo;importe;moneda;componente;anula_a',
      'ACC-001;N-1;pago;10,00;;;',
      'ACC-404;N-2;pago;10,00;;;',
      'ACC-003;PAY-1;pago;10,00;;;',
      'ACC-001;N-3;ajuste;-999,00;;intereses;',
      'ACC-001;N-4;anulacion;;;;NOPE',
      'ACC-001;N-5;anulacion;;;;PAY-2',
      'ACC-001;N-6;pago;5,00;USD;;',
      'ACC-001;N-1;pago;10,00;;;',
      'ACC-001;N-7;cargo;-3,00;;gastos;',
      'ACC-001;N-8;ajuste;-5,50;;intereses;',
    ].join('\n');
    const r = await runImport(deps(db), { tenantId, source: Readable.from([csv]), filename: 'movimientos.csv', kind: 'transactions', options: { creditorRef: 'BANCO-1' } });
    expect(r).toMatchObject({ status: 'completed_with_errors', rowsTotal: 10, rowsImported: 2, rowsFailed: 8, created: { transactions: 2 } });
    expect(r.errors.map((e) => [e.row, e.column, e.code, e.reason])).toEqual([
      [3, 'referencia_cuenta', 'IMPORT.UNKNOWN_ACCOUNT', 'referencia_cuenta "ACC-404" is not an account of this creditor'],
      [4, 'id_movimiento', 'IMPORT.EXTERNAL_ID_REUSED', 'id_movimiento "PAY-1" was already used for a payment on another account or of another kind'],
      [5, 'importe', 'IMPORT.LEDGER_REJECTED', 'importe refused by the ledger: the adjustment would leave interest at -94350; it holds 5550'],
      [6, 'anula_a', 'IMPORT.UNKNOWN_TRANSACTION', 'anula_a "NOPE" is not a recorded transaction'],
      [7, 'anula_a', 'IMPORT.LEDGER_REJECTED', 'anula_a "PAY-2" was already reversed'],
      [8, 'moneda', 'IMPORT.CURRENCY_MISMATCH', 'moneda is USD but the account is in EUR'],
      [9, 'id_movimiento', 'IMPORT.DUPLICATE_REFERENCE', 'id_movimiento "N-1" already appears in row 2; the later row is not imported'],
      [10, 'importe', 'IMPORT.NEGATIVE_AMOUNT', 'importe must not be negative'],
    ]);
    const a = await accountsByRef(db, tenantId);
    // N-1 paid 10.00 of fees; N-8 waived 5.50 of interest.
    expect(a['ACC-001']).toMatchObject({ fees_minor: 1500, interest_minor: 5000 });
  });

  it('all-or-nothing leaves the ledger untouched when a row fails', async () => {
    const tenantId = await portfolio();
    const before = await accountsByRef(db, tenantId);
    const csv = 'creditor_ref,account_ref,external_id,kind,amount\nBANCO-1,ACC-001,A-1,payment,10\nBANCO-1,ACC-404,A-2,payment,10\n';
    const r = await runImport(deps(db), { tenantId, source: Readable.from([csv]), filename: 't.csv', kind: 'transactions', options: { allOrNothing: true } });
    expect(r).toMatchObject({ status: 'rejected', rowsImported: 0, rowsFailed: 1, created: { transactions: 0 } });
    expect((await tableCounts(db, tenantId)).transactions).toBe(0);
    expect(await accountsByRef(db, tenantId)).toEqual(before);
  });
});
