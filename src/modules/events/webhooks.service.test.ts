import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import type { Database } from '../../db/db.ts';
import { fixedClock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { AppError } from '../../lib/errors.ts';
import { createTestDatabase } from '../../../test/support/db.ts';
import { givenTenant } from '../../../test/support/fixtures.ts';
import { MAX_ATTEMPTS, retrySchedule } from './webhooks.domain.ts';
import { createSecretBox } from '../../lib/secretbox.ts';
import { WebhookEndpointList, appendEvents, createWebhooksService, type EventType } from './index.ts';

/** A local receiver: each path answers as told; every request is recorded with its raw body. */
interface Received { path: string; headers: IncomingHttpHeaders; body: string }
type Behaviour = 'ok' | 'fail' | 'hang' | 'gone';
const startReceiver = async () => {
  const received: Received[] = [];
  const behaviour = new Map<string, Behaviour>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body });
      const b = behaviour.get(path) ?? 'ok';
      if (b === 'hang') return; // never answers: the sender's timeout must fire
      res.statusCode = b === 'ok' ? 204 : b === 'gone' ? 410 : 500;
      res.end(b === 'fail' ? 'upstream exploded' : '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    received,
    behaviour,
    url: (path: string) => `${base}${path}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
};

const closedPortUrl = async (): Promise<string> => {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return `http://127.0.0.1:${port}/nobody-home`;
};

let db: Database;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

const emit = async (tenantId: string, type: EventType, payload: Record<string, unknown>, at = new Date()): Promise<string> => {
  const id = newId('evt');
  await db.transaction((tx) => appendEvents(tx, [{ id, tenantId, type, subjectType: 'account', subjectId: 'acc_x', payload, occurredAt: at }]));
  return id;
};

beforeAll(async () => {
  db = await createTestDatabase();
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await db.close();
});

