/**
 * B7 for dispatch (BENCHMARKS.md: B3 with 1, 2 and 4 worker processes on one PostgreSQL). For
 * each worker count W: a fresh scratch database with B3's seeded data (N due SMS for the sandbox
 * channel), then W real `tacto dispatch --once` processes (`node src/main.ts dispatch`, the CLI's
 * own code path) started side by side, each dispatching until nothing is due. The figure is the
 * contacts sent divided by the wall time from starting the processes until the last one exited;
 * the reference is the 1-worker figure of the same run. A contact the dispatcher put back to wait
 * (a render over its wall-clock budget on a busy machine is tried a minute later) is not in the
 * figure (`deferredAtExit`): one more dispatcher takes it when its time comes (`catchUps`), before
 * the checks, which cover every contact.
 *
 * Then the check that no item was processed twice. The sandbox store and the messages table are
 * unique on the idempotency key, so a second send would not show as a second row there; a
 * trigger the bench adds to its scratch database (never the shared one) records every outbound
 * row the sandbox adapter tries to insert — every send, kept or not — as the fake Twilio counts
 * sends in the dispatcher kill test. `duplicates` counts contacts sent, given a message or given
 * an outbox event of one type more than once; `missing` counts contacts never sent or without a
 * message; `unrecorded` counts contacts or messages not `delivered` or without their `delivered`
 * status history row.
 *
 * `node bench/workers.bench.ts --db postgres [--contacts 50000] [--workers 1,2,4] [--batch 500] [--lanes N]` (lanes per
 * process: `tacto dispatch --lanes`, default 2)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from '../src/db/db.ts';
import { systemClock } from '../src/lib/clock.ts';
import { newId } from '../src/lib/ids.ts';
import { createSecretBox } from '../src/lib/secretbox.ts';
import { createServices } from '../src/services.ts';
import { dispatchOutcome, seedDueContacts } from './dispatch.seed.ts';
import { cpuSecondsOf, machineCpu, openScratchDatabase, parseArgs, peakRssMB, round, runProcesses, type BenchResult } from './support.ts';

const ROOT = resolve(import.meta.dirname, '..');

/** Records every outbound sandbox insert attempt, including those ON CONFLICT DO NOTHING drops. */
export const countSends = async (db: Database): Promise<void> => {
  await db.exec(`CREATE TABLE b7_sends (tenant_id text NOT NULL, idempotency_key text, at timestamptz NOT NULL DEFAULT clock_timestamp());
    CREATE FUNCTION b7_count_send() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO b7_sends (tenant_id, idempotency_key) VALUES (NEW.tenant_id, NEW.idempotency_key);
      RETURN NEW;
    END $$;
    CREATE TRIGGER b7_count_send BEFORE INSERT ON sandbox_messages FOR EACH ROW WHEN (NEW.direction = 'outbound') EXECUTE FUNCTION b7_count_send()`);
};

export interface Verification {
  /** Contacts sent, given a message or given an outbox event (per type) more than once. */
  duplicateContacts: number;
  /** Contacts never sent or without a message. */
  missingContacts: number;
  sends: number;
  sentTwice: number;
  messagesTwice: number;
  eventsTwice: number;
  neverSent: number;
  withoutMessage: number;
  unexpectedSends: number;
  contactsNotDelivered: number;
  messagesUnrecorded: number;
  firstSendAt: Date | null;
  lastSendAt: Date | null;
}

