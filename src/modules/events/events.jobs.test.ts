import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Webhook } from 'standardwebhooks';
import type { Database } from '../../db/db.ts';
import { systemClock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { createQueue, defineJobs, type Queue } from '../../jobs/index.ts';
import { createTestDatabase } from '../../../test/support/db.ts';
import { givenTenant } from '../../../test/support/fixtures.ts';
import { EVENT_JOBS, appendEvents, registerEventJobs, type WebhooksService } from './index.ts';

const waitFor = async (check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> => {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
};

// The worker's registry: this module's jobs beside another module's.
const jobs = defineJobs({ ...EVENT_JOBS, 'other.noop': { schema: z.object({}) } });

describe('event jobs on the queue', () => {
  let db: Database;
  let queue: Queue<typeof jobs>;
  let webhooks: WebhooksService;
  const received: { path: string; headers: Record<string, string>; body: string }[] = [];
  let failNext = new Set<string>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers as Record<string, string>, body });
      const fail = failNext.has(req.url ?? '');
      failNext.delete(req.url ?? '');
      res.statusCode = fail ? 503 : 200;
      res.end();
    });
  });
  let base = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    queue = createQueue(db, { jobs });
    webhooks = await registerEventJobs(queue, { db, clock: systemClock, newId, fetch }, { relayEverySeconds: 1, deliveryBatchSize: 5 });
    await queue.start();
  });
  afterAll(async () => {
    await queue.stop({ timeoutMs: 2000 });
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await db.close();
  });

  it('relays a committed event and delivers it through a delivery job, signed', async () => {
    const { tenantId } = await givenTenant(db);
    const ep = await webhooks.createEndpoint(tenantId, { url: `${base}/crm/${tenantId}` });
    const eventId = newId('evt');
    await db.transaction((tx) =>
      appendEvents(tx, [{ id: eventId, tenantId, type: 'payment.recorded', subjectType: 'account', subjectId: 'acc_1', payload: { accountId: 'acc_1', amountMinor: 500 }, occurredAt: new Date() }]),
    );
    await waitFor(() => received.some((r) => r.headers['webhook-id'] === eventId));
    const got = received.find((r) => r.headers['webhook-id'] === eventId)!;
    expect(new Webhook(ep.secret).verify(got.body, got.headers)).toMatchObject({ type: 'payment.recorded', data: { amountMinor: 500, eventId } });
    await waitFor(async () => (await webhooks.listDeliveries(tenantId)).data[0]?.status === 'delivered');
  });

  it('schedules the retry of a failed attempt as a delayed delivery job', async () => {
    const { tenantId } = await givenTenant(db);
    const path = `/flaky/${tenantId}`;
    failNext = new Set([path]);
    await webhooks.createEndpoint(tenantId, { url: `${base}${path}` });
    await db.transaction((tx) =>
      appendEvents(tx, [{ id: newId('evt'), tenantId, type: 'debtor.created', subjectType: 'debtor', subjectId: 'dbt_1', payload: { debtorId: 'dbt_1' }, occurredAt: new Date() }]),
    );
    await waitFor(async () => (await webhooks.listDeliveries(tenantId)).data[0]?.attempts === 1 && received.some((r) => r.path === path));
    const [delivery] = (await webhooks.listDeliveries(tenantId)).data;
    await waitFor(async () => (await webhooks.getDelivery(tenantId, delivery!.id)).lastStatusCode === 503);
    const jobsFor = await queue.pgBoss().findJobs('webhooks.deliver', { data: { deliveryId: delivery!.id } });
    const next = (await webhooks.getDelivery(tenantId, delivery!.id)).nextAttemptAt!;
    // The first job ran; a second waits for the backoff (about 30 s later).
    const waiting = jobsFor.filter((j) => j.state === 'created');
    expect(waiting).toHaveLength(1);
    expect(Math.abs(new Date(waiting[0]!.startAfter).getTime() - Date.parse(next))).toBeLessThan(1000);
    expect(Date.parse(next) - Date.now()).toBeGreaterThan(20_000);
  });
});
