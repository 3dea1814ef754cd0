import { z } from 'zod';
import { defineJobs, type Queue } from '../../jobs/index.ts';
import { createWebhooksService, type WebhooksDeps, type WebhooksService } from './webhooks.service.ts';

/** The jobs this module runs. Merge into the registry given to `createQueue`. */
export const EVENT_JOBS = defineJobs({
  /** Moves events from the outbox into webhook deliveries. Idempotent; a failed run is simply the next run. */
  'events.relay': { schema: z.object({}), retryLimit: 0, expireInSeconds: 300, deleteAfterSeconds: 3_600 },
  /** One delivery attempt. Our own retry schedule lives on the delivery row; pg-boss retries only cover database errors. */
  'webhooks.deliver': {
    schema: z.object({ tenantId: z.string().min(1), deliveryId: z.string().min(1) }),
    retryLimit: 3,
    retryDelaySeconds: 30,
    retryBackoff: true,
    expireInSeconds: 600,
    deleteAfterSeconds: 86_400,
  },
  /** Attempts whatever is due but has no job (a lost job, an expired lease). */
  'webhooks.sweep': { schema: z.object({}), retryLimit: 0, expireInSeconds: 600, deleteAfterSeconds: 3_600 },
});

export interface EventJobsOptions {
  /** How often the outbox is relayed (default 5 s; cron cannot go below a minute). */
  relayEverySeconds?: number;
  /** Delivery jobs handed to one handler call, attempted in parallel (default 20). */
  deliveryBatchSize?: number;
}

/**
 * Wires the relay, delivery and sweep jobs to a queue, and returns the webhooks service whose
 * deliveries are scheduled as jobs in the same transaction that creates or retries them.
 */
export const registerEventJobs = async (
  queue: Queue<typeof EVENT_JOBS>,
  deps: Omit<WebhooksDeps, 'scheduleDeliveries'>,
  options: EventJobsOptions = {},
): Promise<WebhooksService> => {
  const service = createWebhooksService({
    ...deps,
    scheduleDeliveries: (tx, jobs) =>
      queue.sendMany('webhooks.deliver', jobs.map((j) => ({ data: { tenantId: j.tenantId, deliveryId: j.deliveryId }, startAfter: j.at })), { tx }),
  });
  await queue.register('events.relay', async () => void (await service.relayAll()), { pollingIntervalSeconds: 1 });
  await queue.register('webhooks.deliver', async (jobs) => void (await service.deliver(jobs.map((j) => j.data))), {
    batchSize: options.deliveryBatchSize ?? 20,
    pollingIntervalSeconds: 1,
  });
  await queue.register('webhooks.sweep', async () => {
    // Bounded so one sweep never holds the worker (or PGlite's single connection) for long.
    for (let i = 0; i < 10; i++) if ((await service.deliverDue({ limit: 100 })).attempted < 100) break;
  });
  queue.every('events.relay', options.relayEverySeconds ?? 5, {});
  await queue.schedule('webhooks.sweep', '* * * * *');
  return service;
};
