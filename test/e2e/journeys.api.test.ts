import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { BUILT_IN_STRATEGY_DIR } from '../../src/modules/journeys/index.ts';
import { startWorkers, type Workers } from '../../src/workers.ts';
import { appendEvents } from '../../src/modules/events/index.ts';
import { givenPortfolio, SPREAD } from '../../src/modules/journeys/journeys.run.testkit.ts';
import { startTestApp } from '../support/app.ts';
import { givenTenant } from '../support/fixtures.ts';

// Monday 2 March 2026, 06:00 UTC: the run schedules for later that morning.
let t: Awaited<ReturnType<typeof startTestApp>>;
let auth: { authorization: string };
let tenant: Awaited<ReturnType<typeof givenTenant>>;
let accountIds: string[];
let workers: Workers | null = null;

const waitFor = async (check: () => Promise<boolean>, ms = 30_000): Promise<number> => {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
  return Date.now() - start;
};

const get = async (url: string) => {
  const r = await t.app.inject({ method: 'GET', url, headers: auth });
  return { status: r.statusCode, body: r.json() };
};
const post = async (url: string, payload: unknown) => {
  const r = await t.app.inject({ method: 'POST', url, headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
  return { status: r.statusCode, body: r.json() };
};

beforeAll(async () => {
  t = await startTestApp('2026-03-02T06:00:00Z');
  tenant = await givenTenant(t.db, { creditorRef: 'BANCO-1' });
  auth = { authorization: `Bearer ${tenant.apiKey}` };
  ({ accountIds } = await givenPortfolio({ db: t.db, clock: t.clock, newId }, tenant, SPREAD));
}, 60_000);
afterAll(async () => {
  await workers?.stop();
  await t.close();
});

describe('strategies over HTTP', () => {
  it('uploads the shipped strategies, answers 200 to the same document again, lists and reads them', async () => {
    for (const f of readdirSync(BUILT_IN_STRATEGY_DIR).filter((x) => x.endsWith('.json'))) {
      const doc = JSON.parse(readFileSync(join(BUILT_IN_STRATEGY_DIR, f), 'utf8'));
      expect((await post('/api/v1/strategies', doc)).status).toBe(201);
      expect((await post('/api/v1/strategies', doc)).body.created).toBe(false);
    }
    const list = await get('/api/v1/strategies');
    expect(list.body.data.map((s: { id: string }) => s.id).sort()).toEqual(['early-arrears-gentle', 'hardship-aware']);
    const one = await get('/api/v1/strategies/hardship-aware');
    expect(one.body).toMatchObject({ id: 'hardship-aware', version: 1, versionList: [1] });
  });

  it('refuses an invalid strategy naming the field path, and a changed document under a stored version', async () => {
    const doc = JSON.parse(readFileSync(join(BUILT_IN_STRATEGY_DIR, 'early-arrears-gentle.json'), 'utf8'));
    doc.version = 2;
    doc.journeys[0].steps[1].next = 'nowhere';
    const bad = await post('/api/v1/strategies', doc);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('STRATEGY.INVALID');
    expect(bad.body.error.details.map((d: { field: string }) => d.field)).toContain('journeys[0].steps[1].next');
    const changed = JSON.parse(readFileSync(join(BUILT_IN_STRATEGY_DIR, 'early-arrears-gentle.json'), 'utf8'));
    changed.description = 'edited without a new version';
    const conflict = await post('/api/v1/strategies', changed);
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toMatchObject({ code: 'STRATEGY.VERSION_EXISTS', details: [{ field: 'version' }] });
  });
});

describe('the daily run over HTTP', () => {
  let runId: string;
  it('runs, reads back and lists the run', async () => {
    const r = await post('/api/v1/runs/daily', {});
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'completed', businessDate: '2026-03-02', accountsSeen: SPREAD.length });
    expect(r.body.contactsScheduled).toBeGreaterThan(0);
    runId = r.body.id;
    expect((await get(`/api/v1/runs/daily/${runId}`)).body.id).toBe(runId);
    expect((await get('/api/v1/runs/daily')).body.data.map((x: { id: string }) => x.id)).toEqual([runId]);
    expect((await get('/api/v1/runs/daily/jrn_nope')).status).toBe(404);
  });

  it('lists scheduled contacts with filters and cursor pagination', async () => {
    const all = (await get('/api/v1/scheduled-contacts?limit=500&status=scheduled')).body.data;
    expect(all.length).toBeGreaterThan(2);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: { id: string }[]; nextCursor: string | null } = (await get(`/api/v1/scheduled-contacts?status=scheduled&limit=2${cursor ? `&cursor=${cursor}` : ''}`)).body;
      seen.push(...page.data.map((c: { id: string }) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((c: { id: string }) => c.id));
    const one = all[0];
    const byAccount = (await get(`/api/v1/scheduled-contacts?accountId=${one.accountId}`)).body.data;
    expect(byAccount.map((c: { id: string }) => c.id)).toEqual([one.id]);
    expect((await get(`/api/v1/scheduled-contacts?debtorId=${one.debtorId}`)).body.data.length).toBe(1);
    expect(one.explanation.lines.map((l: { code: string }) => l.code)).toContain('SEND.CHOSEN');
    expect((await get('/api/v1/scheduled-contacts?status=nope')).status).toBe(400);
  });

  it('explains an account: segment, step, why this action, why this time, the policy', async () => {
    const contact = (await get('/api/v1/scheduled-contacts?status=scheduled&limit=1')).body.data[0];
    const e = await get(`/api/v1/accounts/${contact.accountId}/explain`);
    expect(e.status).toBe(200);
    expect(e.body.assignment.segmentId).toBeTruthy();
    expect(e.body.journey).toMatchObject({ status: 'active', attempts: 1 });
    const codes = e.body.lastDecision.lines.map((l: { code: string }) => l.code);
    expect(codes).toEqual(expect.arrayContaining(['ASSIGN.SEGMENT', 'SEND.CHOSEN', 'POLICY.WINDOWS']));
    expect(codes.some((c: string) => c.startsWith('SEND_TIME.'))).toBe(true);
    expect(e.body.lastDecision.lines[0].text.es).toMatch(/segmento/);
    expect(e.body.advancedToday).toBe(true);
    expect((await get('/api/v1/accounts/acc_nope/explain')).status).toBe(404);
  });

  it('appears in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    for (const p of ['/api/v1/runs/daily', '/api/v1/runs/daily/{id}', '/api/v1/accounts/{id}/explain', '/api/v1/scheduled-contacts', '/api/v1/strategies', '/api/v1/strategies/{id}', '/api/v1/accounts/{id}/journey-events']) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
  });
});

