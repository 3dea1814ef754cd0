import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/db.ts';
import { addDays, fixedClock, isoDate } from '../../lib/clock.ts';
import type { IdFactory } from '../../lib/ids.ts';
import { newId } from '../../lib/ids.ts';
import { createTestDatabase } from '../../../test/support/db.ts';
import { givenTenant } from '../../../test/support/fixtures.ts';
import { createPortfolioService } from '../portfolio/index.ts';
import { createQueue } from '../../jobs/index.ts';
import { JOURNEY_JOBS, registerJourneyJobs } from './journeys.jobs.ts';
import { createJourneysService } from './journeys.service.ts';
import type { RunSummary } from './journeys.service.ts';
import { SPREAD, givenPortfolio } from './journeys.run.testkit.ts';

/**
 * A run cut into slices (by a hash of the debtor id) must decide exactly what a run of one slice
 * decides over the same data — slices only share the work between processes — and two callers
 * on the same run must split its slices between them, each slice once.
 */

const AT = '2026-03-02T06:00:00.000Z';
const clock = fixedClock(AT);

/** The same ids in every database built with it, so that arms (hashed on account ids) agree. */
const sequentialIds = (): IdFactory => {
  let n = 0;
  return (prefix) => `${prefix}_${String(++n).padStart(10, '0')}`;
};

interface Built { db: Database; tenantId: string; journeys: ReturnType<typeof createJourneysService> }

/** The SPREAD portfolio, plus second and third accounts for some debtors (a debtor's accounts must stay together). */
const build = async (): Promise<Built> => {
  const db = await createTestDatabase();
  const tenant = await givenTenant(db, { country: 'ES' });
  const ids = sequentialIds();
  const { debtorIds } = await givenPortfolio({ db, clock, newId: ids }, tenant, [...SPREAD, ...SPREAD]);
  const portfolio = createPortfolioService({ db, clock, newId: ids });
  const today = isoDate(clock.now());
  for (const [i, debtorId] of debtorIds.entries()) {
    if (i % 3 !== 0) continue;
    for (const extra of i % 2 === 0 ? [1, 2] : [1]) {
      await portfolio.createAccount(tenant.tenantId, {
        creditorRef: tenant.creditorRef, debtorId, externalRef: `A-${i + 1}-x${extra}`, product: 'credit_card', currency: 'EUR',
        originalPrincipalMinor: 50_000, principalMinor: 50_000, interestMinor: 0, feesMinor: 0, attributes: { reasonForArrears: 'unknown' },
        schedule: { firstDueDate: addDays(today, -(4 * extra + (i % 20))), count: 3, amountMinor: 10_000, frequency: 'monthly' },
      });
    }
  }
  const journeys = createJourneysService({ db, clock, newId });
  await journeys.loadBuiltInStrategies(tenant.tenantId);
  return { db, tenantId: tenant.tenantId, journeys };
};

/** What a run decided, without the ids the run itself makes up (contact ids, run ids). */
const outcome = async ({ db, tenantId }: Built) => ({
  contacts: (await db.query<{ k: string }>(
    `SELECT concat_ws('|', a.external_ref, c.idempotency_key, c.kind, c.channel, c.purpose, c.destination, c.send_at, c.window_end, c.status, c.journey_id, c.step_id, c.arm, c.content::text) AS k
     FROM scheduled_contacts c JOIN accounts a ON a.tenant_id = c.tenant_id AND a.id = c.account_id WHERE c.tenant_id = $1 ORDER BY 1`,
    [tenantId],
  )).rows.map((r) => r.k),
  states: (await db.query<{ k: string }>(
    `SELECT concat_ws('|', a.external_ref, j.strategy_id, j.segment_id, j.arm, j.journey_id, j.step_id, j.entered_step_at, j.attempts, j.status, j.status_reason, j.last_contact_key) AS k
     FROM account_journeys j JOIN accounts a ON a.tenant_id = j.tenant_id AND a.id = j.account_id WHERE j.tenant_id = $1 ORDER BY 1`,
    [tenantId],
  )).rows.map((r) => r.k),
});

let whole: Built;
let sliced: Built;
let shared: Built;
let queued: Built;

beforeAll(async () => {
  [whole, sliced, shared, queued] = [await build(), await build(), await build(), await build()];
}, 180_000);
afterAll(async () => {
  for (const b of [whole, sliced, shared, queued]) await b?.db.close();
});

