import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/db.ts';
import { fixedClock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { createTestDatabase } from '../../../test/support/db.ts';
import { givenTenant } from '../../../test/support/fixtures.ts';
import { createJourneysService } from './journeys.service.ts';
import { SPREAD, givenPortfolio } from './journeys.run.testkit.ts';

// Monday 2 March 2026, 06:00 UTC (07:00 in Madrid): before the contact windows open.
const AT = '2026-03-02T06:00:00.000Z';

let db: Database;
const clock = fixedClock(AT);
let tenant: Awaited<ReturnType<typeof givenTenant>>;
let accountIds: string[];
let journeys: ReturnType<typeof createJourneysService>;

const contacts = async () =>
  (await db.query<{ account_id: string; idempotency_key: string; send_at: Date; channel: string | null; kind: string; status: string; run_date: string }>(
    `SELECT account_id, idempotency_key, send_at, channel, kind, status, run_date::text FROM scheduled_contacts WHERE tenant_id = $1 ORDER BY idempotency_key`,
    [tenant.tenantId],
  )).rows;

beforeAll(async () => {
  db = await createTestDatabase();
  tenant = await givenTenant(db, { country: 'ES' });
  ({ accountIds } = await givenPortfolio({ db, clock, newId }, tenant, SPREAD));
  journeys = createJourneysService({ db, clock, newId });
}, 60_000);
afterAll(async () => db?.close());

describe('the daily run', () => {
  it('refuses to run without strategies, naming the field', async () => {
    await expect(journeys.runDaily({ tenantId: tenant.tenantId })).rejects.toMatchObject({ code: 'JOURNEY_RUN.NO_STRATEGIES' });
  });

  it('assigns, advances and schedules contacts inside the policy windows', async () => {
    await journeys.loadBuiltInStrategies(tenant.tenantId);
    const r = await journeys.runDaily({ tenantId: tenant.tenantId, batchSize: 4 });
    expect(r.status).toBe('completed');
    expect(r.accountsSeen).toBe(SPREAD.length);
    const rows = await contacts();
    expect(rows.length).toBeGreaterThan(3);
    expect(r.contactsScheduled).toBe(rows.length);
    // One contact per account per run, none before the decision instant.
    expect(new Set(rows.map((c) => c.account_id)).size).toBe(rows.length);
    for (const c of rows) {
      expect(c.send_at.getTime()).toBeGreaterThanOrEqual(Date.parse(AT));
      expect(c.status).toBe('scheduled');
      expect(c.run_date).toBe('2026-03-02');
    }
    const states = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM account_journeys WHERE tenant_id = $1`, [tenant.tenantId]);
    expect(states.rows[0]!.n).toBe(r.accountsAssigned);
  });

  it('schedules nothing twice when run again the same day', async () => {
    const before = await contacts();
    const r = await journeys.runDaily({ tenantId: tenant.tenantId });
    expect(r.passes).toBe(2);
    expect(await contacts()).toEqual(before);
  });

  it('absorbs contacts decided again after their journey states were lost, and writes the rest of the batch', async () => {
    const before = await contacts();
    const withContact = [...new Set(before.map((c) => c.account_id))].slice(0, 3);
    expect(withContact.length).toBe(3);
    // Two accounts lose their state but keep their contacts (their contacts will be decided again
    // with the same keys); the third loses both (its contact is new again). All in one batch.
    await db.query(`DELETE FROM account_journeys WHERE tenant_id = $1 AND account_id = ANY($2)`, [tenant.tenantId, withContact]);
    await db.query(`DELETE FROM scheduled_contacts WHERE tenant_id = $1 AND account_id = $2`, [tenant.tenantId, withContact[2]]);
    const r = await journeys.runDaily({ tenantId: tenant.tenantId, batchSize: 100 });
    expect(r.status).toBe('completed');
    expect(r.counts.alreadyScheduled).toBe(2);
    expect(r.contactsScheduled).toBe(before.length + 1);
    const after = await contacts();
    expect(after.map((c) => c.idempotency_key)).toEqual(before.map((c) => c.idempotency_key));
    const states = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM account_journeys WHERE tenant_id = $1 AND account_id = ANY($2)`, [tenant.tenantId, withContact]);
    expect(states.rows[0]!.n).toBe(3);
  });

  it('explains an account by its external reference', async () => {
    const e = await journeys.explain(tenant.tenantId, 'A-5');
    expect(e.account.id).toBe(accountIds[4]);
    expect(e.journey?.id).toMatch(/gentle-early/);
    expect(e.scheduledContacts.length).toBe(1);
    const codes = (e.scheduledContacts[0]!.explanation as { lines: { code: string }[] }).lines.map((l) => l.code);
    expect(codes).toContain('ASSIGN.SEGMENT');
    expect(codes).toContain('SEND.CHOSEN');
    expect(codes).toContain('POLICY.WINDOWS');
  });
});
