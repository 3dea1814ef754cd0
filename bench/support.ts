import { spawn } from 'node:child_process';
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

/** Peak resident set size (VmHWM) of a live process in MB, or null when /proc has no such process (exited, not Linux). */
export const vmHwmMB = (pid: number | 'self'): number | null => {
  try {
    const kb = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Math.round(Number(kb) / 1024);
  } catch {
    return null;
  }
};

/** Peak resident set size of a process in MB (VmHWM from /proc), or this process's current RSS where /proc is missing. */
export const peakRssMB = (pid: number | 'self' = 'self'): number => vmHwmMB(pid) ?? Math.round(process.memoryUsage().rss / 1024 / 1024);

/** CPU seconds (user + system) a live process has used, from /proc/<pid>/stat (USER_HZ 100), or null. */
export const cpuSecondsOf = (pid: number): number | null => {
  try {
    // Fields after the command name (which may hold spaces): state is the 3rd field, utime the 14th, stime the 15th.
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
};

/** The whole machine's CPU time so far from /proc/stat (seconds, all cores; USER_HZ 100): busy and total; null where /proc is missing. */
export const machineCpu = (): { busy: number; total: number } | null => {
  try {
    const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number) as number[];
    const busy = user! + nice! + system! + irq! + softirq! + steal!;
    return { busy: busy / 100, total: (busy + idle! + iowait!) / 100 };
  } catch {
    return null;
  }
};

/** What `runProcesses` saw of each process, in start order, and the wall time until the last one exited. */
export interface ProcessesRun {
  seconds: number;
  processes: { pid: number; exitCode: number | null; signal: string | null; peakRssMB: number | null; cpuSeconds: number | null; stdout: string; stderr: string }[];
}

/**
 * Starts `count` OS processes running `command args` side by side, waits until all have exited,
 * and returns each one's exit code, output, peak RSS and CPU seconds. Both are read from /proc every
 * `sampleMs` while the process runs (the last reading before it exits: /proc forgets an exited
 * process), so what happens in its last `sampleMs` can be missed; null where /proc is unavailable.
 * After `timeoutMs` the processes still running are killed (SIGKILL) and the call rejects.
 */
export const runProcesses = async (opts: {
  count: number;
  command: string;
  args: readonly string[] | ((index: number) => readonly string[]);
  env?: Record<string, string | undefined>;
  cwd?: string;
  sampleMs?: number;
  timeoutMs?: number;
}): Promise<ProcessesRun> => {
  const t0 = performance.now();
  const children = Array.from({ length: opts.count }, (_, i) => {
    const child = spawn(opts.command, typeof opts.args === 'function' ? opts.args(i) : opts.args, {
      cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const seen = {
      pid: child.pid ?? -1, exitCode: null as number | null, signal: null as string | null, peakRssMB: null as number | null, cpuSeconds: null as number | null, stdout: '', stderr: '',
    };
    child.stdout!.on('data', (d: Buffer) => (seen.stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (seen.stderr += d.toString()));
    const entry = { child, seen, running: true, exited: Promise.resolve() };
    // 'exit' stops the sampling at once (the pid may be reused); 'close' waits for the output too.
    child.once('exit', () => {
      entry.running = false;
    });
    entry.exited = new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => {
        seen.exitCode = code;
        seen.signal = signal;
        resolve();
      });
    });
    return entry;
  });
  const sample = (): void => {
    for (const c of children) {
      if (!c.running) continue;
      const mb = vmHwmMB(c.seen.pid);
      if (mb !== null) c.seen.peakRssMB = Math.max(c.seen.peakRssMB ?? 0, mb);
      c.seen.cpuSeconds = cpuSecondsOf(c.seen.pid) ?? c.seen.cpuSeconds;
    }
  };
  sample();
  const sampler = setInterval(sample, opts.sampleMs ?? 50);
  const timeoutMs = opts.timeoutMs ?? 3_600_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      for (const c of children) if (c.running) c.child.kill('SIGKILL');
      reject(new Error(`processes still running after ${timeoutMs} ms: ${children.filter((c) => c.running).map((c) => c.seen.pid).join(', ')}`));
    }, timeoutMs);
  });
  try {
    await Promise.race([Promise.all(children.map((c) => c.exited)), timedOut]);
  } finally {
    clearInterval(sampler);
    clearTimeout(timer);
  }
  return { seconds: (performance.now() - t0) / 1000, processes: children.map((c) => c.seen) };
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

/** Runs statements on the server `url` points at, on a connection of their own (CREATE/DROP DATABASE). */
export const adminQuery = async (url: string, statements: string[]): Promise<void> => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const s of statements) await client.query(s);
  } finally {
    await client.end();
  }
};

/** `url` with its database name replaced by `name`. */
export const databaseUrlOf = (url: string, name: string): string => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

/**
 * A migrated database of its own for one benchmark: on PostgreSQL a scratch database `name`
 * created (and dropped by `drop`) on the server `url` points at, never the shared one's tables;
 * on PGlite a data directory under `dir`. `url` is the scratch database's (null on PGlite), for
 * other processes to connect to.
 */
export const openScratchDatabase = async (opts: {
  kind: 'postgres' | 'pglite';
  url: string;
  name: string;
  dir: string;
  poolSize?: number;
}): Promise<{ db: Database; drop: () => Promise<void>; url: string | null }> => {
  const admin = (statements: string[]): Promise<void> => adminQuery(opts.url, statements);
  let db: Database;
  let url: string | null = null;
  if (opts.kind === 'postgres') {
    await admin([`DROP DATABASE IF EXISTS ${opts.name} WITH (FORCE)`, `CREATE DATABASE ${opts.name}`]);
    url = databaseUrlOf(opts.url, opts.name);
    db = await openDatabase({ databaseUrl: url, poolSize: opts.poolSize ?? 4 });
  } else db = await openDatabase({ dataDir: join(opts.dir, 'pglite') });
  try {
    await migrate(db);
  } catch (e) {
    await db.close();
    throw e;
  }
  return {
    db,
    url,
    drop: async () => {
      await db.close().catch(() => undefined);
      if (opts.kind === 'postgres') await admin([`DROP DATABASE IF EXISTS ${opts.name} WITH (FORCE)`]);
    },
  };
};