describe('the daily run in slices', () => {
  it('decides exactly what a run of one slice decides, and a debtor\'s accounts stay in one slice', async () => {
    const one = await whole.journeys.runDaily({ tenantId: whole.tenantId, batchSize: 4 });
    const five = await sliced.journeys.runDaily({ tenantId: sliced.tenantId, batchSize: 4, slices: 5 });
    expect(one).toMatchObject({ status: 'completed', slices: 1, slicesDone: 1, slicesWorked: [0] });
    expect(five).toMatchObject({ status: 'completed', slices: 5, slicesDone: 5, slicesWorked: [0, 1, 2, 3, 4] });
    expect(five.accountsSeen).toBe(one.accountsSeen);
    expect(five.contactsScheduled).toBe(one.contactsScheduled);
    expect(five.counts).toEqual(one.counts);
    const [a, b] = [await outcome(whole), await outcome(sliced)];
    expect(a.contacts.length).toBeGreaterThan(10);
    expect(b).toEqual(a);

    // Each slice saw the accounts of its debtors: the per-slice counts are those of a partition by debtor.
    const seen = await sliced.db.query<{ slice: number; accounts_seen: number; status: string }>(
      'SELECT slice, accounts_seen, status FROM journey_run_slices WHERE tenant_id = $1 ORDER BY slice', [sliced.tenantId],
    );
    const byDebtor = await sliced.db.query<{ slice: number; n: number }>(
      `SELECT abs(hashtextextended(debtor_id, 0) % 5)::int AS slice, count(*)::int AS n FROM accounts WHERE tenant_id = $1 AND status = 'active' GROUP BY 1`,
      [sliced.tenantId],
    );
    const expected = Array.from({ length: 5 }, (_, slice) => byDebtor.rows.find((r) => r.slice === slice)?.n ?? 0);
    expect(seen.rows.map((s) => s.accounts_seen)).toEqual(expected);
    expect(seen.rows.every((s) => s.status === 'done')).toBe(true);
    expect(expected.filter((n) => n > 0).length).toBeGreaterThan(2);
  });

  it('a second pass over a finished run may be cut differently and schedules nothing twice', async () => {
    const before = await outcome(sliced);
    const again = await sliced.journeys.runDaily({ tenantId: sliced.tenantId, batchSize: 4, slices: 2 });
    expect(again).toMatchObject({ status: 'completed', passes: 2, slices: 2, slicesDone: 2 });
    expect(await outcome(sliced)).toEqual(before);
  });

  it('two callers on one run share its slices, each slice worked once, and end as one caller would', async () => {
    const { journeys, tenantId } = shared;
    expect(await journeys.joinDaily({ tenantId })).toBeNull();
    // A helper may wait for the run to be created; with none created it gives up after the wait.
    const t0 = performance.now();
    expect(await journeys.joinDaily({ tenantId, waitSeconds: 0.3 })).toBeNull();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    let started!: () => void;
    const runStarted = new Promise<void>((r) => (started = r));
    const first = journeys.runDaily({ tenantId, batchSize: 3, slices: 4, onStarted: () => started() });
    await runStarted;
    const second = journeys.joinDaily({ tenantId, batchSize: 3, waitSeconds: 30 });
    const [a, b] = (await Promise.all([first, second])) as [RunSummary, RunSummary | null];
    const worked = [...a.slicesWorked!, ...(b?.slicesWorked ?? [])].sort();
    expect(worked).toEqual([0, 1, 2, 3]);
    const final = await journeys.getRun(tenantId, a.id);
    expect(final).toMatchObject({ status: 'completed', slicesDone: 4 });
    expect(await outcome(shared)).toEqual(await outcome(whole));
    // Nothing to join once it is over: a helper never starts a new pass.
    expect(await journeys.joinDaily({ tenantId })).toBeNull();
  });

  it('the workers\' nightly job cuts the run and queues a join job per further slice; the run ends as one slice would', async () => {
    const { db, tenantId, journeys } = queued;
    const queue = createQueue(db, { jobs: JOURNEY_JOBS, logger: { error: () => undefined, warn: () => undefined } });
    await queue.start();
    try {
      await registerJourneyJobs(queue, journeys, clock, { slices: 3 });
      await queue.send('journeys.daily', { tenantId, businessDate: '2026-03-02' });
      const done = async () => (await db.query<{ status: string }>('SELECT status FROM journey_runs WHERE tenant_id = $1', [tenantId])).rows[0]?.status === 'completed';
      for (let i = 0; i < 300 && !(await done()); i++) await new Promise((r) => setTimeout(r, 100));
      expect(await done()).toBe(true);
      const joins = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'journeys.daily' AND data->>'tenantId' = $1 AND (data->>'join')::boolean`, [tenantId],
      );
      expect(joins.rows[0]!.n).toBe(2);
      const run = await db.query<{ slices: number }>('SELECT slices FROM journey_runs WHERE tenant_id = $1', [tenantId]);
      expect(run.rows[0]!.slices).toBe(3);
      expect(await outcome(queued)).toEqual(await outcome(whole));
    } finally {
      await queue.stop();
    }
  }, 60_000);

  it('refuses a slice count out of range, naming the field', async () => {
    await expect(shared.journeys.runDaily({ tenantId: shared.tenantId, slices: 0 })).rejects.toMatchObject({ code: 'JOURNEY_RUN.INVALID_SLICES' });
    await expect(shared.journeys.runDaily({ tenantId: shared.tenantId, slices: 65 })).rejects.toMatchObject({ code: 'JOURNEY_RUN.INVALID_SLICES' });
  });
});
