import { cpSync, mkdirSync, openSync, closeSync, writeSync, readFileSync, unlinkSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';

/**
 * One small interface over the two engines we run on: PGlite in-process (default, zero set-up)
 * and a PostgreSQL server (`DATABASE_URL`). Everything above this file speaks plain
 * PostgreSQL through `Sql`, so the same repos, migrations and tests run on both.
 */
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /** Runs a `COPY … FROM STDIN` statement feeding it `data` (text or CSV as the statement says). */
  copyIn(statement: string, data: string): Promise<void>;
}

export interface Database extends Sql {
  readonly kind: 'pglite' | 'postgres';
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /** Multi-statement script without parameters (migrations). */
  exec(script: string): Promise<void>;
  /**
   * Takes an exclusive, named lock for this process, or answers null when another holder has it.
   * On PostgreSQL a session advisory lock on a connection kept for the hold: the server releases
   * it when the process dies, so a crashed worker's work can be taken up at once. On PGlite (one
   * process per data directory) the name is held in memory. Call the returned function to release.
   */
  tryLock(name: string): Promise<(() => Promise<void>) | null>;
  close(): Promise<void>;
}

// Explicit type parsers so both engines hand back the same JS values:
// int8 -> number (checked safe), date -> 'YYYY-MM-DD' string, numeric -> string.
const parseInt8 = (v: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`int8 value ${v} exceeds the safe integer range`);
  return n;
};
const identity = (v: string): string => v;

pg.types.setTypeParser(20, parseInt8);
pg.types.setTypeParser(1082, identity);
pg.types.setTypeParser(1700, identity);
// One-dimensional arrays of those (PGlite already applies the element parsers): int8[], date[].
// Their elements are never quoted in the text form, so a split is the whole grammar.
const arrayOf = <T>(parse: (v: string) => T) => (v: string): (T | null)[] => (v === '{}' ? [] : v.slice(1, -1).split(',').map((e) => (e === 'NULL' ? null : parse(e))));
pg.types.setTypeParser(1016 as Parameters<typeof pg.types.setTypeParser>[0], arrayOf(parseInt8));
pg.types.setTypeParser(1182 as Parameters<typeof pg.types.setTypeParser>[0], arrayOf(identity));

export interface OpenOptions {
  /** PostgreSQL connection string; when absent, PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; `memory://` for an in-memory database. */
  dataDir?: string;
  /** PGlite: start from a dumped data directory (tests use a migrated snapshot). */
  loadDataDir?: Blob;
  /**
   * PGlite: an initialised, migrated data directory copied into a *new* data directory, which
   * skips initdb (seconds and hundreds of MB on first start). Ignored when the directory
   * already holds data or the template is absent.
   */
  templateDir?: string;
  poolSize?: number;
}

export const openDatabase = async (opts: OpenOptions): Promise<Database> =>
  opts.databaseUrl ? openPostgres(opts.databaseUrl, opts.poolSize ?? 10) : openPglite(opts);

const openPostgres = async (url: string, max: number): Promise<Database> => {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', () => {
    /* idle client errors surface on the next query */
  });
  const onClient = (c: pg.PoolClient | pg.Pool): Sql => ({
    query: async <T>(text: string, params?: readonly unknown[]) => {
      const r = await c.query(text, params as unknown[]);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    },
    copyIn: async (statement: string, data: string) => {
      const client = 'release' in c ? c : await (c as pg.Pool).connect();
      try {
        const stream = client.query(copyFrom(statement));
        await pipeline(Readable.from([data]), stream);
      } finally {
        if (!('release' in c)) client.release();
      }
    },
  });
  await pool.query('select 1');
  return {
    kind: 'postgres',
    ...onClient(pool),
    transaction: async <T>(fn: (tx: Sql) => Promise<T>) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const out = await fn(onClient(client));
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    exec: async (script: string) => {
      await pool.query(script);
    },
    tryLock: async (name: string) => {
      const client = await pool.connect();
      try {
        const got = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [name])).rows[0]!.ok;
        if (!got) {
          client.release();
          return null;
        }
      } catch (e) {
        client.release();
        throw e;
      }
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        try {
          await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [name]);
          client.release();
        } catch (e) {
          // A broken connection is dropped from the pool (and the server released the lock with it).
          client.release(e as Error);
        }
      };
    },
    close: () => pool.end(),
  };
};

