import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/db.ts';
import { migrate } from './db/migrate.ts';
import { systemClock, type Clock } from './lib/clock.ts';
import { newId } from './lib/ids.ts';
import { createSecretBox, loadSecretKey } from './lib/secretbox.ts';
import { createServices, type Services } from './services.ts';
import { createOutboundFetch } from './lib/outbound-fetch.ts';

/** Made at install time by scripts/prepare-pglite-template.ts (see docs/adr/0003-pglite-template.md). */
export const PGLITE_TEMPLATE = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', '.cache', 'tacto', 'pglite-template');

export interface Context {
  config: Config;
  db: Database;
  clock: Clock;
  services: Services;
  close(): Promise<void>;
}

/** Opens the database (PGlite in the data directory, or DATABASE_URL), migrates, builds services. */
export const openContext = async (config: Config): Promise<Context> => {
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: resolve(config.dataDir, 'pglite'),
    templateDir: PGLITE_TEMPLATE,
    poolSize: config.poolSize,
  });
  try {
    await migrate(db);
  } catch (e) {
    await db.close();
    throw e;
  }
  const clock = systemClock;
  // Provider secrets at rest: TACTO_SECRET_KEY, or a key generated once in the data directory.
  const secretBox = createSecretBox(loadSecretKey(config.secretKey, resolve(config.dataDir, 'secret.key')));
  const outboundFetch = createOutboundFetch({ allowPrivate: config.outboundAllowPrivate });
  const services = createServices({ db, clock, newId, outboundFetch, messaging: { secretBox, publicUrl: config.publicUrl, fetch: outboundFetch } });
  return { config, db, clock, services, close: () => db.close() };
};
