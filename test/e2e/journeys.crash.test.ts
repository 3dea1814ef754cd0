import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/db.ts';

/**
 * The daily run killed (SIGKILL) at random points, several times, then restarted, must end with
 * exactly the scheduled contacts and journey states of an uninterrupted run on a copy of the same
 * data: no duplicates, no gaps. Runs the real CLI as a child process, on a PGlite data directory
 * or, with DATABASE_URL, on a PostgreSQL database.
 */

const ROOT = resolve(import.meta.dirname, '..', '..');
const NODE = process.execPath;
// The demo runs today's run when it loads; the run under test is the next day's, over the states
// today's left (a second day: waits, receipts awaited, fallbacks).
const TODAY = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
const AT = `${TODAY}T06:00:00.000Z`;
const url = process.env.DATABASE_URL;
const dir = mkdtempSync(join(tmpdir(), 'tacto-crash-'));
const names = { clean: `tacto_crash_${process.pid}_clean`, killed: `tacto_crash_${process.pid}_killed`, sliced: `tacto_crash_${process.pid}_sliced` };
type Copy = keyof typeof names;

const envFor = (copy: Copy): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, TACTO_DATA_DIR: join(dir, copy), LOG_LEVEL: 'silent', TACTO_DEMO_ACCOUNTS: '600' };
  if (url) {
    const u = new URL(url);
    u.pathname = `/${names[copy]}`;
    env.DATABASE_URL = u.toString();
  } else delete env.DATABASE_URL;
  return env;
};

