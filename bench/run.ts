/**
 * `npm run bench [-- --only B1,B2,B3,B5,B6,B7,P1 --accounts 1000000 --contacts 100000 --workers 1,2,4 --db postgres|pglite]`
 * Prints one JSON line per workload (BENCHMARKS.md; B7 one per worker count): the figure, the
 * reference measured in the same run on the same database, their ratio, the target, pass, and
 * peak RSS. B7 (several dispatcher and daily-run processes) runs on PostgreSQL only: with --db pglite it runs
 * only when asked for by --only, and then reports why it cannot.
 */
import { parseArgs } from './support.ts';
import { benchStartup } from './startup.bench.ts';
import { benchImport } from './import.bench.ts';
import { benchPolicy } from './policy.bench.ts';
import { benchDispatch } from './dispatch.bench.ts';
import { benchDaily } from './daily.bench.ts';
import { benchDailyWorkers } from './daily-workers.bench.ts';
import { benchScoring } from './scoring.bench.ts';
import { benchWorkers } from './workers.bench.ts';

const args = parseArgs(process.argv.slice(2));
const only = args.only ? new Set(args.only.split(',').map((s) => s.trim().toUpperCase())) : null;
const db = (args.db ?? 'postgres') as 'postgres' | 'pglite';
if (db !== 'postgres' && db !== 'pglite') throw new Error('--db must be postgres or pglite');
const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const accounts = args.accounts ? Number(args.accounts) : undefined;
const workers = args.workers ? args.workers.split(',').map(Number) : undefined;

const workloads: Record<string, () => Promise<Record<string, unknown> | Record<string, unknown>[]>> = {
  B1: () => benchImport({ db, accounts: accounts ?? (db === 'postgres' ? 1_000_000 : 100_000), databaseUrl }),
  B2: () => benchDaily({ db, accounts: accounts ?? (db === 'postgres' ? 1_000_000 : 100_000), databaseUrl, secondDay: true }),
  B3: () => benchDispatch({ db, contacts: args.contacts ? Number(args.contacts) : 100_000, databaseUrl }),
  B5: () => benchScoring({}),
  B6: () => benchStartup(),
  P1: () => benchPolicy({}),
  ...(db === 'postgres' || only?.has('B7') ? {
    // Both halves: B3 (dispatch) and B2 (the daily run) with several processes; a line per worker count.
    B7: async () => [
      ...(await benchWorkers({ db, contacts: args.contacts ? Number(args.contacts) : 50_000, databaseUrl, ...(workers ? { workers } : {}) })),
      ...(db === 'postgres' ? await benchDailyWorkers({ accounts: accounts ?? 100_000, workers: workers ?? [1, 2, 4], databaseUrl }) : []),
    ],
  } : {}),
};

let failed = false;
for (const [id, run] of Object.entries(workloads)) {
  if (only && !only.has(id)) continue;
  try {
    const result = await run();
    for (const line of Array.isArray(result) ? result : [result]) {
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
  } catch (e) {
    failed = true;
    process.stdout.write(`${JSON.stringify({ workload: id, error: (e as Error).message })}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
