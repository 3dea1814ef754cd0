/**
 * B3 (BENCHMARKS.md): dispatch N due messages through the sandbox channel — claim (SKIP LOCKED),
 * send-time policy and channel re-check, render, template check, send (the sandbox store),
 * record status, history and outbox events — against a bare `FOR UPDATE SKIP LOCKED` claim loop
 * over the same rows with the same batch size, timed in the same run on the same database.
 *
 * `node bench/dispatch.bench.ts [--db postgres|pglite] [--contacts 100000] [--batch 500] [--lanes 1|2]` (lanes: passes in
 * flight at once, default 2 on PostgreSQL, 1 on PGlite)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database, Sql } from '../src/db/db.ts';
import { systemClock } from '../src/lib/clock.ts';
import { newId } from '../src/lib/ids.ts';
import { createServices } from '../src/services.ts';
import { dispatchOutcome, seedDueContacts } from './dispatch.seed.ts';
import { openScratchDatabase, parseArgs, peakRssMB, round } from './support.ts';

/** The reference: claim the same rows, same batch size, nothing else. */
const bareClaimLoop = async (db: Database, batch: number): Promise<{ seconds: number; claimed: number }> => {
  await db.exec(`DROP TABLE IF EXISTS b3_reference;
    CREATE TABLE b3_reference AS SELECT tenant_id, id, send_at, kind, channel, 'scheduled'::text AS status, NULL::text AS claimed_by, NULL::timestamptz AS claim_expires_at FROM scheduled_contacts;
    ALTER TABLE b3_reference ADD PRIMARY KEY (tenant_id, id);
    CREATE INDEX b3_reference_due_idx ON b3_reference (send_at) WHERE status = 'scheduled';
    ANALYZE b3_reference`);
  let claimed = 0;
  const t0 = performance.now();
  for (;;) {
    const r = await db.query(
      `UPDATE b3_reference s SET status = 'claimed', claimed_by = 'bench', claim_expires_at = now() + interval '2 minutes'
       FROM (SELECT tenant_id, id FROM b3_reference WHERE status = 'scheduled' AND send_at <= now() AND kind IN ('message','offer','lesson')
             ORDER BY send_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
       WHERE s.tenant_id = due.tenant_id AND s.id = due.id RETURNING s.id`,
      [batch],
    );
    if (r.rowCount === 0) break;
    claimed += r.rowCount;
  }
  const seconds = (performance.now() - t0) / 1000;
  await db.exec('DROP TABLE b3_reference');
  return { seconds, claimed };
};

/** B3_PROFILE=1: time spent per SQL statement (by its first characters), printed to stderr. */
const profileSql = (db: Database): Map<string, [number, number]> => {
  const times = new Map<string, [number, number]>();
  const wrap = (sql: Sql): Sql => {
    const query = sql.query.bind(sql);
    sql.query = (async (text: string, params?: readonly unknown[]) => {
      const t = performance.now();
      try {
        return await query(text, params);
      } finally {
        const k = text.replace(/\s+/g, ' ').slice(0, 100);
        const e = times.get(k) ?? [0, 0];
        e[0] += performance.now() - t;
        e[1]++;
        times.set(k, e);
      }
    }) as Sql['query'];
    return sql;
  };
  wrap(db);
  const transaction = db.transaction.bind(db);
  db.transaction = (fn) => transaction((tx) => fn(wrap(tx)));
  return times;
};

const resetPeakRss = (): void => {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    /* not Linux */
  }
};

export async function benchDispatch(opts: { db: 'pglite' | 'postgres'; contacts: number; batch?: number; lanes?: number; databaseUrl?: string }): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'tacto-b3-'));
  const scratch = `tacto_bench_b3_${process.pid}`;
  const url = opts.databaseUrl ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const batch = opts.batch ?? 500;
  let scratchDb: Awaited<ReturnType<typeof openScratchDatabase>> | null = null;
  try {
    scratchDb = await openScratchDatabase({ kind: opts.db, url, name: scratch, dir, poolSize: 8 });
    const db = scratchDb.db;
    const sqlTimes = process.env.B3_PROFILE ? profileSql(db) : null;
    const services = createServices({ db, clock: systemClock, newId });
    const g0 = performance.now();
    await seedDueContacts(db, services, opts.contacts, new Date());
    const generateSeconds = (performance.now() - g0) / 1000;

    const reference = await bareClaimLoop(db, batch);

    resetPeakRss();
    const rssBefore = Math.round(process.memoryUsage().rss / 1048576);
    const t0 = performance.now();
    const lanes = opts.lanes ?? services.messaging.defaultLanes();
    const stats = await services.messaging.drain({ batchSize: batch, lanes });
    const dispatchSeconds = (performance.now() - t0) / 1000;
    const rssAfter = Math.round(process.memoryUsage().rss / 1048576);
    if (sqlTimes) {
      for (const [k, [ms, n]] of [...sqlTimes].sort((a, b) => b[1][0] - a[1][0]).slice(0, 15)) process.stderr.write(`${Math.round(ms)} ms ${n}x ${k}\n`);
      // Everything the dispatch waited on SQL (the reference loop excluded); the rest is JavaScript.
      const sqlMs = [...sqlTimes].filter(([k]) => !k.includes('b3_reference')).reduce((a, [, [ms]]) => a + ms, 0);
      process.stderr.write(`sql ${Math.round(sqlMs)} ms, the rest ${Math.round(dispatchSeconds * 1000 - sqlMs)} ms (${round((dispatchSeconds * 1000 - sqlMs) / opts.contacts, 3)} ms per message)\n`);
    }

    const { notDelivered, ...check } = await dispatchOutcome(db);
    const value = opts.contacts / dispatchSeconds;
    const ref = reference.claimed / reference.seconds;
    const ratio = value / ref;
    const complete = check.delivered === opts.contacts && check.sandbox === opts.contacts && check.messages === opts.contacts;
    return {
      workload: 'B3', value: Math.round(value), unit: 'msgs/s', reference: Math.round(ref), ratio: round(ratio, 3), target: 0.25, pass: ratio >= 0.25 && complete,
      rssMB: peakRssMB(), rssBeforeMB: rssBefore, rssAfterMB: rssAfter, contacts: opts.contacts, batch, lanes, db: opts.db,
      dispatchSeconds: round(dispatchSeconds), referenceSeconds: round(reference.seconds), generateSeconds: round(generateSeconds),
      stats, notDelivered, delivered: check.delivered, sandboxMessages: check.sandbox, outboxEvents: check.events,
    };
  } finally {
    await scratchDb?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = parseArgs(process.argv.slice(2));
  const db = (args.db ?? 'postgres') as 'postgres' | 'pglite';
  const result = await benchDispatch({ db, contacts: Number(args.contacts ?? 100_000), ...(args.batch ? { batch: Number(args.batch) } : {}), ...(args.lanes ? { lanes: Number(args.lanes) } : {}) });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
