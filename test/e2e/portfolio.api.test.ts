import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '@scalar/openapi-parser';
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

const post = (url: string, payload: unknown, headers = auth) => t.app.inject({ method: 'POST', url, payload: payload as object, headers });
const get = (url: string, headers = auth) => t.app.inject({ method: 'GET', url, headers });

const debtorBody = (ref: string) => ({
  creditorRef: 'BANCO-1',
  externalRef: ref,
  givenName: 'Lucía',
  familyName: 'Fernández Núñez',
  nationalId: '12345678Z',
  country: 'ES',
  contactPoints: [
    { kind: 'phone', value: '612 345 678' },
    { kind: 'email', value: 'Lucia.Fernandez@Example.COM' },
  ],
});

describe('portfolio API', () => {
  it('answers /health without a key', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/health' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: 'ok' });
  });

  it('rejects requests without a valid API key with a stable code', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/debtors' })).json().error.code).toBe('AUTH.MISSING_API_KEY');
    const bad = await get('/api/v1/debtors', { authorization: 'Bearer tk_nope' });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.code).toBe('AUTH.INVALID_API_KEY');
  });

  it('creates a debtor with normalised contact points and Spanish defaults', async () => {
    const r = await post('/api/v1/debtors', debtorBody('D-1'));
    expect(r.statusCode).toBe(201);
    const d = r.json();
    expect(d).toMatchObject({ externalRef: 'D-1', language: 'es', timezone: 'Europe/Madrid', version: 1 });
    expect(d.contactPoints.map((c: { value: string }) => c.value)).toEqual(['+34612345678', 'Lucia.Fernandez@example.com']);
    expect((await post('/api/v1/debtors', debtorBody('D-1'))).json().error.code).toBe('DEBTOR.DUPLICATE_REFERENCE');
  });

  it('names the field on bad input', async () => {
    const r = await post('/api/v1/debtors', { ...debtorBody('D-2'), country: 'Spain', birthDate: '1990-02-31' });
    expect(r.statusCode).toBe(400);
    const e = r.json().error;
    expect(e.code).toBe('REQUEST.INVALID');
    expect(e.details.map((x: { field: string }) => x.field).sort()).toEqual(['body.birthDate', 'body.country']);
    const phone = await post('/api/v1/debtors', { ...debtorBody('D-3'), contactPoints: [{ kind: 'phone', value: '123' }] });
    expect(phone.json().error).toMatchObject({ code: 'DEBTOR.INVALID_CONTACT_POINT', details: [{ field: 'contactPoints[0].value' }] });
  });

  it('creates an account with a schedule and derives days past due, bucket and balance', async () => {
    const debtor = (await post('/api/v1/debtors', debtorBody('D-10'))).json();
    const r = await post('/api/v1/accounts', {
      creditorRef: 'BANCO-1', debtorId: debtor.id, externalRef: 'A-10', product: 'personal_loan', currency: 'EUR',
      originalPrincipalMinor: 300000, principalMinor: 300000, interestMinor: 1500, feesMinor: 3000,
      schedule: { firstDueDate: '2026-01-05', count: 12, amountMinor: 25000, frequency: 'monthly' },
    });
    expect(r.statusCode).toBe(201);
    const a = r.json();
    // Due 5 Jan, 5 Feb and 5 Mar are unpaid on 15 Mar: the oldest is 69 days late.
    expect(a).toMatchObject({ daysPastDue: 69, bucket: '61-90', oldestUnpaidDueDate: '2026-01-05', status: 'active' });
    expect(a.balance).toEqual({ principalMinor: 300000, interestMinor: 1500, feesMinor: 3000, creditMinor: 0, totalMinor: 304500, total: '3045.00' });
    expect(a.schedule).toHaveLength(12);
  });

  it('records a payment, allocates fees-interest-principal, replays idempotently and reverses', async () => {
    const debtor = (await post('/api/v1/debtors', debtorBody('D-20'))).json();
    const acc = (await post('/api/v1/accounts', {
      creditorRef: 'BANCO-1', debtorId: debtor.id, externalRef: 'A-20', product: 'card', currency: 'EUR',
      originalPrincipalMinor: 100000, principalMinor: 100000, interestMinor: 2000, feesMinor: 1000,
      schedule: [{ dueDate: '2026-02-01', amountMinor: 51000 }, { dueDate: '2026-03-01', amountMinor: 52000 }],
    })).json();
    expect(acc.daysPastDue).toBe(42);
    const pay = await post(`/api/v1/accounts/${acc.id}/payments`, { amount: '600.00', externalId: 'pay-1', method: 'transfer' });
    expect(pay.statusCode).toBe(201);
    expect(pay.json().allocation).toEqual({ fees: 1000, interest: 2000, principal: 57000 });
    const replay = await post(`/api/v1/accounts/${acc.id}/payments`, { amount: '600.00', externalId: 'pay-1' });
    expect(replay.statusCode).toBe(200);
    expect(replay.json().id).toBe(pay.json().id);
    let after = (await get(`/api/v1/accounts/${acc.id}`)).json();
    // 600 paid the Feb instalment (510) and 90 of March: March is now the oldest unpaid.
    expect(after).toMatchObject({ daysPastDue: 14, bucket: '1-30', oldestUnpaidDueDate: '2026-03-01' });
    expect(after.balance.totalMinor).toBe(43000);
    const rev = await post(`/api/v1/accounts/${acc.id}/transactions`, { kind: 'reversal', reversesId: pay.json().id, externalId: 'rev-1' });
    expect(rev.statusCode).toBe(201);
    after = (await get(`/api/v1/accounts/${acc.id}`)).json();
    expect(after.balance.totalMinor).toBe(103000);
    expect(after.daysPastDue).toBe(42);
    const again = await post(`/api/v1/accounts/${acc.id}/transactions`, { kind: 'reversal', reversesId: pay.json().id });
    expect(again.json().error.code).toBe('TRANSACTION.ALREADY_REVERSED');
    const payAll = await post(`/api/v1/accounts/${acc.id}/payments`, { amountMinor: 110000, externalId: 'pay-2' });
    expect(payAll.json().allocation).toEqual({ fees: 1000, interest: 2000, principal: 100000, credit: 7000 });
    after = (await get(`/api/v1/accounts/${acc.id}`)).json();
    expect(after).toMatchObject({ status: 'paid', daysPastDue: 0, bucket: 'current' });
    const events = await t.db.query<{ type: string }>(`SELECT type FROM events WHERE subject_id = $1 ORDER BY seq`, [acc.id]);
    expect(events.rows.map((e) => e.type)).toEqual([
      'account.created', 'payment.recorded', 'account.balance_changed', 'transaction.reversed', 'account.balance_changed',
      'payment.recorded', 'account.balance_changed', 'account.status_changed',
    ]);
  });

  it('lists with filters and cursor pagination, and never across tenants', async () => {
    for (let i = 0; i < 5; i++) await post('/api/v1/debtors', debtorBody(`P-${i}`));
    const first = (await get('/api/v1/debtors?limit=3')).json();
    expect(first.data).toHaveLength(3);
    const second = (await get(`/api/v1/debtors?limit=3&cursor=${first.nextCursor}`)).json();
    const ids = [...first.data, ...second.data].map((d: { id: string }) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect((await get('/api/v1/debtors?externalRef=P-3')).json().data).toHaveLength(1);
    const mine = first.data[0].id;
    expect((await get(`/api/v1/debtors/${mine}`, other)).statusCode).toBe(404);
    expect((await get('/api/v1/debtors', other)).json().data).toHaveLength(0);
    const late = (await get('/api/v1/accounts?minDaysPastDue=60')).json().data;
    expect(late.length).toBeGreaterThan(0);
    expect(late.every((a: { daysPastDue: number }) => a.daysPastDue >= 60)).toBe(true);
    expect(late[0].debtor).toMatchObject({ externalRef: 'D-10', name: 'Lucía Fernández Núñez' });
    const open = (await get('/api/v1/accounts?open=true')).json().data;
    const closed = (await get('/api/v1/accounts?open=false')).json().data;
    expect(open.every((a: { status: string }) => ['active', 'charged_off'].includes(a.status))).toBe(true);
    expect(closed.map((a: { status: string }) => a.status)).toEqual(['paid']);
  });

  it('serves a valid OpenAPI document and the interactive viewer', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const result = await validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/debtors', '/api/v1/accounts/{id}/payments']));
    const viewer = await t.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(viewer.statusCode).toBe(200);
    expect(viewer.body).toContain('<html');
  });
});
