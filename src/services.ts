import type { Database } from './db/db.ts';
import type { Clock } from './lib/clock.ts';
import type { IdFactory } from './lib/ids.ts';
import { createTenantsService } from './modules/tenants/index.ts';
import { createPortfolioService } from './modules/portfolio/index.ts';
import { createLedgerService } from './modules/ledger/index.ts';

/** The module services, each built from the narrow dependencies it names. */
export const createServices = (deps: { db: Database; clock: Clock; newId: IdFactory }) => ({
  tenants: createTenantsService(deps),
  portfolio: createPortfolioService(deps),
  ledger: createLedgerService(deps),
});

export type Services = ReturnType<typeof createServices>;
