import type { FastifyInstance } from 'fastify';
import type { Database } from '../../src/db/db.ts';
import { newId } from '../../src/lib/ids.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { createServices } from '../../src/services.ts';
import { createOutboundFetch } from '../../src/lib/outbound-fetch.ts';
import { buildApp } from '../../src/http/app.ts';
import { createTestDatabase } from './db.ts';

/** A migrated database, the services on a fixed clock, and the HTTP app, for one test file. */
export const startTestApp = async (now = '2026-03-15T10:00:00Z'): Promise<{
  db: Database;
  app: FastifyInstance;
  clock: ReturnType<typeof fixedClock>;
  services: ReturnType<typeof createServices>;
  close: () => Promise<void>;
}> => {
  const db = await createTestDatabase();
  const clock = fixedClock(now);
  // Webhook receivers in tests listen on 127.0.0.1, which production refuses (lib/outbound-fetch.ts).
  const services = createServices({ db, clock, newId, outboundFetch: createOutboundFetch({ allowPrivate: true }) });
  const app = await buildApp({ db, services, webDir: '/nonexistent' });
  await app.ready();
  return {
    db,
    app,
    clock,
    services,
    close: async () => {
      await app.close();
      await db.close();
    },
  };
};
