import type { Db as IDatabase } from 'pg-boss';
import type { Database, Sql } from '../db/db.ts';

/**
 * pg-boss speaks to the database through `executeSql(text, values)`. These adapters let it run
 * over our `Database` (so on PGlite it shares the one in-process connection instead of needing a
 * server) and over a caller's transaction (so a job is enqueued if and only if the caller's
 * change commits).
 */

const isMultiStatementRejection = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && (e as { code?: unknown }).code === '42601' &&
  /multiple commands/i.test(String((e as { message?: unknown }).message));

/**
 * Adapter over the whole database. pg-boss sends two kinds of statements:
 * - parameterised single statements (fetch, insert, complete…): plain `query`;
 * - parameterless scripts, some of them several statements in one `BEGIN … COMMIT` (migrations,
 *   queue creation, maintenance under an advisory lock).
 * node-postgres runs a parameterless text with the simple protocol, so scripts just work there.
 * PGlite's `query` uses the extended protocol, which refuses several commands, so a script goes
 * through `exec` instead. Neither path hands back rows of a multi-statement script (our `Sql`
 * returns one result); pg-boss only reads those for optional statistics (queue-stats history,
 * the monitor's back-off timing) and treats an empty answer as "another instance ran the pass".
 */
export const pgBossDbOver = (db: Database): IDatabase => ({
  async executeSql(text: string, values?: unknown[]) {
    if (values && values.length > 0) return { rows: (await db.query(text, values)).rows };
    if (db.kind === 'postgres') return { rows: (await db.query(text)).rows ?? [] };
    try {
      return { rows: (await db.query(text)).rows };
    } catch (e) {
      if (!isMultiStatementRejection(e)) throw e;
    }
    try {
      await db.exec(text);
      return { rows: [] };
    } catch (e) {
      // PGlite is one session: a script that failed between its BEGIN and COMMIT leaves that
      // session in an aborted transaction, and every later statement (ours included) would fail
      // with "current transaction is aborted". A pooled driver would discard the connection; we
      // roll back instead. (pg-boss's own PGlite adapter does the same.)
      await db.exec('ROLLBACK').catch(() => undefined);
      throw e;
    }
  },
});

/** Adapter over a caller's transaction: what pg-boss writes through it commits or rolls back with it. */
export const pgBossDbInTransaction = (tx: Sql): IDatabase => ({
  async executeSql(text: string, values?: unknown[]) {
    return { rows: (await tx.query(text, values ?? [])).rows };
  },
});
