import { PgBoss } from 'pg-boss';
import type { ConstructorOptions, Job as BossJob, JobResult, SendOptions as BossSendOptions } from 'pg-boss';
import type { Database, Sql } from '../db/db.ts';
import { pgBossDbInTransaction, pgBossDbOver } from './pgboss.db.ts';
import { isValidJobName, type JobData, type JobDefinition, type JobInput, type JobName, type JobRegistry } from './registry.ts';

/** One received job, its payload already checked against the job's schema. */
export interface ReceivedJob<D> {
  id: string;
  name: string;
  data: D;
  /** 0 on the first run, then how many times pg-boss has retried it. */
  retryCount: number;
}

/**
 * Handles a batch of jobs. Resolving completes them all; throwing fails them all, and pg-boss
 * retries each within its retry limit. Handlers must be idempotent: a job can run more than
 * once (a worker that dies mid-batch, a completion that never reached the database).
 */
export type JobHandler<D> = (jobs: ReceivedJob<D>[]) => Promise<void>;

export interface RegisterOptions {
  /** Jobs fetched and handed over at once (default 1). */
  batchSize?: number;
  /** Idle poll interval in seconds, at least 0.5 (default 2). */
  pollingIntervalSeconds?: number;
  /** Fetch loops in this process (default 1). */
  localConcurrency?: number;
}

export interface SendOptions {
  /** Enqueue in the caller's transaction: the job exists if and only if that transaction commits. */
  tx?: Sql;
  /** At most one queued job per key (with `singletonSeconds`: one per key per time slot). */
  singletonKey?: string;
  singletonSeconds?: number;
  /** When the job may run: an instant, or seconds from now. */
  startAfter?: Date | number;
  retryLimit?: number;
  retryDelaySeconds?: number;
  retryBackoff?: boolean;
  retryDelayMaxSeconds?: number;
  expireInSeconds?: number;
  priority?: number;
}

/** One job of a `sendMany` batch. */
export interface ManyItem<D> {
  data: D;
  startAfter?: Date | number;
  singletonKey?: string;
}

export interface QueueLogger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface CreateQueueOptions<R extends JobRegistry> {
  jobs: R;
  /** PostgreSQL schema pg-boss installs into (default `pgboss`). */
  schema?: string;
  /**
   * PostgreSQL server only: let pg-boss open its own pool on this URL instead of borrowing ours.
   * Recommended for `tacto worker`: pg-boss then keeps multi-statement results and can run
   * transactional workers. Ignored on PGlite, which has no server to connect to.
   */
  connectionString?: string;
  /** Size of pg-boss's own pool when `connectionString` is given (default 4). */
  poolSize?: number;
  logger?: QueueLogger;
  /** Install or migrate the pg-boss schema on start (default true). */
  migrate?: boolean;
  /** Run pg-boss maintenance and cron schedules in this process (default true). */
  supervise?: boolean;
}

