import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/db.ts';
import { migrate } from '../src/db/migrate.ts';

/** One benchmark result line (BENCHMARKS.md): the figure, the in-run reference and their ratio. */
export interface BenchResult {
  workload: string;
  value: number;
  unit: string;
  reference: number | null;
  ratio: number | null;
  target: number | string;
  pass: boolean;
  rssMB: number;
  [extra: string]: unknown;
}

/** Peak resident set size of a process in MB (VmHWM from /proc), or of this process. */
export const peakRssMB = (pid: number | 'self' = 'self'): number => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return Math.round(kb / 1024);
  } catch {
    return Math.round(process.memoryUsage().rss / 1024 / 1024);
  }
};

export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

export const parseArgs = (argv: string[]): Record<string, string> => {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const [k, v] = a.slice(2).split('=', 2) as [string, string | undefined];
    if (v !== undefined) out[k] = v;
    else if (argv[i + 1] && !argv[i + 1]!.startsWith('--')) out[k] = argv[++i]!;
    else out[k] = 'true';
  }
  return out;
};

/**
 * A migrated database of its own for one benchmark: on PostgreSQL a scratch database `name`
 * created (and dropped by `drop`) on the server `url` points at, never the shared one's tables;
 * on PGlite a data directory under `dir`.
 */
export const openScratchDatabase = async (opts: {
  kind: 'postgres' | 'pglite';
  url: string;
  name: string;
  dir: string;
  poolSize?: number;
}): Promise<{ db: Database; drop: () => Promise<void> }> => {
  const admin = async (statements: string[]): Promise<void> => {
    const client = new pg.Client({ connectionString: opts.url });
    await client.connect();
    try {
      for (const s of statements) await client.query(s);
    } finally {
      await client.end();
    }
  };
  let db: Database;
  if (opts.kind === 'postgres') {
    await admin([`DROP DATABASE IF EXISTS ${opts.name} WITH (FORCE)`, `CREATE DATABASE ${opts.name}`]);
    const u = new URL(opts.url);
    u.pathname = `/${opts.name}`;
    db = await openDatabase({ databaseUrl: u.toString(), poolSize: opts.poolSize ?? 4 });
  } else db = await openDatabase({ dataDir: join(opts.dir, 'pglite') });
  try {
    await migrate(db);
  } catch (e) {
    await db.close();
    throw e;
  }
  return {
    db,
    drop: async () => {
      await db.close();
      if (opts.kind === 'postgres') await admin([`DROP DATABASE IF EXISTS ${opts.name} WITH (FORCE)`]);
    },
  };
};
