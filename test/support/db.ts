import { readFileSync } from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/db.ts';
import { migrate } from '../../src/db/migrate.ts';

let counter = 0;

/**
 * A fresh, migrated database for one test file: a PGlite loaded from the run's snapshot, or,
 * with DATABASE_URL, a new database cloned from the run's migrated template on that server.
 * `close()` also drops the cloned database.
 */
export const createTestDatabase = async (): Promise<Database> => {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const path = inject('pgliteSnapshot');
    const db = await openDatabase({ dataDir: 'memory://', ...(path ? { loadDataDir: new Blob([new Uint8Array(readFileSync(path))]) } : {}) });
    if (!path) await migrate(db);
    return db;
  }
  const template = inject('templateDatabase');
  // The pid of the run (template suffix) leads the name so a later run can tell stale leftovers.
  const name = `tacto_test_${template.replace('tacto_tpl_', '')}_${process.pid}_${counter++}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  // CREATE DATABASE … TEMPLATE needs the template to have no other sessions; retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      break;
    } catch (e) {
      if (attempt > 100) throw e;
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