describe('webhook endpoints', () => {
  it('creates an endpoint with a whsec_ secret shown once, and validates input', async () => {
    const { tenantId } = await givenTenant(db);
    const svc = createWebhooksService({ db, clock: fixedClock('2026-03-15T10:00:00Z'), newId, fetch });
    const created = await svc.createEndpoint(tenantId, { url: receiver.url('/crm'), eventTypes: ['payment.recorded', 'account.*'], description: 'CRM' });
    expect(created).toMatchObject({ id: expect.stringMatching(/^whe_/), active: true, eventTypes: ['payment.recorded', 'account.*'], description: 'CRM' });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const listed = WebhookEndpointList.parse(await svc.listEndpoints(tenantId));
    expect(listed.data).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(created.secret);

    const bad = await svc.createEndpoint(tenantId, { url: 'ftp://x', eventTypes: ['payment.made'] }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(AppError);
    expect((bad as AppError).code).toBe('WEBHOOK.INVALID_ENDPOINT');
    expect((bad as AppError).details.map((d) => d.field).sort()).toEqual(['eventTypes.0', 'url']);

    expect(await svc.updateEndpoint(tenantId, created.id, { eventTypes: ['*', '*'], description: null })).toMatchObject({ eventTypes: ['*'], description: null, url: created.url });
    expect(await svc.updateEndpoint(tenantId, created.id, { description: 'CRM prod', active: false })).toMatchObject({ description: 'CRM prod', active: false, eventTypes: ['*'] });
    await expect(svc.updateEndpoint(tenantId, 'whe_missing', { active: true })).rejects.toMatchObject({ code: 'WEBHOOK_ENDPOINT.NOT_FOUND' });
    await svc.deleteEndpoint(tenantId, created.id);
    await expect(svc.deleteEndpoint(tenantId, created.id)).rejects.toMatchObject({ code: 'WEBHOOK_ENDPOINT.NOT_FOUND' });
  });
});

describe('relay and delivery', () => {
  it('does not deliver the backlog from before an endpoint existed', async () => {
    const { tenantId } = await givenTenant(db);
    await emit(tenantId, 'payment.recorded', { accountId: 'acc_old' }, new Date('2026-01-01T00:00:00Z'));
    const svc = createWebhooksService({ db, clock: fixedClock('2026-02-01T00:00:00Z'), newId, fetch });
    await svc.createEndpoint(tenantId, { url: receiver.url(`/late/${tenantId}`) });
    await emit(tenantId, 'payment.recorded', { accountId: 'acc_new' }, new Date('2026-02-02T00:00:00Z'));
    await svc.relayAll();
    const { data } = await svc.listDeliveries(tenantId);
    expect(data).toHaveLength(1);
    expect(await svc.deliverDue()).toMatchObject({ delivered: 1 }); // leave nothing pending for the next test
  });

  it('keeps the signing secret sealed at rest and still signs with it', async () => {
    const { tenantId } = await givenTenant(db);
    const clock = fixedClock(new Date().toISOString());
    const secrets = createSecretBox(randomBytes(32));
    const svc = createWebhooksService({ db, clock, newId, fetch, secrets });
    const ep = await svc.createEndpoint(tenantId, { url: receiver.url(`/sealed/${tenantId}`) });
    const stored = (await db.query<{ secret: string }>('SELECT secret FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2', [tenantId, ep.id])).rows[0]!.secret;
    expect(stored).toMatch(/^v1\./);
    expect(stored).not.toContain(ep.secret.slice(6));
    expect(secrets.open(stored)).toBe(ep.secret);
    await emit(tenantId, 'payment.recorded', { accountId: 'acc_1', amountMinor: 100, currency: 'EUR' }, new Date(Math.floor(Date.now() / 1000) * 1000 + 1000));
    await svc.relayAll();
    expect(await svc.deliverDue()).toMatchObject({ delivered: 1 });
    const got = receiver.received.filter((r) => r.path === `/sealed/${tenantId}`);
    expect(got).toHaveLength(1);
    new Webhook(ep.secret).verify(got[0]!.body, got[0]!.headers as Record<string, string>);
  });

  it('delivers signed envelopes that the Standard Webhooks library verifies', async () => {
    const { tenantId } = await givenTenant(db);
    const clock = fixedClock(new Date().toISOString()); // the receiver checks the timestamp against real time
    const svc = createWebhooksService({ db, clock, newId, fetch });
    const ep = await svc.createEndpoint(tenantId, { url: receiver.url(`/signed/${tenantId}`) });
    // After the endpoint's registration (an endpoint hears only of what happens once it exists).
    const occurred = new Date(Math.floor(Date.now() / 1000) * 1000 + 1000);
    const e1 = await emit(tenantId, 'payment.recorded', { accountId: 'acc_1', amountMinor: 12050, currency: 'EUR' }, occurred);
    const e2 = await emit(tenantId, 'account.status_changed', { accountId: 'acc_1', from: 'active', to: 'paid' }, occurred);

    expect((await svc.relayAll()).deliveries).toBeGreaterThanOrEqual(2);
    expect(await svc.deliverDue()).toMatchObject({ delivered: 2, retrying: 0, failed: 0 });

    const mine = receiver.received.filter((r) => r.path === `/signed/${tenantId}`);
    expect(mine.map((r) => r.headers['webhook-id']).sort()).toEqual([e1, e2].sort());
    const wh = new Webhook(ep.secret);
    for (const r of mine) {
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['webhook-signature']).toMatch(/^v1,/);
      wh.verify(r.body, r.headers as Record<string, string>);
    }
    const first = JSON.parse(mine.find((r) => r.headers['webhook-id'] === e1)!.body);
    expect(first).toEqual({
      type: 'payment.recorded',
      timestamp: occurred.toISOString(),
      data: { accountId: 'acc_1', amountMinor: 12050, currency: 'EUR', eventId: e1 },
    });
    const deliveries = await svc.listDeliveries(tenantId, { endpointId: ep.id });
    expect(deliveries.data.map((d) => [d.status, d.attempts, d.lastStatusCode, d.nextAttemptAt])).toEqual([
      ['delivered', 1, 204, null],
      ['delivered', 1, 204, null],
    ]);
  });

  it('sends only the subscribed event types', async () => {
    const { tenantId } = await givenTenant(db);
    const svc = createWebhooksService({ db, clock: fixedClock(new Date().toISOString()), newId, fetch });
    const pay = await svc.createEndpoint(tenantId, { url: receiver.url(`/pay/${tenantId}`), eventTypes: ['payment.recorded'] });
    const acc = await svc.createEndpoint(tenantId, { url: receiver.url(`/acc/${tenantId}`), eventTypes: ['account.*'] });
    await emit(tenantId, 'payment.recorded', { accountId: 'acc_1' });
    await emit(tenantId, 'account.balance_changed', { accountId: 'acc_1' });
    await emit(tenantId, 'debtor.created', { debtorId: 'dbt_1' });
    await svc.relayAll();
    const types = async (endpointId: string) => (await svc.listDeliveries(tenantId, { endpointId })).data.map((d) => d.eventType);
    expect(await types(pay.id)).toEqual(['payment.recorded']);
    expect(await types(acc.id)).toEqual(['account.balance_changed']);
  });

  it('retries 500s, timeouts and refused connections on the backoff schedule, then gives up', async () => {
    const { tenantId } = await givenTenant(db);
    const t0 = '2026-03-15T10:00:00Z';
    const clock = fixedClock(t0);
    const svc = createWebhooksService({ db, clock, newId, fetch, timeoutMs: 300 });
    receiver.behaviour.set(`/fail/${tenantId}`, 'fail');
    receiver.behaviour.set(`/hang/${tenantId}`, 'hang');
    const fail = await svc.createEndpoint(tenantId, { url: receiver.url(`/fail/${tenantId}`) });
    const hang = await svc.createEndpoint(tenantId, { url: receiver.url(`/hang/${tenantId}`) });
    const refused = await svc.createEndpoint(tenantId, { url: await closedPortUrl() });
    await emit(tenantId, 'payment.recorded', { accountId: 'acc_1' });
    await svc.relayAll();

    const byEndpoint = async () => {
      const { data } = await svc.listDeliveries(tenantId);
      return new Map(data.map((d) => [d.endpointId, d]));
    };
    expect(await svc.deliverDue()).toMatchObject({ attempted: 3, delivered: 0, retrying: 3 });
    let ds = await byEndpoint();
    expect(ds.get(fail.id)).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500, lastError: 'HTTP 500: upstream exploded' });
    expect(ds.get(hang.id)).toMatchObject({ attempts: 1, lastStatusCode: null, lastError: 'timed out after 300 ms' });
    expect(ds.get(refused.id)!.lastError).toMatch(/^network error: .*ECONNREFUSED/);
    for (const d of ds.values()) expect(d.nextAttemptAt).toBe(retrySchedule(d.id, new Date(t0))[0]!.toISOString());

    // Not due yet: nothing is attempted until the clock reaches the next attempt.
    expect((await svc.deliverDue()).attempted).toBe(0);
    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
      const due = Math.max(...[...ds.values()].map((d) => Date.parse(d.nextAttemptAt!)));
      clock.set(new Date(due).toISOString());
      expect((await svc.deliverDue()).attempted).toBe(3);
      ds = await byEndpoint();
      for (const d of ds.values()) expect(d.attempts).toBe(attempt);
    }
    for (const d of ds.values()) expect(d).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, nextAttemptAt: null });
    clock.advance(30 * 86_400_000);
    expect((await svc.deliverDue()).attempted).toBe(0);

    // The receiver recovers: a manual redelivery starts a fresh budget and succeeds.
    receiver.behaviour.set(`/fail/${tenantId}`, 'ok');
    await svc.redeliver(tenantId, ds.get(fail.id)!.id);
    expect(await svc.deliverDue()).toMatchObject({ attempted: 1, delivered: 1 });
    expect(await svc.getDelivery(tenantId, ds.get(fail.id)!.id)).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 204 });
  });

  it('disables an endpoint that answers 410 Gone and fails its pending deliveries', async () => {
    const { tenantId } = await givenTenant(db);
    const svc = createWebhooksService({ db, clock: fixedClock('2026-03-15T10:00:00Z'), newId, fetch });
    receiver.behaviour.set(`/gone/${tenantId}`, 'gone');
    const ep = await svc.createEndpoint(tenantId, { url: receiver.url(`/gone/${tenantId}`) });
    await emit(tenantId, 'payment.recorded', { n: 1 });
    await emit(tenantId, 'payment.recorded', { n: 2 });
    await svc.relayAll();
    // One attempt hits 410; the other pending delivery is failed with it.
    expect(await svc.deliverDue({ limit: 1 })).toMatchObject({ attempted: 1, failed: 1 });
    expect(await svc.getEndpoint(tenantId, ep.id)).toMatchObject({ active: false });
    const { data } = await svc.listDeliveries(tenantId, { endpointId: ep.id });
    expect(data.map((d) => d.status)).toEqual(['failed', 'failed']);
    expect(data.map((d) => d.lastError)).toContain('endpoint disabled: it answered 410 Gone');
    await emit(tenantId, 'payment.recorded', { n: 3 });
    await svc.relayAll();
    expect((await svc.listDeliveries(tenantId, { endpointId: ep.id })).data).toHaveLength(2);
    await expect(svc.redeliver(tenantId, data[0]!.id)).rejects.toMatchObject({ code: 'WEBHOOK.ENDPOINT_DISABLED' });
    receiver.behaviour.set(`/gone/${tenantId}`, 'ok');
    await svc.updateEndpoint(tenantId, ep.id, { active: true });
    await svc.redeliver(tenantId, data[0]!.id);
    expect(await svc.deliverDue()).toMatchObject({ delivered: 1 });
  });

  it('creates one delivery per event and endpoint even when relays run concurrently or again', async () => {
    const { tenantId } = await givenTenant(db);
    const svc = createWebhooksService({ db, clock: fixedClock(new Date().toISOString()), newId, fetch, relayBatchSize: 7 });
    const ep = await svc.createEndpoint(tenantId, { url: receiver.url(`/once/${tenantId}`) });
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push(await emit(tenantId, 'transaction.recorded', { i }));
    await Promise.all([svc.relayAll(), svc.relayAll(), svc.relayOnce()]);
    // A relay that crashed after delivering but before its commit would leave events unrelayed:
    // simulate by marking them unrelayed and relaying again.
    await db.query(`UPDATE events SET relayed_at = NULL WHERE tenant_id = $1`, [tenantId]);
    await svc.relayAll();
    const all = await svc.listDeliveries(tenantId, { endpointId: ep.id, limit: 500 });
    expect(all.data.map((d) => d.eventId).sort()).toEqual([...ids].sort());
    // Two sweepers at once still POST each delivery once.
    await Promise.all([svc.deliverDue({ limit: 500 }), svc.deliverDue({ limit: 500 })]);
    const posted = receiver.received.filter((r) => r.path === `/once/${tenantId}`).map((r) => r.headers['webhook-id']);
    expect(posted.sort()).toEqual([...ids].sort());
  });

  it("keeps tenants apart: A's events never reach B's endpoints, and B cannot see A's deliveries", async () => {
    const a = await givenTenant(db);
    const b = await givenTenant(db);
    const svc = createWebhooksService({ db, clock: fixedClock(new Date().toISOString()), newId, fetch });
    const epA = await svc.createEndpoint(a.tenantId, { url: receiver.url(`/iso/a/${a.tenantId}`) });
    const epB = await svc.createEndpoint(b.tenantId, { url: receiver.url(`/iso/b/${b.tenantId}`) });
    const evA = await emit(a.tenantId, 'payment.recorded', { who: 'a' });
    const evB = await emit(b.tenantId, 'payment.recorded', { who: 'b' });
    await svc.relayAll();
    await svc.deliverDue({ limit: 500 });
    const got = (prefix: string) => receiver.received.filter((r) => r.path.startsWith(prefix)).map((r) => r.headers['webhook-id']);
    expect(got(`/iso/a/`)).toEqual([evA]);
    expect(got(`/iso/b/`)).toEqual([evB]);
    const aDelivery = (await svc.listDeliveries(a.tenantId)).data[0]!;
    expect((await svc.listDeliveries(b.tenantId)).data.map((d) => d.endpointId)).toEqual([epB.id]);
    await expect(svc.getDelivery(b.tenantId, aDelivery.id)).rejects.toMatchObject({ code: 'WEBHOOK_DELIVERY.NOT_FOUND' });
    await expect(svc.redeliver(b.tenantId, aDelivery.id)).rejects.toMatchObject({ code: 'WEBHOOK_DELIVERY.NOT_FOUND' });
    await expect(svc.deleteEndpoint(b.tenantId, epA.id)).rejects.toMatchObject({ code: 'WEBHOOK_ENDPOINT.NOT_FOUND' });
    expect((await svc.listEvents(b.tenantId)).data.map((e) => e.id)).toEqual([evB]);
  });

  it('pages the event feed by seq and filters by type', async () => {
    const { tenantId } = await givenTenant(db);
    const svc = createWebhooksService({ db, clock: fixedClock(new Date().toISOString()), newId, fetch });
    const ids = [
      await emit(tenantId, 'debtor.created', {}),
      await emit(tenantId, 'payment.recorded', {}),
      await emit(tenantId, 'payment.recorded', {}),
    ];
    const p1 = await svc.listEvents(tenantId, { limit: 2 });
    expect(p1.data.map((e) => e.id)).toEqual(ids.slice(0, 2));
    const p2 = await svc.listEvents(tenantId, { limit: 2, afterSeq: p1.nextAfterSeq! });
    expect(p2).toMatchObject({ data: [{ id: ids[2] }], nextAfterSeq: null });
    expect((await svc.listEvents(tenantId, { types: 'payment.recorded' })).data).toHaveLength(2);
    await expect(svc.listEvents(tenantId, { types: 'payment.made' })).rejects.toMatchObject({ code: 'EVENT.INVALID_QUERY' });
  });
});