export const verify = async (db: Database): Promise<Verification> => {
  const r = (await db.query<{
    duplicate_contacts: number; missing_contacts: number; sends: number; sent_twice: number; messages_twice: number; events_twice: number; never_sent: number; without_message: number; unexpected_sends: number;
    contacts_not_delivered: number; messages_unrecorded: number; first_send_at: Date | null; last_send_at: Date | null;
  }>(
    `SELECT
       (SELECT count(*)::int FROM (
          SELECT s.tenant_id, s.id FROM scheduled_contacts s JOIN b7_sends b ON b.tenant_id = s.tenant_id AND b.idempotency_key = s.idempotency_key
           GROUP BY 1, 2 HAVING count(*) > 1
          UNION SELECT tenant_id, scheduled_contact_id FROM messages GROUP BY 1, 2 HAVING count(*) > 1
          UNION SELECT m.tenant_id, m.scheduled_contact_id FROM events e JOIN messages m ON m.tenant_id = e.tenant_id AND m.id = e.subject_id
           WHERE e.type LIKE 'message.%' GROUP BY 1, 2, e.type HAVING count(*) > 1) d) AS duplicate_contacts,
       (SELECT count(*)::int FROM scheduled_contacts s
         WHERE NOT EXISTS (SELECT 1 FROM b7_sends b WHERE b.tenant_id = s.tenant_id AND b.idempotency_key = s.idempotency_key)
            OR NOT EXISTS (SELECT 1 FROM messages m WHERE m.tenant_id = s.tenant_id AND m.scheduled_contact_id = s.id)) AS missing_contacts,
       (SELECT count(*)::int FROM b7_sends) AS sends,
       (SELECT coalesce(sum(n - 1), 0)::int FROM (SELECT count(*) AS n FROM b7_sends GROUP BY tenant_id, idempotency_key) k) AS sent_twice,
       (SELECT coalesce(sum(n - 1), 0)::int FROM (SELECT count(*) AS n FROM messages GROUP BY tenant_id, scheduled_contact_id) k) AS messages_twice,
       (SELECT coalesce(sum(n - 1), 0)::int FROM (SELECT count(*) AS n FROM events WHERE type LIKE 'message.%' GROUP BY tenant_id, subject_id, type) k) AS events_twice,
       (SELECT count(*)::int FROM scheduled_contacts s
         WHERE NOT EXISTS (SELECT 1 FROM b7_sends b WHERE b.tenant_id = s.tenant_id AND b.idempotency_key = s.idempotency_key)) AS never_sent,
       (SELECT count(*)::int FROM scheduled_contacts s
         WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.tenant_id = s.tenant_id AND m.scheduled_contact_id = s.id)) AS without_message,
       (SELECT count(*)::int FROM b7_sends b
         WHERE NOT EXISTS (SELECT 1 FROM scheduled_contacts s WHERE s.tenant_id = b.tenant_id AND s.idempotency_key = b.idempotency_key)) AS unexpected_sends,
       (SELECT count(*)::int FROM scheduled_contacts WHERE status <> 'delivered') AS contacts_not_delivered,
       (SELECT count(*)::int FROM messages m
         WHERE m.status <> 'delivered'
            OR NOT EXISTS (SELECT 1 FROM message_status_history h WHERE h.tenant_id = m.tenant_id AND h.message_id = m.id AND h.status = 'delivered')) AS messages_unrecorded,
       (SELECT min(at) FROM b7_sends) AS first_send_at,
       (SELECT max(at) FROM b7_sends) AS last_send_at`,
  )).rows[0]!;
  return {
    duplicateContacts: r.duplicate_contacts, missingContacts: r.missing_contacts, sends: r.sends, sentTwice: r.sent_twice, messagesTwice: r.messages_twice, eventsTwice: r.events_twice, neverSent: r.never_sent,
    withoutMessage: r.without_message, unexpectedSends: r.unexpected_sends, contactsNotDelivered: r.contacts_not_delivered,
    messagesUnrecorded: r.messages_unrecorded,
    firstSendAt: r.first_send_at ? new Date(r.first_send_at) : null, lastSendAt: r.last_send_at ? new Date(r.last_send_at) : null,
  };
};

/** The workers' sessions call themselves this (PGAPPNAME, which node-postgres reads), so the bench's own are told apart. */
const WORKER_APP = 'tacto-b7-dispatch';

