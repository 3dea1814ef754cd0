import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Database } from '../db/db.ts';
import { createTestDatabase } from '../../test/support/db.ts';
import { createQueue, defineJobs, type Queue, type ReceivedJob } from './index.ts';

const jobs = defineJobs({
  'test.echo': { schema: z.object({ n: z.number().int(), tag: z.string().default('none') }), retryLimit: 0 },
  'test.tick': { schema: z.object({}) },
});

const waitFor = async (check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> => {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('job queue (pg-boss over our Database)', () => {
  let db: Database;
  let queue: Queue<typeof jobs>;
  const seen: ReceivedJob<{ n: number; tag: string }>[] = [];
  let ticks = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    queue = createQueue(db, { jobs });
    await queue.register('test.echo', async (batch) => void seen.push(...batch), { batchSize: 10, pollingIntervalSeconds: 0.5 });
    await queue.register('test.tick', async (batch) => void (ticks += batch.length), { pollingIntervalSeconds: 0.5 });
    await queue.start();
  });
  afterAll(async () => {
    await queue.stop({ timeoutMs: 2000 });
    await db.close();
  });

  it(`runs a job on ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}, payload checked and defaulted`, async () => {
    const id = await queue.send('test.echo', { n: 1 });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor(() => seen.some((j) => j.data.n === 1));
    expect(seen.find((j) => j.data.n === 1)).toMatchObject({ id, name: 'test.echo', data: { n: 1, tag: 'none' }, retryCount: 0 });
  });

  it('never runs a job sent in a transaction that rolled back, and runs one whose transaction committed', async () => {
    await expect(
      db.transaction(async (tx) => {
        await queue.send('test.echo', { n: 2, tag: 'rolled-back' }, { tx });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const committedId = await db.transaction(async (tx) => queue.send('test.echo', { n: 3, tag: 'committed' }, { tx }));
    await waitFor(() => seen.some((j) => j.id === committedId));
    // Give the worker another poll: the rolled-back job must not exist at all.
    await new Promise((r) => setTimeout(r, 1200));
    expect(seen.some((j) => j.data.tag === 'rolled-back')).toBe(false);
    const stored = await queue.pgBoss().findJobs('test.echo', { data: { tag: 'rolled-back' } });
    expect(stored).toHaveLength(0);
  });

  it('rejects a payload that does not match the job schema before enqueueing', async () => {
    // @ts-expect-error n must be a number
    await expect(queue.send('test.echo', { n: 'x' })).rejects.toThrow();
    expect(await queue.pgBoss().findJobs('test.echo', { data: { n: 'x' } })).toHaveLength(0);
  });

  it('dead-letters a stored job whose payload no longer matches, without calling the handler', async () => {
    const id = await queue.pgBoss().send('test.echo', { n: 'stale shape' });
    await waitFor(async () => (await queue.pgBoss().getJobById('test.echo', id!))?.state === 'failed');
    expect(seen.some((j) => j.id === id)).toBe(false);
  });

  it('every(): one job per period across callers (throttled by slot)', async () => {
    const q2 = createQueue(db, { jobs, migrate: false, supervise: false });
    await q2.start();
    try {
      // Two "processes" repeating the same job on the same period produce one job per slot.
      queue.every('test.tick', 60, {});
      q2.every('test.tick', 60, {});
      await waitFor(() => ticks >= 1);
      await new Promise((r) => setTimeout(r, 1200));
      expect(ticks).toBe(1);
    } finally {
      await q2.stop({ timeoutMs: 1000 });
    }
  });

  it('stores a cron schedule shared by every process', async () => {
    await queue.schedule('test.tick', '*/5 * * * *');
    const schedules = await queue.pgBoss().getSchedules('test.tick');
    expect(schedules.map((s) => s.cron)).toContain('*/5 * * * *');
  });
});

describe.runIf(process.env.DATABASE_URL)('job queue with its own pool (PostgreSQL server)', () => {
  it('runs jobs, and a transactional send still rolls back with our transaction', async () => {
    const db = await createTestDatabase();
    const { rows } = await db.query<{ name: string }>('SELECT current_database() AS name');
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `/${rows[0]!.name}`;
    const queue = createQueue(db, { jobs, connectionString: url.toString(), schema: 'pgboss_own' });
    const seen: number[] = [];
    await queue.register('test.echo', async (batch) => void seen.push(...batch.map((j) => j.data.n)), { pollingIntervalSeconds: 0.5 });
    await queue.start();
    try {
      await db.transaction(async (tx) => queue.send('test.echo', { n: 10 }, { tx })).catch(() => undefined);
      await db.transaction(async (tx) => {
        await queue.send('test.echo', { n: 11 }, { tx });
        throw new Error('rollback');
      }).catch(() => undefined);
      await waitFor(() => seen.includes(10));
      await new Promise((r) => setTimeout(r, 1200));
      expect(seen).toEqual([10]);
    } finally {
      await queue.stop({ timeoutMs: 2000 });
      await db.close();
    }
  });
});
