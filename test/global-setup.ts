import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, dumpPglite } from '../src/db/db.ts';
import { migrate } from '../src/db/migrate.ts';

/**
 * Migrates one database once for the whole run. On PGlite the migrated data directory is dumped
 * to a snapshot that each test file loads (a fresh migrate costs seconds, a load a fraction);
 * with DATABASE_URL a template database is migrated and each test file clones it.
 */
export const SNAPSHOT = join(process.cwd(), '.tmp', 'pglite-migrated.tar');
export const TEMPLATE_DB = 'tacto_test_template';

export default async function setup(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const existing = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'tacto_test_%'`);
    for (const r of existing.rows as { datname: string }[]) await admin.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
    await admin.end();
    const u = new URL(url);
    u.pathname = `/${TEMPLATE_DB}`;
    const db = await openDatabase({ databaseUrl: u.toString(), poolSize: 1 });
    await migrate(db);
    await db.close();
    return;
  }
  const db = await openDatabase({ dataDir: 'memory://' });
  await migrate(db);
  const blob = await dumpPglite(db);
  await db.close();
  mkdirSync(join(process.cwd(), '.tmp'), { recursive: true });
  writeFileSync(SNAPSHOT, Buffer.from(await blob.arrayBuffer()));
}
