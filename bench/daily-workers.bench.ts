/**
 * B7 (daily run half) — the daily run over N accounts shared by 1, 2 and 4 worker processes on
 * one PostgreSQL (BENCHMARKS.md). The B2 portfolio is generated once into a scratch database;
 * each worker count gets a fresh copy of it (`CREATE DATABASE … TEMPLATE`), and real `tacto run
 * daily` processes: the first cuts the run into W slices (`--slices W`), the other W−1 join it
 * (`--join --wait`), all started together. Timed from the first process's start to the last one's
 * exit (start-up included, the same for every count); the reference is the one-process figure of
 * the same invocation.
 *
 * Checked for every count: the run completed, each slice's accounts were seen once and together
 * they are every active account, no idempotency key twice, and the contacts and journey states
 * are identical (digest) to the one-process run's: nothing processed twice, nothing missed.
 *
 * Run alone: `node bench/daily-workers.bench.ts --accounts 100000 --workers 1,2,4`.
 */
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/db/db.ts';
import { newId } from '../src/lib/ids.ts';
import { fixedClock } from '../src/lib/clock.ts';
import { createJourneysService } from '../src/modules/journeys/index.ts';
import { AT, BUSINESS_DATE, seedPortfolio } from './daily.bench.ts';
import { adminQuery as admin, databaseUrlOf as withName, openScratchDatabase, parseArgs, round, runProcesses } from './support.ts';

const ROOT = resolve(import.meta.dirname, '..');

interface Outcome { status: string; contacts: number; distinctKeys: number; seen: number; digest: string; slicesSeen: number[] }

const outcomeOf = async (url: string, tenantId: string): Promise<Outcome> => {
  const db = await openDatabase({ databaseUrl: url, poolSize: 1 });
  try {
    const run = (await db.query<{ status: string }>('SELECT status FROM journey_runs WHERE tenant_id = $1 AND business_date = $2', [tenantId, BUSINESS_DATE])).rows[0];
    const slices = (await db.query<{ n: number }>(
      'SELECT s.accounts_seen AS n FROM journey_run_slices s JOIN journey_runs r ON r.tenant_id = s.tenant_id AND r.id = s.run_id WHERE r.tenant_id = $1 ORDER BY s.slice', [tenantId],
    )).rows.map((r) => r.n);
    // Everything the run decided, without the ids it makes up (contact ids differ by process).
    const digest = (await db.query<{ contacts: number; keys: number; c: string; s: string }>(
      `SELECT (SELECT count(*)::int FROM scheduled_contacts WHERE tenant_id = $1) AS contacts,
              (SELECT count(DISTINCT idempotency_key)::int FROM scheduled_contacts WHERE tenant_id = $1) AS keys,
              (SELECT md5(string_agg(concat_ws('|', account_id, idempotency_key, kind, channel, purpose, destination, send_at, window_end, status, journey_id, step_id, arm), ',' ORDER BY idempotency_key))
                 FROM scheduled_contacts WHERE tenant_id = $1) AS c,
              (SELECT md5(string_agg(concat_ws('|', account_id, strategy_id, segment_id, arm, journey_id, step_id, entered_step_at, attempts, status, status_reason, last_contact_key), ',' ORDER BY account_id))
                 FROM account_journeys WHERE tenant_id = $1) AS s`,
      [tenantId],
    )).rows[0]!;
    return { status: run?.status ?? 'absent', contacts: digest.contacts, distinctKeys: digest.keys, seen: slices.reduce((a, b) => a + b, 0), digest: `${digest.c}/${digest.s}`, slicesSeen: slices };
  } finally {
    await db.close();
  }
};

export async function benchDailyWorkers(opts: { accounts: number; workers: number[]; databaseUrl?: string }): Promise<Record<string, unknown>[]> {
  const url = opts.databaseUrl ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const base = `tacto_bench_b7d_${process.pid}`;
  const scratch = await openScratchDatabase({ kind: 'postgres', url, name: base, dir: '' });
  const lines: Record<string, unknown>[] = [];
  try {
    const db = scratch.db;
    const clock = fixedClock(AT);
    const { tenantId } = await seedPortfolio(db, opts.accounts);
    await createJourneysService({ db, clock, newId }).loadBuiltInStrategies(tenantId);
    await db.exec('VACUUM ANALYZE');
    const active = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM accounts WHERE tenant_id = $1 AND status = 'active'`, [tenantId])).rows[0]!.n;
    // The template must have no session for CREATE DATABASE … TEMPLATE.
    await db.close();

    let reference: { value: number; digest: string } | null = null;
    for (const w of opts.workers) {
      const name = `${base}_w${w}`;
      await admin(url, [`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, `CREATE DATABASE ${name} TEMPLATE ${base}`]);
      const target = withName(url, name);
      const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: target, LOG_LEVEL: 'silent', TACTO_WORKERS: 'off' };
      const run = ['run', 'daily', '--tenant', 'bench', '--date', BUSINESS_DATE, '--json'];
      const load = loadavg()[0]!;
      // The helpers start with the first process and join once it has created the run.
      const ran = await runProcesses({
        count: w, command: process.execPath, cwd: ROOT, env,
        args: (i) => ['src/main.ts', ...run, ...(i === 0 ? ['--at', AT, '--slices', String(w)] : ['--join', '--wait', '120'])],
      });
      const seconds = ran.seconds;
      const failed = ran.processes.find((r) => r.exitCode !== 0);
      if (failed) throw new Error(`a run daily process exited ${failed.exitCode ?? failed.signal}: ${failed.stderr.slice(-500)}`);
      const worked = ran.processes.map((r) => (JSON.parse(r.stdout) as { slicesWorked?: number[] } | null)?.slicesWorked ?? []);
      const peaks = ran.processes.map((r) => r.peakRssMB ?? 0);
      const o = await outcomeOf(target, tenantId);
      await admin(url, [`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
      const value = active / seconds;
      reference ??= { value, digest: o.digest };
      const duplicates = o.contacts - o.distinctKeys + Math.max(0, o.seen - active);
      const missing = Math.max(0, active - o.seen);
      const sameAsOne = o.digest === reference.digest;
      lines.push({
        workload: 'B7-daily', workers: w, value: Math.round(value), unit: 'accounts/s', reference: Math.round(reference.value), ratio: round(value / reference.value, 3),
        target: 'no account decided twice or missed; throughput grows with workers until the cores run out', pass: o.status === 'completed' && duplicates === 0 && missing === 0 && sameAsOne,
        rssMB: peaks.reduce((a, b) => a + b, 0), rssPerProcessMB: peaks, cpuSeconds: ran.processes.map((r) => r.cpuSeconds), seconds: round(seconds), accounts: opts.accounts, activeAccounts: active,
        contacts: o.contacts, duplicates, missing, sameAsOneWorker: sameAsOne, slicesSeen: o.slicesSeen, slicesWorked: worked,
        cores: availableParallelism(), loadAverage: round(load, 2),
      });
    }
    return lines;
  } finally {
    await scratch.drop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = parseArgs(process.argv.slice(2));
  const workers = (args.workers ?? '1,2,4').split(',').map(Number);
  const lines = await benchDailyWorkers({ accounts: Number(args.accounts ?? 100_000), workers, ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}) });
  for (const l of lines) process.stdout.write(`${JSON.stringify(l)}\n`);
}
