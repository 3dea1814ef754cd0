import type { Database } from './db/db.ts';
import type { Clock } from './lib/clock.ts';
import type { IdFactory } from './lib/ids.ts';
import { createTenantsService } from './modules/tenants/index.ts';
import { createPortfolioService } from './modules/portfolio/index.ts';
import { createLedgerService } from './modules/ledger/index.ts';
import { createWebhooksService, type WebhooksService } from './modules/events/index.ts';
import { createPolicyService } from './modules/policy/index.ts';
import { createScoringService } from './modules/scoring/index.ts';

export interface ServiceDeps {
  db: Database;
  clock: Clock;
  newId: IdFactory;
}

/**
 * The module services, each built from the narrow dependencies it names. `webhooks` may be
 * replaced by the queue-backed one when workers run (deliveries then start at once instead of
 * waiting for the sweep).
 */
export const createServices = (deps: ServiceDeps, overrides: { webhooks?: WebhooksService } = {}) => ({
  /** The shared dependencies, for modules that expose functions rather than a service object. */
  deps,
  tenants: createTenantsService(deps),
  portfolio: createPortfolioService(deps),
  ledger: createLedgerService(deps),
  webhooks: overrides.webhooks ?? createWebhooksService({ ...deps, fetch: globalThis.fetch }),
  policy: createPolicyService(deps),
  scoring: createScoringService(deps),
});

export type Services = ReturnType<typeof createServices>;
