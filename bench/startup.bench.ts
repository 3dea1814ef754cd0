/**
 * B6: `npm start` on a fresh data directory, until the console answers with the demo portfolio
 * loaded. Runs the real CLI (`serve --demo`) as a child process on a free port, polls the
 * portfolio summary with the demo API key, and reads the child's peak RSS.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_API_KEY } from '../src/modules/demo/index.ts';
import { peakRssMB, round, type BenchResult } from './support.ts';

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });

export const benchStartup = async (opts: { databaseUrl?: string | undefined } = {}): Promise<BenchResult> => {
  const dir = mkdtempSync(join(tmpdir(), 'tacto-b6-'));
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['src/main.ts', 'serve', '--demo', '--port', String(port)], {
    env: { ...process.env, TACTO_DATA_DIR: dir, LOG_LEVEL: 'warn', DATABASE_URL: opts.databaseUrl ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let rss = 0;
  let accounts: number;
  try {
    const deadline = started + 120_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`tacto exited early (${child.exitCode}):\n${output}`);
      if (performance.now() > deadline) throw new Error(`tacto did not answer within 120 s:\n${output}`);
      try {
        const r = await fetch(`http://127.0.0.1:${port}/api/v1/portfolio/summary`, { headers: { authorization: `Bearer ${DEMO_API_KEY}` } });
        if (r.ok) {
          const body = (await r.json()) as { data: { accounts: number }[] };
          accounts = body.data.reduce((s, b) => s + b.accounts, 0);
          if (accounts > 0) {
            const page = await fetch(`http://127.0.0.1:${port}/`);
            if (page.ok || page.status === 404) break;
          }
        }
      } catch {
        /* not listening yet */
      }
      rss = Math.max(rss, peakRssMB(child.pid!));
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    rss = Math.max(rss, peakRssMB(child.pid!));
    return { workload: 'B6', value: round(seconds), unit: 's', reference: null, ratio: null, target: '<= 15 s, RSS <= 1024 MB', pass: seconds <= 15 && rss <= 1024, rssMB: rss, openAccounts: accounts, db: opts.databaseUrl ? 'postgres' : 'pglite' };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
};
