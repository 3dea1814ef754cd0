import type { Database } from './db/db.ts';
import type { Clock } from './lib/clock.ts';
import type { IdFactory } from './lib/ids.ts';
import { createOutboundFetch, type FetchLike } from './lib/outbound-fetch.ts';
import { createTenantsService } from './modules/tenants/index.ts';
import { createPortfolioService } from './modules/portfolio/index.ts';
import { createLedgerService } from './modules/ledger/index.ts';
import { createWebhooksService, type WebhooksService } from './modules/events/index.ts';
import { createPolicyService } from './modules/policy/index.ts';
import { createMessagingService } from './modules/messaging/index.ts';
import type { SecretBox } from './lib/secretbox.ts';
import { createJourneysService } from './modules/journeys/index.ts';
import { createScoringService } from './modules/scoring/index.ts';

export interface ServiceDeps {
  db: Database;
  clock: Clock;
  newId: IdFactory;
  /** fetch for tenant-given URLs; by default it reaches public addresses only (lib/outbound-fetch.ts). */
  outboundFetch?: FetchLike;
  /** Messaging: the key for provider secrets and the public base URL (tests may omit both). */
  messaging?: { secretBox?: SecretBox; publicUrl?: string; fetch?: FetchLike };
}

/**
 * The module services, each built from the narrow dependencies it names. `webhooks` may be
 * replaced by the queue-backed one when workers run (deliveries then start at once instead of
 * waiting for the sweep).
 */
export const createServices = (deps: ServiceDeps, overrides: { webhooks?: WebhooksService } = {}) => {
  const policy = createPolicyService(deps);
  return {
    /** The shared dependencies, for modules that expose functions rather than a service object. */
    deps,
    tenants: createTenantsService(deps),
    portfolio: createPortfolioService(deps),
    ledger: createLedgerService(deps),
    webhooks: overrides.webhooks ?? createWebhooksService({
      ...deps,
      fetch: deps.outboundFetch ?? createOutboundFetch({ allowPrivate: false }),
      ...(deps.messaging?.secretBox ? { secrets: deps.messaging.secretBox } : {}),
    }),
    policy,
    messaging: createMessagingService({
      db: deps.db, clock: deps.clock, newId: deps.newId, policy,
      ...(deps.messaging?.secretBox ? { secretBox: deps.messaging.secretBox } : {}),
      ...(deps.messaging?.publicUrl ? { publicUrl: deps.messaging.publicUrl } : {}),
      ...(deps.messaging?.fetch ? { fetch: deps.messaging.fetch } : {}),
    }),
    journeys: createJourneysService(deps),
    scoring: createScoringService(deps),
  };
};

export type Services = ReturnType<typeof createServices>;
