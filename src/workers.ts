import { z } from 'zod';
import type { Database } from './db/db.ts';
import type { Clock } from './lib/clock.ts';
import { isoDate } from './lib/clock.ts';
import type { IdFactory } from './lib/ids.ts';
import type { Logger } from './lib/logger.ts';
import { createQueue, defineJobs, type Queue } from './jobs/index.ts';
import { EVENT_JOBS, registerEventJobs, type WebhooksService } from './modules/events/index.ts';
import { refreshDaysPastDue } from './modules/ledger/index.ts';
import { JOURNEY_JOBS, createJourneysService, registerJourneyJobs } from './modules/journeys/index.ts';

/** Every job Tacto runs, by name, with its payload schema. */
export const JOBS = defineJobs({
  ...EVENT_JOBS,
  ...JOURNEY_JOBS,
  /** Nightly: days past due and buckets move with the calendar even when nothing else happens. */
  'ledger.refresh_dpd': { schema: z.object({}), retryLimit: 3, retryDelaySeconds: 60, expireInSeconds: 3_600 },
});

export interface Workers {
  queue: Queue<typeof JOBS>;
  webhooks: WebhooksService;
  stop(): Promise<void>;
}

/**
 * Starts the background workers on the job queue (pg-boss): the outbox relay and webhook
 * deliveries, the nightly days-past-due refresh, the nightly daily run per tenant (01:30 UTC) and
 * the cancellation of pending contacts on payments and opt-outs. On a PostgreSQL server any number of
 * processes may run this; pg-boss hands each job to one of them.
 */
export const startWorkers = async (deps: { db: Database; clock: Clock; newId: IdFactory; log: Logger; databaseUrl?: string | undefined }): Promise<Workers> => {
  const queue = createQueue(deps.db, {
    jobs: JOBS,
    ...(deps.databaseUrl ? { connectionString: deps.databaseUrl } : {}),
    logger: { error: (o, m) => deps.log.error(o, m), warn: (o, m) => deps.log.warn(o, m) },
  });
  await queue.start();
  // The journeys' reaction to payments and opt-outs is fed by the outbox relay, in its transaction.
  const journeys = await registerJourneyJobs(queue, createJourneysService(deps), deps.clock, { log: deps.log });
  const webhooks = await registerEventJobs(queue, { db: deps.db, clock: deps.clock, newId: deps.newId, fetch: globalThis.fetch, onRelayed: journeys.onRelayed });
  await queue.register('ledger.refresh_dpd', async () => {
    const changed = await refreshDaysPastDue(deps.db, isoDate(deps.clock.now()));
    deps.log.info({ changed }, 'days past due refreshed');
  });
  await queue.schedule('ledger.refresh_dpd', '5 0 * * *');
  return { queue, webhooks, stop: () => queue.stop({ timeoutMs: 10_000 }) };
};