/** The typed face of the queue. Method syntax keeps a queue over more jobs usable where fewer are needed. */
export interface Queue<R extends JobRegistry> {
  readonly schema: string;
  /** Installs or migrates pg-boss, creates a queue per job name, then starts registered work. */
  start(): Promise<void>;
  /** Stops fetching, waits up to `timeoutMs` for running handlers, then stops pg-boss. */
  stop(options?: { timeoutMs?: number }): Promise<void>;
  register<N extends JobName<R>>(name: N, handler: JobHandler<JobData<R, N>>, options?: RegisterOptions): Promise<void>;
  send<N extends JobName<R>>(name: N, data: JobInput<R, N>, options?: SendOptions): Promise<string | null>;
  /** Enqueues many jobs of one name in one statement (the high-volume path). */
  sendMany<N extends JobName<R>>(name: N, items: readonly ManyItem<JobInput<R, N>>[], options?: { tx?: Sql }): Promise<void>;
  /** A persistent cron schedule (minute resolution), shared by every process on the database. */
  schedule<N extends JobName<R>>(name: N, cron: string, data?: JobInput<R, N>, options?: { tz?: string; key?: string }): Promise<void>;
  /**
   * Sends `name` every `seconds` from this process while it runs, throttled to one job per time
   * slot across all processes. For cadences finer than cron's minute (the outbox relay).
   */
  every<N extends JobName<R>>(name: N, seconds: number, data: JobInput<R, N>): void;
  /** Escape hatch for operations tooling (queue stats, job lookup). Only after `start()`. */
  pgBoss(): PgBoss;
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

const stderrLogger: QueueLogger = {
  error: (obj, msg) => process.stderr.write(`${msg} ${JSON.stringify(obj)}\n`),
  warn: (obj, msg) => process.stderr.write(`${msg} ${JSON.stringify(obj)}\n`),
};

const queueOptionsOf = (d: JobDefinition) => ({
  ...(d.retryLimit !== undefined ? { retryLimit: d.retryLimit } : {}),
  ...(d.retryDelaySeconds !== undefined ? { retryDelay: d.retryDelaySeconds } : {}),
  ...(d.retryBackoff !== undefined ? { retryBackoff: d.retryBackoff } : {}),
  ...(d.retryDelayMaxSeconds !== undefined ? { retryDelayMax: d.retryDelayMaxSeconds } : {}),
  ...(d.expireInSeconds !== undefined ? { expireInSeconds: d.expireInSeconds } : {}),
  ...(d.deleteAfterSeconds !== undefined ? { deleteAfterSeconds: d.deleteAfterSeconds } : {}),
  ...(d.retentionSeconds !== undefined ? { retentionSeconds: d.retentionSeconds } : {}),
});

const bossSendOptions = (o: SendOptions): BossSendOptions => {
  const out: BossSendOptions = {};
  if (o.tx) out.db = pgBossDbInTransaction(o.tx);
  if (o.singletonKey !== undefined) out.singletonKey = o.singletonKey;
  if (o.singletonSeconds !== undefined) out.singletonSeconds = o.singletonSeconds;
  if (o.startAfter !== undefined) out.startAfter = o.startAfter;
  if (o.retryLimit !== undefined) out.retryLimit = o.retryLimit;
  if (o.retryDelaySeconds !== undefined) out.retryDelay = o.retryDelaySeconds;
  if (o.retryBackoff !== undefined) out.retryBackoff = o.retryBackoff;
  if (o.retryDelayMaxSeconds !== undefined) out.retryDelayMax = o.retryDelayMaxSeconds;
  if (o.expireInSeconds !== undefined) out.expireInSeconds = o.expireInSeconds;
  if (o.priority !== undefined) out.priority = o.priority;
  return out;
};

/**
 * pg-boss over our database. On PGlite it shares the single in-process connection through an
 * adapter; on a PostgreSQL server it borrows our pool, or opens its own with `connectionString`.
 */
export const createQueue = <R extends JobRegistry>(db: Database, options: CreateQueueOptions<R>): Queue<R> => {
  const schema = options.schema ?? 'pgboss';
  const logger = options.logger ?? stderrLogger;
  const jobs = options.jobs;
  const names = Object.keys(jobs);
  for (const n of names) if (!isValidJobName(n)) throw new Error(`job name "${n}" may only hold letters, digits, _ - . /`);

  let boss: PgBoss | null = null;
  const pendingWork: (() => Promise<void>)[] = [];
  const pendingSchedules: (() => Promise<void>)[] = [];
  const repeats: { name: string; seconds: number; data: unknown }[] = [];
  const timers: NodeJS.Timeout[] = [];

  const definition = (name: string): JobDefinition => {
    const d = jobs[name];
    if (!d) throw new Error(`unknown job "${name}": add it to the registry given to createQueue`);
    return d;
  };
  const started = (): PgBoss => {
    if (!boss) throw new Error('the queue is not started: call start() first');
    return boss;
  };

  const constructorOptions = (): ConstructorOptions => {
    const common = { schema, migrate: options.migrate ?? true, supervise: options.supervise ?? true, schedule: options.supervise ?? true };
    if (db.kind === 'postgres' && options.connectionString) {
      return { ...common, connectionString: options.connectionString, max: options.poolSize ?? 4, application_name: 'tacto-pgboss' };
    }
    return { ...common, db: pgBossDbOver(db), backend: db.kind === 'pglite' ? 'pglite' : 'postgres' };
  };

  const send = async (name: string, data: unknown, o: SendOptions = {}): Promise<string | null> => {
    const payload = definition(name).schema.parse(data) as object;
    return started().send(name, payload, bossSendOptions(o));
  };

  const startRepeat = (r: { name: string; seconds: number; data: unknown }): void => {
    // The throttle slot (singletonSeconds) makes N worker processes produce one job per period.
    const tick = (): void => {
      send(r.name, r.data, { singletonKey: `every:${r.name}`, singletonSeconds: r.seconds }).catch((e: unknown) =>
        logger.error({ job: r.name, err: { message: (e as Error).message } }, 'could not enqueue a repeating job'),
      );
    };
    const t = setInterval(tick, r.seconds * 1000);
    t.unref();
    timers.push(t);
    tick();
  };

  const work = (name: string, handler: JobHandler<unknown>, o: RegisterOptions) => async (): Promise<void> => {
    const d = definition(name);
    const b = started();
    await b.work(
      name,
      {
        batchSize: o.batchSize ?? 1,
        pollingIntervalSeconds: o.pollingIntervalSeconds ?? 2,
        localConcurrency: o.localConcurrency ?? 1,
        perJobResults: true,
      },
      async (batch: BossJob<unknown>[]): Promise<JobResult[]> => {
        const results: JobResult[] = [];
        const valid: ReceivedJob<unknown>[] = [];
        for (const j of batch) {
          const parsed = d.schema.safeParse(j.data);
          if (parsed.success) valid.push({ id: j.id, name: j.name, data: parsed.data, retryCount: j.retryCount });
          // A payload that no longer matches its schema will not match on a retry either.
          else results.push({ id: j.id, status: 'deadletter', output: { error: `invalid payload: ${parsed.error.message}` } });
        }
        if (valid.length > 0) await handler(valid);
        for (const j of valid) results.push({ id: j.id, status: 'completed' });
        return results;
      },
    );
  };

  return {
    schema,
    async start() {
      if (boss) return;
      const b = new PgBoss(constructorOptions());
      b.on('error', (e) => logger.error({ err: { message: e.message } }, 'job queue error'));
      b.on('warning', (w) => logger.warn({ data: w.data }, w.message));
      await b.start();
      const existing = new Set((await b.getQueues(names)).map((q) => q.name));
      for (const name of names) {
        const d = definition(name);
        const opts = queueOptionsOf(d);
        // An existing queue takes the registry's current defaults (createQueue never changes one).
        if (existing.has(name)) {
          if (Object.keys(opts).length > 0) await b.updateQueue(name, opts);
        } else await b.createQueue(name, { policy: d.policy ?? 'standard', ...opts });
      }
      // pg-boss looks a queue up (and caches it) on first use, through its own connection. On
      // PGlite a send inside a caller's transaction would wait for that connection while the
      // transaction holds it: a deadlock. Warming the cache here means a send never looks up.
      for (const name of names) await b.getJobById(name, NIL_UUID);
      boss = b;
      for (const w of pendingWork.splice(0)) await w();
      for (const s of pendingSchedules.splice(0)) await s();
      for (const r of repeats) startRepeat(r);
    },
    async stop(o = {}) {
      for (const t of timers.splice(0)) clearInterval(t);
      // Handlers finishing during a graceful stop may still send follow-up jobs, so the instance
      // stays reachable until pg-boss has stopped.
      if (boss) await boss.stop({ graceful: true, timeout: o.timeoutMs ?? 30_000 });
      boss = null;
    },
    async register(name, handler, o = {}) {
      const run = work(name, handler as JobHandler<unknown>, o);
      if (boss) await run();
      else pendingWork.push(run);
    },
    send: (name, data, o) => send(name, data, o),
    async sendMany(name, items, o = {}) {
      if (items.length === 0) return;
      const schema = definition(name).schema;
      const rows = items.map((i) => ({
        data: schema.parse(i.data) as object,
        ...(i.startAfter !== undefined ? { startAfter: i.startAfter } : {}),
        ...(i.singletonKey !== undefined ? { singletonKey: i.singletonKey } : {}),
      }));
      await started().insert(name, rows, o.tx ? { db: pgBossDbInTransaction(o.tx) } : {});
    },
    async schedule(name, cron, data, o = {}) {
      const payload = definition(name).schema.parse(data ?? {}) as object;
      const run = async () => started().schedule(name, cron, payload, { ...(o.tz ? { tz: o.tz } : {}), ...(o.key ? { key: o.key } : {}) });
      if (boss) await run();
      else pendingSchedules.push(run);
    },
    every(name, seconds, data) {
      if (!(seconds >= 1)) throw new Error('every(): seconds must be at least 1');
      const r = { name, seconds, data: definition(name).schema.parse(data) };
      repeats.push(r);
      if (boss) startRepeat(r);
    },
    pgBoss: started,
  };
};