describe('cancellation on events', () => {
  const pendingOf = async (accountId: string) =>
    (await get(`/api/v1/scheduled-contacts?accountId=${accountId}`)).body.data as { id: string; status: string; statusReason: string | null }[];

  it('a payment recorded through the API cancels what is pending for the account within seconds (outbox → relay → job)', async () => {
    workers = await startWorkers({ db: t.db, clock: t.clock, newId, log: createLogger('silent') });
    const withContact: string[] = [];
    for (const id of accountIds) if ((await pendingOf(id)).some((c) => c.status === 'scheduled')) withContact.push(id);
    expect(withContact.length).toBeGreaterThanOrEqual(2);
    const [paying, other] = withContact as [string, string];
    const paid = await post(`/api/v1/accounts/${paying}/payments`, { amountMinor: 5000, externalId: 'pay-j-1', method: 'transfer' });
    expect(paid.status).toBe(201);
    const ms = await waitFor(async () => (await pendingOf(paying)).every((c) => c.status === 'cancelled'));
    expect(ms).toBeLessThan(30_000);
    expect((await pendingOf(paying))[0]!.statusReason).toBe('payment_recorded');
    // Nothing else was touched.
    expect((await pendingOf(other)).some((c) => c.status === 'scheduled')).toBe(true);
    // The journey learns of the payment on its next advance.
    const e = await get(`/api/v1/accounts/${paying}/explain`);
    expect(e.body.journey.pendingEvents.map((x: { type: string }) => x.type)).toContain('paid');
  }, 60_000);

  it('an event recorded before the run decided a contact does not cancel it: the run already knew', async () => {
    const withContact: string[] = [];
    for (const id of accountIds) if ((await pendingOf(id)).some((c) => c.status === 'scheduled')) withContact.push(id);
    const [known, later] = withContact as [string, string];
    const decidedAt = (await t.db.query<{ at: Date }>(`SELECT min(created_at) AS at FROM scheduled_contacts WHERE account_id = ANY($1::text[])`, [[known, later]])).rows[0]!.at;
    const event = (accountId: string, occurredAt: Date) => ({
      id: newId('evt'), tenantId: tenant.tenantId, type: 'payment.recorded' as const, subjectType: 'account', subjectId: accountId,
      payload: { accountId, amountMinor: 100, currency: 'EUR' }, occurredAt,
    });
    const before = event(known, new Date(decidedAt.getTime() - 60_000));
    const after = event(later, new Date(decidedAt.getTime() + 60_000));
    await t.db.transaction((tx) => appendEvents(tx, [before, after]));
    expect(await t.services.journeys.handleOutboxEvents([before.id, after.id])).toMatchObject({ events: 2 });
    expect((await pendingOf(known)).some((c) => c.status === 'scheduled')).toBe(true);
    expect((await pendingOf(later)).every((c) => c.status === 'cancelled')).toBe(true);
  });

  it('a dispute reported for an account cancels its pending contacts at once and changes its facts', async () => {
    const target = (await get('/api/v1/scheduled-contacts?status=scheduled&limit=1')).body.data[0];
    const r = await post(`/api/v1/accounts/${target.accountId}/journey-events`, { type: 'dispute' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ type: 'dispute', cancelled: 1, cancelledIds: [target.id] });
    const [c] = await pendingOf(target.accountId);
    expect(c).toMatchObject({ status: 'cancelled', statusReason: 'dispute' });
    const e = await get(`/api/v1/accounts/${target.accountId}/explain`);
    expect(e.body.facts.disputed).toBe(true);
    // The preview (what the next run would do) exits the journey on the dispute.
    expect(e.body.preview.lines.map((l: { code: string }) => l.code)).toContain('EXIT.EXITED');
    expect((await post(`/api/v1/accounts/${target.accountId}/journey-events`, { type: 'nope' })).status).toBe(400);
  });
});
