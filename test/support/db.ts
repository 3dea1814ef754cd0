import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/db.ts';
import { migrate } from '../../src/db/migrate.ts';

const SNAPSHOT = join(process.cwd(), '.tmp', 'pglite-migrated.tar');
const TEMPLATE_DB = 'tacto_test_template';
let counter = 0;

/**
 * A fresh, migrated database for one test file: a PGlite loaded from the run's snapshot, or,
 * with DATABASE_URL, a new database cloned from the migrated template on that server.
 * `close()` also drops the cloned database.
 */
export const createTestDatabase = async (): Promise<Database> => {
  const url = process.env.DATABASE_URL;
  if (!url) {
    let snapshot: Buffer | undefined;
    try {
      snapshot = readFileSync(SNAPSHOT);
    } catch {
      snapshot = undefined;
    }
    const db = await openDatabase({ dataDir: 'memory://', ...(snapshot ? { loadDataDir: new Blob([new Uint8Array(snapshot)]) } : {}) });
    if (!snapshot) await migrate(db);
    return db;
  }
  const name = `tacto_test_${process.pid}_${Date.now()}_${counter++}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  // CREATE DATABASE … TEMPLATE needs the template to have no other sessions; retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`);
      break;
    } catch (e) {
      if (attempt > 50) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: u.toString(), poolSize: 4 });
  const close = db.close.bind(db);
  return Object.assign(db, {
    close: async () => {
      await close();
      const a = new pg.Client({ connectionString: url });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  });
};
