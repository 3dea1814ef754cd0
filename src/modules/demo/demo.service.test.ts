import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../lib/ids.ts';
import { startTestApp } from '../../../test/support/app.ts';
import { loadDemoPortfolio } from './index.ts';

let t: Awaited<ReturnType<typeof startTestApp>>;
beforeAll(async () => {
  t = await startTestApp('2026-03-16T10:00:00Z');
});
afterAll(async () => t.close());

describe('the demo portfolio', () => {
  it('loads accounts, payments and strategies, runs the day, and sends through the sandbox; a second load does nothing', async () => {
    const deps = { db: t.db, clock: t.clock, newId, tenants: t.services.tenants, channels: t.services.messaging.registry };
    const r = await loadDemoPortfolio(deps, { accounts: 80 });
    expect(r).toMatchObject({ loaded: true, accounts: { rowsImported: 80, rowsFailed: 0 } });
    expect(r.strategies.length).toBe(2);
    expect(r.dailyRun?.contactsScheduled).toBeGreaterThan(0);
    expect(await t.services.messaging.registry.forProvider(r.tenantId, 'sandbox')).toMatchObject({ provider: 'sandbox' });
    // What is due now goes out through the sandbox: nothing fails for want of a channel.
    t.clock.advance(3 * 86_400_000);
    const sent = await t.services.messaging.drain({ batchSize: 50, maxPasses: 5 });
    expect(sent.sent).toBeGreaterThan(0);
    const failed = await t.db.query<{ status_reason: string }>(`SELECT status_reason FROM scheduled_contacts WHERE tenant_id = $1 AND status = 'failed'`, [r.tenantId]);
    expect(failed.rows).toEqual([]);
    expect((await loadDemoPortfolio(deps, { accounts: 80 })).loaded).toBe(false);
  });
});