const cli = (copy: Copy, args: string[]): void => {
  const r = spawnSync(NODE, ['src/main.ts', ...args], { cwd: ROOT, env: envFor(copy), encoding: 'utf8', timeout: 240_000 });
  if (r.status !== 0) throw new Error(`tacto ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
};

const RUN = ['run', 'daily', '--tenant', 'demo', '--date', TODAY, '--at', AT, '--batch-size', '25'];

/**
 * Starts the run and kills it with SIGKILL once it has committed `afterBatches` batches (plus a
 * random delay); `onBatch` hears of every committed batch.
 */
const runAndKill = (afterBatches: number, delayMs: number, copy: Copy = 'killed', args = RUN, onBatch?: (n: number) => void): Promise<{ killed: boolean }> =>
  new Promise((done, fail) => {
    const child = spawn(NODE, ['src/main.ts', ...args], { cwd: ROOT, env: envFor(copy), stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    let killed = false;
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      const batches = [...err.matchAll(/batch (\d+):/g)].map((m) => Number(m[1]));
      if (batches.length) onBatch?.(Math.max(...batches));
      if (!killed && batches.length && Math.max(...batches) >= afterBatches) {
        killed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') done({ killed: true });
      else if (code === 0) done({ killed: false });
      else fail(new Error(`run exited ${code}: ${err}`));
    });
  });

interface Snapshot { contacts: string[]; states: string[]; run: { status: string } }

const snapshot = async (copy: Copy): Promise<Snapshot> => {
  const env = envFor(copy);
  const db = await openDatabase(url ? { databaseUrl: env.DATABASE_URL, poolSize: 1 } : { dataDir: join(dir, copy, 'pglite') });
  try {
    const contacts = await db.query<{ k: string }>(
      `SELECT concat_ws('|', account_id, idempotency_key, kind, channel, purpose, destination, send_at, window_end, status, journey_id, step_id, arm) AS k
       FROM scheduled_contacts WHERE run_id IS NOT NULL ORDER BY idempotency_key`,
    );
    const states = await db.query<{ k: string }>(
      `SELECT concat_ws('|', account_id, strategy_id, segment_id, arm, journey_id, step_id, entered_step_at, attempts, status, status_reason, last_contact_key, last_action::text) AS k
       FROM account_journeys ORDER BY account_id`,
    );
    const run = await db.query<{ status: string }>(`SELECT status FROM journey_runs WHERE business_date = $1`, [TODAY]);
    return { contacts: contacts.rows.map((r) => r.k), states: states.rows.map((r) => r.k), run: run.rows[0]! };
  } finally {
    await db.close();
  }
};

beforeAll(async () => {
  if (url) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    for (const n of Object.values(names)) await admin.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${names.clean}`);
    await admin.end();
  }
  cli('clean', ['demo', '--accounts', '600']);
  // The same data twice: a data directory copy, or a database cloned from the first.
  if (url) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${names.killed} TEMPLATE ${names.clean}`);
    await admin.query(`CREATE DATABASE ${names.sliced} TEMPLATE ${names.clean}`);
    await admin.end();
  } else {
    cpSync(join(dir, 'clean'), join(dir, 'killed'), { recursive: true });
    cpSync(join(dir, 'clean'), join(dir, 'sliced'), { recursive: true });
  }
  // The reference: the run uninterrupted, in one slice.
  cli('clean', RUN);
}, 300_000);

afterAll(async () => {
  if (url) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    for (const n of Object.values(names)) await admin.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
    await admin.end();
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('the daily run killed mid-way and restarted', () => {
  it('finishes with the same contacts and states as an uninterrupted run: no duplicates, no gaps', async () => {
    const clean = await snapshot('clean');
    expect(clean.run.status).toBe('completed');
    expect(clean.contacts.length).toBeGreaterThan(50);

    let kills = 0;
    // Kill points spread over the run (24 batches): each restart resumes after the last
    // checkpoint, so three kills after 1–3, 3–6 and 3–6 more batches stay short of the end.
    for (const afterBatches of [1 + Math.floor(Math.random() * 3), 3 + Math.floor(Math.random() * 4), 3 + Math.floor(Math.random() * 4)]) {
      // A short random delay: on PostgreSQL a 25-account batch takes ~10 ms, and a longer delay
      // let the last batches finish before the signal landed (the run then completed, not resumed).
      const r = await runAndKill(afterBatches, Math.floor(Math.random() * 15));
      if (r.killed) kills++;
      else break;
    }
    expect(kills).toBeGreaterThanOrEqual(2);
    const interrupted = await snapshot('killed');
    expect(interrupted.run.status).toBe('running');
    expect(interrupted.contacts.length).toBeLessThan(clean.contacts.length);

    cli('killed', RUN);
    const resumed = await snapshot('killed');
    expect(resumed.run.status).toBe('completed');
    expect(new Set(resumed.contacts).size).toBe(resumed.contacts.length);
    expect(resumed.contacts).toEqual(clean.contacts);
    expect(resumed.states).toEqual(clean.states);

    // And once more the same day: nothing new.
    cli('killed', RUN);
    expect((await snapshot('killed')).contacts).toEqual(clean.contacts);
  }, 600_000);

  it('in slices shared by two processes, one of them killed, ends as the uninterrupted run of one slice', async () => {
    const clean = await snapshot('clean');
    const JOIN = ['run', 'daily', '--tenant', 'demo', '--date', TODAY, '--batch-size', '25', '--join', '--json'];
    // The first process cuts the run into 4 slices and is killed after a few batches; on a
    // server, a second process joins once the first has committed a batch and takes the free
    // slices, then the killed one's (its lock went with its connection). PGlite is one process
    // per data directory: there the killed run is resumed by the next call alone.
    let helper: Promise<{ slicesWorked: number[] }> | null = null;
    const startHelper = (): void => {
      if (helper || !url) return;
      helper = new Promise((done, fail) => {
        const child = spawn(NODE, ['src/main.ts', ...JOIN], { cwd: ROOT, env: envFor('sliced'), stdio: ['ignore', 'pipe', 'pipe'] });
        let err = '';
        let out = '';
        child.stdout.on('data', (b: Buffer) => void (out += b.toString()));
        child.stderr.on('data', (b: Buffer) => void (err += b.toString()));
        child.on('exit', (code) => (code === 0 ? done(JSON.parse(out) as { slicesWorked: number[] }) : fail(new Error(`--join exited ${code}: ${err}`))));
      });
    };
    const first = await runAndKill(3 + Math.floor(Math.random() * 4), Math.floor(Math.random() * 15), 'sliced', [...RUN, '--slices', '4'], (n) => n >= 1 && startHelper());
    // The helper took slices the first process had not (it joined after the first batch).
    // (`helper` is set in a callback: TypeScript cannot see it.)
    const joined = await (helper as Promise<{ slicesWorked: number[] }> | null);
    if (url) expect(joined?.slicesWorked.length).toBeGreaterThan(0);
    cli('sliced', RUN);
    const resumed = await snapshot('sliced');
    expect(first.killed || resumed.run.status === 'completed').toBe(true);
    expect(resumed.run.status).toBe('completed');
    expect(new Set(resumed.contacts).size).toBe(resumed.contacts.length);
    expect(resumed.contacts).toEqual(clean.contacts);
    expect(resumed.states).toEqual(clean.states);
  }, 600_000);
});
