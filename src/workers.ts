import { z } from 'zod';
import type { Database } from './db/db.ts';
import type { Clock } from './lib/clock.ts';
import { isoDate } from './lib/clock.ts';
import { createOutboundFetch, type FetchLike } from './lib/outbound-fetch.ts';
import type { SecretBox } from './lib/secretbox.ts';
import type { IdFactory } from './lib/ids.ts';
import type { Logger } from './lib/logger.ts';
import { createQueue, defineJobs, type Queue } from './jobs/index.ts';
import { EVENT_JOBS, registerEventJobs, type WebhooksService } from './modules/events/index.ts';
import { refreshDaysPastDue } from './modules/ledger/index.ts';
import type { MessagingService } from './modules/messaging/index.ts';
import { JOURNEY_JOBS, createJourneysService, registerJourneyJobs } from './modules/journeys/index.ts';

/** Every job Tacto runs, by name, with its payload schema. */
export const JOBS = defineJobs({
  ...EVENT_JOBS,
  ...JOURNEY_JOBS,
  /** Nightly: days past due and buckets move with the calendar even when nothing else happens. */
  'ledger.refresh_dpd': { schema: z.object({}), retryLimit: 3, retryDelaySeconds: 60, expireInSeconds: 3_600 },
  /** Every few seconds: claim and send due scheduled contacts (several workers claim side by side). */
  'messaging.dispatch': { schema: z.object({}), retryLimit: 0, expireInSeconds: 600, deleteAfterSeconds: 3_600 },
  /** Nightly: message bodies past their retention are purged (hashes and templates stay). */
  'messaging.purge_bodies': { schema: z.object({}), retryLimit: 3, retryDelaySeconds: 300, expireInSeconds: 3_600 },
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
export const startWorkers = async (deps: {
  db: Database;
  clock: Clock;
  newId: IdFactory;
  log: Logger;
  databaseUrl?: string | undefined;
  /** fetch for webhook deliveries (public addresses only unless configured otherwise). */
  outboundFetch?: FetchLike;
  /** Seals and opens webhook signing secrets at rest. */
  secretBox?: SecretBox;
  /** The messaging service that sends (its channel registry and secrets); dispatch is off without it. */
  messaging?: MessagingService;
  /** Seconds between dispatch jobs (default 5). */
  dispatchEverySeconds?: number;
  /** Slices of each tenant's nightly daily run, shared by the worker processes (default 1). */
  runSlices?: number;
}): Promise<Workers> => {
  const queue = createQueue(deps.db, {
    jobs: JOBS,
    ...(deps.databaseUrl ? { connectionString: deps.databaseUrl } : {}),
    logger: { error: (o, m) => deps.log.error(o, m), warn: (o, m) => deps.log.warn(o, m) },
  });
  await queue.start();
  // The journeys' reaction to payments and opt-outs is fed by the outbox relay, in its transaction.
  const journeys = await registerJourneyJobs(queue, createJourneysService(deps), deps.clock, { log: deps.log, slices: deps.runSlices ?? 1 });
  const webhooks = await registerEventJobs(queue, {
    db: deps.db, clock: deps.clock, newId: deps.newId, fetch: deps.outboundFetch ?? createOutboundFetch({ allowPrivate: false }), onRelayed: journeys.onRelayed,
    ...(deps.secretBox ? { secrets: deps.secretBox } : {}),
  });
  await queue.register('ledger.refresh_dpd', async () => {
    const changed = await refreshDaysPastDue(deps.db, isoDate(deps.clock.now()));
    deps.log.info({ changed }, 'days past due refreshed');
  });
  await queue.schedule('ledger.refresh_dpd', '5 0 * * *');
  const messaging = deps.messaging;
  if (messaging) {
    await queue.register('messaging.dispatch', async () => {
      // Drains what is due in bounded passes; a job that overruns its slot is simply the next one's head start.
      const s = await messaging.drain({ batchSize: 200, maxPasses: 50 });
      if (s.claimed > 0) deps.log.info({ ...s }, 'dispatched');
    });
    queue.every('messaging.dispatch', deps.dispatchEverySeconds ?? 5, {});
    await queue.register('messaging.purge_bodies', async () => {
      deps.log.info({ purged: await messaging.purgeBodies() }, 'message bodies purged');
    });
    await queue.schedule('messaging.purge_bodies', '20 1 * * *');
  }
  return { queue, webhooks, stop: () => queue.stop({ timeoutMs: 10_000 }) };
};