/**
 * Samples the workers' database sessions every `ms` until stopped: what the busy ones wait on
 * (pg_stat_activity; `cpu` when nothing: running or waiting for a core), summed over samples, and
 * the CPU seconds of every backend seen (from /proc; the last reading before a backend exits, so
 * up to `ms` of each backend's last work is missed; the server's shared background processes,
 * WAL writer and checkpointer, are not counted).
 */
const sampleSessions = (db: Database, database: string, ms = 250) => {
  const waits: Record<string, number> = {};
  const backendCpu = new Map<number, number>();
  let samples = 0;
  let stopped = false;
  let failed: unknown = null;
  const loop = (async () => {
    while (!stopped && failed === null) {
      const rows = await db.query<{ pid: number; wait: string | null }>(
        `SELECT pid, CASE WHEN state IN ('active', 'idle in transaction') THEN coalesce(wait_event_type || ':' || wait_event, 'cpu') END AS wait
         FROM pg_stat_activity WHERE datname = $1 AND application_name = $2`,
        [database, WORKER_APP],
      ).then((r) => r.rows, (e: unknown) => {
        failed = e;
        return [];
      });
      samples++;
      for (const r of rows) {
        if (r.wait) waits[r.wait] = (waits[r.wait] ?? 0) + 1;
        const cpu = cpuSecondsOf(r.pid);
        if (cpu !== null) backendCpu.set(r.pid, cpu);
      }
      await new Promise((r) => setTimeout(r, ms));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      if (failed !== null) throw failed;
      return {
        samples, waits: Object.fromEntries(Object.entries(waits).sort((a, b) => b[1] - a[1])),
        backends: backendCpu.size, backendCpuSeconds: [...backendCpu.values()].reduce((a, c) => a + c, 0),
      };
    },
  };
};

/** The `--once` summary a dispatcher prints on stdout (its drain totals), or null if it printed none. */
const drainTotals = (stdout: string): Record<string, number> | null => {
  try {
    return JSON.parse(stdout) as Record<string, number>;
  } catch {
    return null;
  }
};

const loadAverage = (): number[] => loadavg().map((l) => round(l, 2));

/** One worker count: fresh data, W dispatcher processes, the checks. `reference` is the 1-worker msgs/s, if known. */
const runWorkers = async (o: { workers: number; contacts: number; batch: number; lanes: number | null; databaseUrl: string; reference: number | null }): Promise<{ line: BenchResult; msgsPerSecond: number }> => {
  const dir = mkdtempSync(join(tmpdir(), 'tacto-b7-'));
  let scratch: Awaited<ReturnType<typeof openScratchDatabase>> | null = null;
  try {
    const name = `tacto_bench_b7_${process.pid}_w${o.workers}`;
    scratch = await openScratchDatabase({ kind: 'postgres', url: o.databaseUrl, name, dir });
    const { db } = scratch;
    const key = randomBytes(32);
    const services = createServices({ db, clock: systemClock, newId, messaging: { secretBox: createSecretBox(key) } });
    const g0 = performance.now();
    await seedDueContacts(db, services, o.contacts, new Date());
    const generateSeconds = (performance.now() - g0) / 1000;
    await countSends(db);

    const env = { ...process.env, DATABASE_URL: scratch.url!, TACTO_SECRET_KEY: key.toString('hex'), TACTO_DATA_DIR: dir, LOG_LEVEL: 'silent', PGAPPNAME: WORKER_APP };
    const dispatchers = (count: number) =>
      runProcesses({ count, command: process.execPath, args: ['src/main.ts', 'dispatch', '--once', '--batch', String(o.batch), ...(o.lanes ? ['--lanes', String(o.lanes)] : [])], cwd: ROOT, env, timeoutMs: 1_800_000 });
    const loadBefore = loadAverage();
    const cpuBefore = machineCpu();
    const startedAt = new Date();
    const waitSampler = sampleSessions(db, name);
    const run = await dispatchers(o.workers).catch(async (e: unknown) => {
      await waitSampler.stop().catch(() => undefined);
      throw e;
    });
    const cpuAfter = machineCpu();
    const { backends, backendCpuSeconds, ...sessionWaits } = await waitSampler.stop();
    const loadAfter = loadAverage();
    const atExit = await verify(db);

    // Contacts put back to wait (a render over its wall-clock budget on a busy machine is tried
    // again a minute later) are not final when the workers exit. One dispatcher takes them once
    // their time has come, outside the timed window, so the checks below cover every contact.
    const catchUps: { contacts: number; waitedSeconds: number; seconds: number; exitCode: number | null }[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const left = (await db.query<{ n: number; until: Date | null }>(
        `SELECT count(*)::int AS n, max(claim_expires_at) AS until FROM scheduled_contacts WHERE status IN ('scheduled', 'claimed')`,
      )).rows[0]!;
      if (left.n === 0) break;
      const wait = Math.max(0, (left.until ? new Date(left.until).getTime() : 0) - Date.now()) + 1_000;
      if (wait > 300_000) break;
      await new Promise((r) => setTimeout(r, wait));
      const c = await dispatchers(1);
      catchUps.push({ contacts: left.n, waitedSeconds: round(wait / 1000), seconds: round(c.seconds), exitCode: c.processes[0]!.exitCode });
    }

    const v = await verify(db);
    const { delivered, sandbox, messages, events, notDelivered } = await dispatchOutcome(db);
    const duplicates = v.duplicateContacts;
    const missing = v.missingContacts;
    const unrecorded = v.contactsNotDelivered + v.messagesUnrecorded;
    const failedProcesses = run.processes.filter((p) => p.exitCode !== 0).length + catchUps.filter((c) => c.exitCode !== 0).length;
    // Contacts sent while the workers ran, over the wall time from their start to the last exit.
    const sentWhileRunning = atExit.sends - atExit.sentTwice;
    const value = sentWhileRunning / run.seconds;
    const reference = o.reference ?? (o.workers === 1 ? value : null);
    const rss = run.processes.map((p) => p.peakRssMB);
    const workerCpuSeconds = run.processes.reduce((a, p) => a + (p.cpuSeconds ?? 0), 0);
    const sendSeconds = atExit.firstSendAt && atExit.lastSendAt ? (atExit.lastSendAt.getTime() - atExit.firstSendAt.getTime()) / 1000 : Number.NaN;
    const line: BenchResult = {
      workload: 'B7-dispatch', workers: o.workers, value: Math.round(value), unit: 'msgs/s',
      reference: reference === null ? null : Math.round(reference), ratio: reference === null ? null : round(value / reference, 3),
      target: 'no duplicates, no missing; msgs/s grows with workers until the cores run out (reported, not a pass condition)',
      pass: duplicates === 0 && missing === 0 && unrecorded === 0 && v.unexpectedSends === 0 && failedProcesses === 0,
      duplicates, missing, unrecorded,
      // Summed over the workers; a worker /proc never showed (null in workerRssMB) counts 0.
      rssMB: rss.reduce<number>((a, r) => a + (r ?? 0), 0), workerRssMB: rss, benchRssMB: peakRssMB(),
      cores: availableParallelism(), loadAverage: loadAfter, loadAverageBefore: loadBefore,
      // Where the cores went while the workers ran: all of the machine's (busy share), the workers' own (Node: start-up, policy,
      // rendering, checks), per message sent; the rest of the busy share is PostgreSQL and whatever else runs on the machine.
      machineBusy: cpuBefore && cpuAfter ? round((cpuAfter.busy - cpuBefore.busy) / (cpuAfter.total - cpuBefore.total), 3) : null,
      workerCpuSeconds: round(workerCpuSeconds), workerCores: round(workerCpuSeconds / run.seconds),
      workerCpuMsPerMessage: round((workerCpuSeconds * 1000) / sentWhileRunning, 3),
      // The workers' PostgreSQL backends (sampled, see sampleSessions) and what one message costs both sides: the
      // most this machine's cores could dispatch if the benchmark had them all to itself.
      postgresBackends: backends, postgresCpuSeconds: round(backendCpuSeconds), postgresCores: round(backendCpuSeconds / run.seconds),
      postgresCpuMsPerMessage: round((backendCpuSeconds * 1000) / sentWhileRunning, 3),
      cpuBoundMsgsPerSecond: Math.round((availableParallelism() * sentWhileRunning) / (workerCpuSeconds + backendCpuSeconds)),
      // The workers' database sessions, sampled every 250 ms: what they were waiting on ('cpu': nothing), summed over samples.
      sessionWaits,
      contacts: o.contacts, batch: o.batch, lanes: o.lanes ?? 'default (2)', db: 'postgres',
      seconds: round(run.seconds),
      // From the first send to the last while the workers ran (database clock): without the processes' start-up.
      sendSeconds: round(sendSeconds),
      sendRate: Math.round(sentWhileRunning / sendSeconds),
      firstSendAfterSeconds: atExit.firstSendAt ? round((atExit.firstSendAt.getTime() - startedAt.getTime()) / 1000) : null,
      sentWhileRunning, deferredAtExit: o.contacts - sentWhileRunning, catchUps,
      generateSeconds: round(generateSeconds),
      sends: v.sends, sentTwice: v.sentTwice, messagesTwice: v.messagesTwice, eventsTwice: v.eventsTwice, neverSent: v.neverSent,
      withoutMessage: v.withoutMessage, unexpectedSends: v.unexpectedSends, contactsNotDelivered: v.contactsNotDelivered, messagesUnrecorded: v.messagesUnrecorded,
      delivered, sandboxMessages: sandbox, deliveredMessages: messages, outboxEvents: events, notDelivered,
      perWorker: run.processes.map((p) => ({ exitCode: p.exitCode, signal: p.signal, totals: drainTotals(p.stdout), ...(p.exitCode !== 0 ? { stderr: p.stderr.slice(-2000) } : {}) })),
    };
    return { line, msgsPerSecond: value };
  } finally {
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
};

/** One result line per worker count, smallest first; each one's reference is the 1-worker msgs/s of this run. */
export async function benchWorkers(opts: {
  db: 'pglite' | 'postgres'; contacts: number; workers?: number[]; batch?: number; lanes?: number; databaseUrl?: string; onResult?: (line: BenchResult) => void;
}): Promise<BenchResult[]> {
  if (opts.db !== 'postgres') throw new Error('B7 needs PostgreSQL: PGlite is one process per data directory (use --db postgres)');
  const counts = [...new Set(opts.workers ?? [1, 2, 4])].sort((a, b) => a - b);
  if (counts.length === 0 || counts.some((w) => !Number.isInteger(w) || w < 1)) throw new Error('--workers must be positive integers, e.g. 1,2,4');
  const databaseUrl = opts.databaseUrl ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const out: BenchResult[] = [];
  let reference: number | null = null;
  for (const workers of counts) {
    const { line, msgsPerSecond } = await runWorkers({ workers, contacts: opts.contacts, batch: opts.batch ?? 500, lanes: opts.lanes ?? null, databaseUrl, reference });
    if (workers === 1) reference = msgsPerSecond;
    opts.onResult?.(line);
    out.push(line);
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = parseArgs(process.argv.slice(2));
  const db = (args.db ?? 'postgres') as 'postgres' | 'pglite';
  const lines = await benchWorkers({
    db, contacts: Number(args.contacts ?? 50_000),
    ...(args.workers ? { workers: args.workers.split(',').map(Number) } : {}),
    ...(args.batch ? { batch: Number(args.batch) } : {}),
    ...(args.lanes ? { lanes: Number(args.lanes) } : {}),
    onResult: (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
  });
  process.exitCode = lines.every((l) => l.pass) ? 0 : 1;
}
