/**
 * `npm run bench [-- --only B1,B2,B3,B5,B6,P1 --accounts 1000000 --contacts 100000 --db postgres|pglite]`
 * Prints one JSON line per workload (BENCHMARKS.md): the figure, the reference measured in the
 * same run on the same database, their ratio, the target, pass, and peak RSS.
 */
import { parseArgs } from './support.ts';
import { benchStartup } from './startup.bench.ts';
import { benchImport } from './import.bench.ts';
import { benchPolicy } from './policy.bench.ts';
import { benchDispatch } from './dispatch.bench.ts';
import { benchDaily } from './daily.bench.ts';
import { benchScoring } from './scoring.bench.ts';

const args = parseArgs(process.argv.slice(2));
const only = args.only ? new Set(args.only.split(',').map((s) => s.trim().toUpperCase())) : null;
const db = (args.db ?? 'postgres') as 'postgres' | 'pglite';
if (db !== 'postgres' && db !== 'pglite') throw new Error('--db must be postgres or pglite');
const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const accounts = args.accounts ? Number(args.accounts) : undefined;

const workloads: Record<string, () => Promise<Record<string, unknown>>> = {
  B1: () => benchImport({ db, accounts: accounts ?? (db === 'postgres' ? 1_000_000 : 100_000), databaseUrl }),
  B2: () => benchDaily({ db, accounts: accounts ?? (db === 'postgres' ? 1_000_000 : 100_000), databaseUrl, secondDay: true }),
  B3: () => benchDispatch({ db, contacts: args.contacts ? Number(args.contacts) : 100_000, databaseUrl }),
  B5: () => benchScoring({}),
  B6: () => benchStartup(),
  P1: () => benchPolicy({}),
};

let failed = false;
for (const [id, run] of Object.entries(workloads)) {
  if (only && !only.has(id)) continue;
  try {
    process.stdout.write(`${JSON.stringify(await run())}\n`);
  } catch (e) {
    failed = true;
    process.stdout.write(`${JSON.stringify({ workload: id, error: (e as Error).message })}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
