import { z } from 'zod';
import type { Sql } from '../../db/db.ts';
import type { Clock } from '../../lib/clock.ts';
import { isoDate } from '../../lib/clock.ts';
import { defineJobs, type Queue } from '../../jobs/index.ts';
import { CANCELLING_EVENT_TYPES } from './journeys.service.ts';
import type { JourneysService } from './journeys.service.ts';

/** The jobs of this module. Merge into the registry given to `createQueue`. */
export const JOURNEY_JOBS = defineJobs({
  /**
   * The daily run. Without a tenant it fans out one job per tenant with a strategy in force;
   * with one it runs (or resumes) that tenant's run. A retry resumes after the last checkpoint.
   */
  'journeys.daily': {
    schema: z.object({
      tenantId: z.string().min(1).optional(),
      businessDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
      /** Help the tenant's run under way (another worker process's free slices); never start one. */
      join: z.boolean().optional(),
    }),
    retryLimit: 5,
    retryDelaySeconds: 120,
    expireInSeconds: 6 * 3_600,
    deleteAfterSeconds: 7 * 86_400,
  },
  /** Cancels pending contacts on payments, opt-outs and account closures, seconds after they commit. */
  'journeys.react': {
    schema: z.object({ eventIds: z.array(z.string().min(1)).min(1) }),
    retryLimit: 5,
    retryDelaySeconds: 5,
    expireInSeconds: 300,
    deleteAfterSeconds: 86_400,
  },
});

export interface JourneyJobsOptions {
  /** Cron of the nightly fan-out (default 01:30 UTC, after the days-past-due refresh at 00:05). */
  dailyCron?: string;
  /**
   * Slices of each tenant's nightly run (default 1). With more, the run's first job queues one
   * `join` job per further slice, so that other worker processes on the same database share it.
   */
  slices?: number;
  log?: { info(o: object, m: string): void; error(o: object, m: string): void };
}

/**
 * Wires the daily run and the reaction to events to a queue, and returns the relay hook that
 * feeds `journeys.react` (pass it to the events module as `onRelayed`).
 */
export const registerJourneyJobs = async (
  queue: Queue<typeof JOURNEY_JOBS>,
  journeys: JourneysService,
  clock: Clock,
  options: JourneyJobsOptions = {},
): Promise<{ onRelayed: (tx: Sql, events: readonly { tenantId: string; id: string; type: string }[]) => Promise<void> }> => {
  await queue.register('journeys.daily', async (jobs) => {
    for (const job of jobs) {
      const businessDate = job.data.businessDate ?? isoDate(clock.now());
      if (!job.data.tenantId) {
        const tenants = await journeys.tenantIds();
        await queue.sendMany('journeys.daily', tenants.map((t) => ({ data: { tenantId: t.id, businessDate }, singletonKey: `daily:${t.id}:${businessDate}` })));
        continue;
      }
      const tenantId = job.data.tenantId;
      if (job.data.join) {
        const r = await journeys.joinDaily({ tenantId, businessDate });
        if (r) options.log?.info({ runId: r.id, tenantId, businessDate, slices: r.slicesWorked, seconds: r.seconds }, 'daily run joined');
        continue;
      }
      const slices = options.slices ?? 1;
      const r = await journeys.runDaily({
        tenantId, businessDate, slices,
        onStarted: (runId) => {
          if (slices < 2) return;
          const helpers = Array.from({ length: slices - 1 }, (_, i) => ({ data: { tenantId, businessDate, join: true }, singletonKey: `daily:${runId}:join:${i}` }));
          queue.sendMany('journeys.daily', helpers).catch((e: unknown) => options.log?.error({ err: e, runId }, 'could not queue the run\'s helpers'));
        },
      });
      options.log?.info({ runId: r.id, tenantId, businessDate, accounts: r.accountsSeen, scheduled: r.contactsScheduled, seconds: r.seconds }, 'daily run finished');
    }
  });
  await queue.register('journeys.react', async (jobs) => {
    const r = await journeys.handleOutboxEvents(jobs.flatMap((j) => j.data.eventIds));
    if (r.cancelled > 0) options.log?.info({ cancelled: r.cancelled, events: r.events }, 'pending contacts cancelled');
  }, { batchSize: 20, pollingIntervalSeconds: 1 });
  await queue.schedule('journeys.daily', options.dailyCron ?? '30 1 * * *', {});
  const wanted = new Set<string>(CANCELLING_EVENT_TYPES);
  return {
    onRelayed: async (tx, events) => {
      const ids = events.filter((e) => wanted.has(e.type)).map((e) => e.id);
      if (ids.length > 0) await queue.sendMany('journeys.react', [{ data: { eventIds: ids } }], { tx });
    },
  };
};