/**
 * PGlite is one process, one connection: two processes opening the same directory silently
 * lose writes, so we hold a lock file for the life of the process and refuse a second opener.
 */
const acquireLock = (dir: string): (() => void) => {
  const file = join(dir, 'tacto.lock');
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8').trim());
    let alive = false;
    try {
      if (pid && pid !== process.pid) {
        process.kill(pid, 0);
        alive = true;
      }
    } catch {
      alive = false;
    }
    if (alive) {
      throw new Error(
        `The data directory ${dir} is in use by process ${pid}. PGlite allows one process per directory: ` +
          'stop that process, or set DATABASE_URL to share a PostgreSQL server between processes.',
      );
    }
    unlinkSync(file);
  }
  const fd = openSync(file, 'wx');
  writeSync(fd, String(process.pid));
  closeSync(fd);
  return () => {
    try {
      unlinkSync(file);
    } catch {
      /* already gone */
    }
  };
};

const openPglite = async (opts: OpenOptions): Promise<Database> => {
  const dataDir = opts.dataDir ?? 'memory://';
  let release = (): void => undefined;
  if (!dataDir.startsWith('memory://')) {
    mkdirSync(dataDir, { recursive: true });
    release = acquireLock(dataDir);
  }
  const parsers = { [pgliteTypes.INT8]: parseInt8, [pgliteTypes.DATE]: identity, [pgliteTypes.NUMERIC]: identity };
  const loadDataDir = opts.loadDataDir;
  if (!loadDataDir && opts.templateDir && !dataDir.startsWith('memory://') && !existsSync(join(dataDir, 'PG_VERSION')) && existsSync(join(opts.templateDir, 'PG_VERSION'))) {
    // A plain file copy: cheaper than untarring a dump inside WebAssembly memory.
    cpSync(opts.templateDir, dataDir, { recursive: true, filter: (src) => !src.endsWith('tacto.lock') });
  }
  let db: PGlite;
  try {
    db = await PGlite.create({
      dataDir: dataDir.startsWith('memory://') ? undefined : dataDir,
      loadDataDir,
      parsers,
      // PGlite's WebAssembly memory grows and never shrinks: with the default 128 MB of shared
      // buffers a demo load alone filled them. 32 MB keeps the embedded server ~100 MB smaller
      // (docs/benchmarks.md, B6); file-system pages stay cached by the OS.
      startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'],
    } as ConstructorParameters<typeof PGlite>[0]);
  } catch (e) {
    release();
    throw e;
  }
  const held = new Set<string>();
  type Q = { query: PGlite['query'] };
  const onConn = (c: Q): Sql => ({
    query: async <T>(text: string, params?: readonly unknown[]) => {
      const r = await c.query<T>(text, params as unknown[]);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
    // PGlite reads COPY input from a virtual /dev/blob file.
    copyIn: async (statement: string, data: string) => {
      await c.query(statement.replace(/FROM\s+STDIN/i, "FROM '/dev/blob'"), [], { blob: new Blob([data]) });
    },
  });
  return {
    kind: 'pglite',
    ...onConn(db),
    transaction: <T>(fn: (tx: Sql) => Promise<T>) => db.transaction((tx) => fn(onConn(tx as unknown as Q))),
    exec: async (script: string) => {
      await db.exec(script);
    },
    tryLock: async (name: string) => {
      if (held.has(name)) return null;
      held.add(name);
      return async () => void held.delete(name);
    },
    close: async () => {
      try {
        await db.close();
      } finally {
        release();
      }
    },
    dumpDataDir: () => db.dumpDataDir('none'),
  } as Database;
};

/** PGlite only: a tarball of the data directory (used to snapshot a migrated test database). */
export const dumpPglite = async (db: Database): Promise<Blob> => {
  const d = db as Database & { dumpDataDir?: () => Promise<Blob> };
  if (!d.dumpDataDir) throw new Error('dumpPglite needs a PGlite database');
  return d.dumpDataDir();
};
