import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase, dumpPglite } from '../src/db/db.ts';
import { migrate } from '../src/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteSnapshot: string;
    templateDatabase: string;
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Migrates one database once for the whole run. On PGlite the migrated data directory is dumped
 * to a snapshot that each test file loads (a fresh migrate costs seconds, a load a fraction);
 * with DATABASE_URL a template database is migrated and each test file clones it. Names carry
 * this run's pid so concurrent runs on one machine never touch each other's databases.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const template = `tacto_tpl_${process.pid}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const existing = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname ~ '^tacto_(test|tpl)_[0-9]+'`);
    for (const { datname } of existing.rows) {
      const pid = Number(/^tacto_(?:test|tpl)_(\d+)/.exec(datname)?.[1]);
      if (!alive(pid) || pid === process.pid) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    await admin.query(`CREATE DATABASE ${template}`);
    await admin.end();
    const u = new URL(url);
    u.pathname = `/${template}`;
    const db = await openDatabase({ databaseUrl: u.toString(), poolSize: 1 });
    await migrate(db);
    await db.close();
    project.provide('templateDatabase', template);
    project.provide('pgliteSnapshot', '');
    return async () => {
      const a = new pg.Client({ connectionString: url });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
      await a.end();
    };
  }
  const db = await openDatabase({ dataDir: 'memory://' });
  await migrate(db);
  const blob = await dumpPglite(db);
  await db.close();
  const dir = join(process.cwd(), '.tmp');
  mkdirSync(dir, { recursive: true });
  const snapshot = join(dir, `pglite-migrated-${process.pid}.tar`);
  writeFileSync(snapshot, Buffer.from(await blob.arrayBuffer()));
  project.provide('pgliteSnapshot', snapshot);
  project.provide('templateDatabase', '');
  return async () => rmSync(snapshot, { force: true });
}
