import { hostname } from 'node:os';
import type { Database, Sql } from '../../db/db.ts';
import type { Clock } from '../../lib/clock.ts';
import { isoDate } from '../../lib/clock.ts';
import { AppError, conflict, invalid, notFound } from '../../lib/errors.ts';
import type { IdFactory } from '../../lib/ids.ts';
import { bucketFor } from '../ledger/index.ts';
import type { PolicyInput } from '../policy/index.ts';
import { TenantOverlay, createSharedWindows } from '../policy/index.ts';
import { HISTORY_DAYS, decideAccount } from './journeys.decide.ts';
import type { AccountInput, ContactDraft, Decision, RunContext, StateRow, StoredJourney } from './journeys.decide.ts';
import { EXPLAIN_CODES, line } from './journeys.explain.domain.ts';
import type { ExplainCode, ExplanationLine } from './journeys.explain.domain.ts';
import type { HistoryRow } from './journeys.facts.domain.ts';
import type { Journey } from './journeys.journey.domain.ts';
import { loadStrategies } from './journeys.library.ts';
import type { JourneyEvent } from './journeys.machine.types.ts';
import { compileStrategies, parseStrategy } from './journeys.strategy.domain.ts';
import type { Strategy } from './journeys.strategy.domain.ts';
import * as repo from './journeys.repo.ts';

export interface JourneysDeps {
  db: Database;
  clock: Clock;
  newId: IdFactory;
}

export interface RunProgress {
  runId: string;
  businessDate: string;
  /** The slice the batch belonged to (0 in a run of one slice). */
  slice: number;
  batch: number;
  accountsSeen: number;
  contactsScheduled: number;
}

export interface RunDailyOptions {
  tenantId: string;
  /** Business date (YYYY-MM-DD); default today (UTC). */
  businessDate?: string | undefined;
  /**
   * The decision instant for a new run (default now for today, else the date's 00:00 UTC). A
   * resumed or repeated run keeps the instant it was created with.
   */
  at?: string | undefined;
  batchSize?: number | undefined;
  onProgress?: ((p: RunProgress) => void) | undefined;
  /** Called once the run row exists (the API answers 202 with it). */
  onStarted?: ((runId: string) => void) | undefined;
  /**
   * How many slices a new run (or a new pass over a finished one) is cut into, by a hash of the
   * debtor id, so that several processes can share it (default 1). Ignored for a running run.
   */
  slices?: number | undefined;
}

export interface RunSummary {
  id: string;
  businessDate: string;
  decidedAt: string;
  status: 'running' | 'completed' | 'failed';
  passes: number;
  /** Slices the run is cut into, and how many are done. */
  slices: number;
  slicesDone: number;
  accountsSeen: number;
  accountsAdvanced: number;
  accountsAssigned: number;
  contactsScheduled: number;
  counts: Record<string, number>;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
  /** Set by runDaily: this call's own share of the work, and whether it resumed an interrupted run. */
  resumed?: boolean;
  seconds?: number;
  /** Set by runDaily: the slices this call worked on. */
  slicesWorked?: number[];
}

export const toRunSummary = (r: repo.RunRow): RunSummary => ({
  id: r.id, businessDate: r.business_date, decidedAt: r.decided_at.toISOString(), status: r.status, passes: r.passes, slices: r.slices, slicesDone: r.slices_done,
  accountsSeen: r.accounts_seen, accountsAdvanced: r.accounts_advanced, accountsAssigned: r.accounts_assigned, contactsScheduled: r.contacts_scheduled,
  counts: r.counts, error: r.error, startedAt: r.started_at.toISOString(), finishedAt: r.finished_at?.toISOString() ?? null,
});

export const DEFAULT_BATCH_SIZE = 5_000;
export const MAX_SLICES = 64;

/** JSON with object keys sorted (jsonb does not keep key order). */
const canonical = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(canonical).join(',')}]`
    : v !== null && typeof v === 'object' ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`
      : JSON.stringify(v);

/** Another process moved the slice's checkpoint: this one stops working on it and leaves it to that one. */
class SliceTakenOver extends Error {}

/** Who works on a slice, for operators reading `journey_run_slices`. */
const WORKER = `${hostname()}:${process.pid}`;

/** Outbox event types that cancel what is pending (see `handleOutboxEvents`). */
export const CANCELLING_EVENT_TYPES = ['payment.recorded', 'contact_point.opted_out', 'account.status_changed'] as const;

/** Events integrators and agents report for an account (POST /accounts/{id}/journey-events). */
export const REPORTED_EVENT_TYPES = ['promised', 'plan_agreed', 'dispute', 'hold'] as const;
export type ReportedEventType = (typeof REPORTED_EVENT_TYPES)[number];

const CHANNELS_OF_POINT: Record<string, string[]> = { phone: ['sms', 'call'], whatsapp: ['whatsapp'], email: ['email'], address: ['letter', 'visit'] };

const storedOf = (r: repo.BatchAccountRow): StoredJourney | null =>
  r.aj_status === null
    ? null
    : {
      strategy_id: r.strategy_id, strategy_version: r.strategy_version, segment_id: r.segment_id, arm: r.arm, journey_id: r.journey_id,
      journey_version: r.journey_version, step_id: r.step_id, entered_at: r.entered_at, entered_step_at: r.entered_step_at,
      attempts: r.attempts ?? 0, last_action: r.last_action, status: r.aj_status, status_reason: r.status_reason, episode: r.episode,
      last_contact_key: r.last_contact_key, pending_events: r.pending_events ?? [], last_run_date: r.last_run_date,
    };

const group = <T, K extends keyof T>(rows: readonly T[], key: K): Map<T[K], T[]> => {
  const m = new Map<T[K], T[]>();
  for (const r of rows) {
    const list = m.get(r[key]);
    if (list) list.push(r);
    else m.set(r[key], [r]);
  }
  return m;
};

export const createJourneysService = ({ db, clock, newId }: JourneysDeps) => {
  /** Strategies in force for a tenant, validated (a stored document that no longer parses stops the run). */
  const loadInForce = async (sql: Sql, tenantId: string): Promise<Strategy[]> =>
    (await repo.strategiesInForce(sql, tenantId)).map((doc) => parseStrategy(doc));

  const contextFor = async (sql: Sql, tenantId: string, businessDate: string, at: string): Promise<RunContext> => {
    const tenant = await repo.tenantPolicySettings(sql, tenantId);
    if (!tenant) throw notFound('tenant', tenantId);
    const strategies = await loadInForce(sql, tenantId);
    if (strategies.length === 0) {
      throw conflict('JOURNEY_RUN.NO_STRATEGIES', 'the tenant has no strategy in force; upload one (POST /api/v1/strategies) or load the shipped ones', [
        { field: 'strategies', message: 'none in force' },
      ]);
    }
    const journeys = new Map<string, Journey>();
    for (const s of strategies) for (const j of s.journeys) if ((journeys.get(j.id)?.version ?? 0) < j.version) journeys.set(j.id, j);
    const overlayDoc = tenant.settings?.policyOverlay;
    const overlay = overlayDoc ? TenantOverlay.safeParse(overlayDoc) : null;
    return {
      assigner: compileStrategies(strategies),
      journeys,
      businessDate,
      at,
      tenantCountry: tenant.country,
      overlay: overlay?.success ? (overlay.data as PolicyInput['tenantOverlay']) : null,
      bucketOf: (dpd) => bucketFor(dpd),
      windows: createSharedWindows(),
    };
  };

  /** Reads everything the decisions of a batch need, keyed for lookup. */
  const loadBatchInputs = async (sql: Sql, tenantId: string, rows: readonly repo.BatchAccountRow[], businessDate: string, at: string, sliced = false) => {
    // Rows come in id order (a batch, or one account): account-keyed reads scan that id range
    // (in a run of several slices, only this slice's ids in it).
    const range: repo.AccountRange = { firstId: rows[0]!.id, lastId: rows[rows.length - 1]!.id, ids: sliced ? rows.map((r) => r.id) : null };
    const debtorIds = [...new Set(rows.map((r) => r.debtor_id))];
    const since = new Date(Date.parse(at) - HISTORY_DAYS * 86_400_000);
    const [points, schedule, history, payments] = [
      await repo.loadContactPoints(sql, tenantId, debtorIds),
      await repo.loadScheduleFacts(sql, tenantId, range, businessDate),
      await repo.loadContactHistory(sql, tenantId, debtorIds, since),
      await repo.loadLastPayments(sql, tenantId, range),
    ];
    return {
      points: group(points, 'debtor_id'),
      schedule: new Map(schedule.map((s) => [s.account_id, s])),
      history: group(history as (HistoryRow & { debtor_id: string })[], 'debtor_id'),
      payments: new Map(payments.map((p) => [p.account_id, p.at])),
    };
  };

  const inputOf = (r: repo.BatchAccountRow, b: Awaited<ReturnType<typeof loadBatchInputs>>): AccountInput => ({
    account: r,
    points: b.points.get(r.debtor_id) ?? [],
    schedule: b.schedule.get(r.id) ?? null,
    history: b.history.get(r.debtor_id) ?? [],
    lastPaymentAt: b.payments.get(r.id) ?? null,
    stored: storedOf(r),
    receipt: r.lc_status ? { status: r.lc_status, channel: r.lc_channel, at: r.lc_at ?? new Date(0) } : null,
  });

  interface ReadBatch { rows: repo.BatchAccountRow[]; inputs: Awaited<ReturnType<typeof loadBatchInputs>> | null }
  interface DecidedBatch { cursor: string; counts: repo.BatchCounts; inserts: StateRow[]; updates: StateRow[]; contacts: (ContactDraft & { id: string })[] }

  const readBatch = async (tenantId: string, afterId: string | null, size: number, ctx: RunContext, part: repo.RunPart): Promise<ReadBatch> => {
    const rows = await repo.loadAccountBatch(db, tenantId, afterId, size, part);
    return { rows, inputs: rows.length ? await loadBatchInputs(db, tenantId, rows, ctx.businessDate, ctx.at, part.of > 1) : null };
  };

  /** Decides a batch in memory (no I/O). `recent` are contacts the batch's reads may not have seen yet. */
  const decideBatch = (ctx: RunContext, b: ReadBatch, recent: readonly (ContactDraft & { id: string })[]): DecidedBatch => {
    const inputs = b.inputs!;
    if (recent.length > 0) {
      // Contacts of the previous batches whose commit may not have been visible when this batch
      // was read: added to their debtors' history unless the read already had them.
      for (const c of recent) {
        const list = inputs.history.get(c.debtor_id);
        if (!list) continue;
        if (list.some((h) => (h as { idempotency_key?: string }).idempotency_key === c.idempotency_key)) continue;
        list.push({ debtor_id: c.debtor_id, account_id: c.account_id, channel: c.channel, status: 'scheduled', at: c.send_at, destination: c.destination, kind: c.kind, idempotency_key: c.idempotency_key } as HistoryRow & { debtor_id: string });
      }
    }
    const counts: Record<string, number> = {};
    const bump = (k: string): void => void (counts[k] = (counts[k] ?? 0) + 1);
    const inserts: StateRow[] = [];
    const updates: StateRow[] = [];
    const contacts: (ContactDraft & { id: string })[] = [];
    let advanced = 0;
    let assigned = 0;
    for (const r of b.rows) {
      if (r.last_run_date === ctx.businessDate) {
        bump('alreadyAdvanced');
        continue;
      }
      const input = inputOf(r, inputs);
      let d: Decision;
      try {
        d = decideAccount(ctx, input);
      } catch {
        // One account's bad data (an unknown time zone…) must not stop the portfolio's run.
        bump('errors');
        continue;
      }
      if (d.advanced) advanced++;
      if (d.assigned) assigned++;
      if (d.state) {
        (input.stored ? updates : inserts).push(d.state);
        bump(`status.${d.state.status}`);
      }
      if (d.contact) {
        const contact = { ...d.contact, id: newId('sct') };
        contacts.push(contact);
        const task = d.contact.content.task as { type: string } | undefined;
        bump(`scheduled.${d.contact.kind === 'agent_task' ? `agent_task.${task?.type ?? 'task'}` : d.contact.channel}`);
        // Later accounts of the same debtor in this batch see this contact in their history.
        const list = inputs.history.get(r.debtor_id) ?? [];
        list.push({ debtor_id: r.debtor_id, account_id: r.id, channel: contact.channel, status: 'scheduled', at: contact.send_at, destination: contact.destination, kind: contact.kind, idempotency_key: contact.idempotency_key } as HistoryRow & { debtor_id: string });
        inputs.history.set(r.debtor_id, list);
      } else if (d.sendTime && d.sendTime.at === null) bump('noWindow');
    }
    return { cursor: b.rows[b.rows.length - 1]!.id, counts: { seen: b.rows.length, advanced, assigned, scheduled: 0, counts }, inserts, updates, contacts };
  };

  /**
   * Writes a decided batch and moves its slice's checkpoint in one transaction. The slice row is
   * locked and its checkpoint must still be where this batch started: otherwise another process
   * advanced the same slice meanwhile, and this one stops working on it (its batch is discarded,
   * nothing was written). The run's counts are added last, so its row is locked only briefly.
   */
  const writeBatch = async (tenantId: string, runId: string, businessDate: string, slice: number, from: string | null, d: DecidedBatch): Promise<void> => {
    await db.transaction(async (tx) => {
      const locked = await repo.lockSlice(tx, tenantId, runId, slice);
      if (!locked || locked.status !== 'running' || locked.cursor !== from) throw new SliceTakenOver();
      const now = clock.now();
      const scheduled = await repo.insertContacts(tx, tenantId, runId, businessDate, d.contacts, now);
      if (scheduled < d.contacts.length) d.counts.counts.alreadyScheduled = (d.counts.counts.alreadyScheduled ?? 0) + d.contacts.length - scheduled;
      d.counts.scheduled = scheduled;
      await repo.insertStates(tx, tenantId, runId, businessDate, d.inserts, now);
      await repo.updateStates(tx, tenantId, runId, businessDate, d.updates, now);
      await repo.saveSliceProgress(tx, tenantId, runId, slice, d.cursor, d.counts.seen, now);
      await repo.saveRunProgress(tx, tenantId, runId, d.counts, now);
    });
  };

  /** The slice is done; the run too if it was the last (decided under the run's row lock, so two last slices cannot both miss it). */
  const finishSlice = async (tenantId: string, runId: string, slice: number, cursor: string | null): Promise<void> => {
    await db.transaction(async (tx) => {
      await repo.lockRun(tx, tenantId, runId);
      const locked = await repo.lockSlice(tx, tenantId, runId, slice);
      if (!locked || locked.status !== 'running' || locked.cursor !== cursor) throw new SliceTakenOver();
      const now = clock.now();
      await repo.finishSlice(tx, tenantId, runId, slice, now);
      await repo.completeRunIfDone(tx, tenantId, runId, now);
    });
  };

  /**
   * Takes the first slice of the run that is not done and that no live process holds (its lock
   * is released by the database when a process dies, so a crashed worker's slice is taken up at
   * once, after its checkpoint). Null when every slice is done or held.
   */
  const claimSlice = async (tenantId: string, runId: string): Promise<{ slice: number; cursor: string | null; release: () => Promise<void> } | null> => {
    for (const s of await repo.listSlices(db, tenantId, runId)) {
      if (s.status === 'done') continue;
      const release = await db.tryLock(`journey-run:${tenantId}:${runId}:${s.slice}`);
      if (!release) continue;
      const started = await repo.startSlice(db, tenantId, runId, s.slice, WORKER, clock.now());
      if (started) return { slice: s.slice, cursor: started.cursor, release };
      await release();
    }
    return null;
  };

  const defaultInstant = (businessDate: string): string => {
    const now = clock.now();
    return isoDate(now) === businessDate ? now.toISOString() : `${businessDate}T00:00:00.000Z`;
  };

  interface SliceTally { batches: number; seen: number; scheduled: number }

  /**
   * One slice of a run, from its checkpoint to its end: a pipeline of three stages — while Node
   * decides batch k, the database reads batch k+1 and then writes batch k-1 (a server works on
   * both at once; on PGlite they simply queue). Each batch still commits its writes with its
   * checkpoint, in order.
   */
  const runSlice = async (
    o: RunDailyOptions, run: repo.RunRow, ctx: RunContext, part: repo.RunPart, from: string | null, tally: SliceTally,
  ): Promise<void> => {
    const batchSize = o.batchSize ?? DEFAULT_BATCH_SIZE;
    let cursor = from;
    let pending: Promise<ReadBatch> = readBatch(o.tenantId, cursor, batchSize, ctx, part);
    let writing: Promise<void> | null = null;
    const recent: (ContactDraft & { id: string })[][] = [];
    try {
      for (;;) {
        const b = await pending;
        if (b.rows.length === 0) break;
        const next = b.rows[b.rows.length - 1]!.id;
        pending = readBatch(o.tenantId, next, batchSize, ctx, part);
        pending.catch(() => undefined);
        const decided = decideBatch(ctx, b, recent.flat());
        if (writing) await writing;
        writing = writeBatch(o.tenantId, run.id, run.business_date, part.slice, cursor, decided).then(() => {
          tally.batches++;
          tally.seen += decided.counts.seen;
          tally.scheduled += decided.counts.scheduled;
          o.onProgress?.({ runId: run.id, businessDate: run.business_date, slice: part.slice, batch: tally.batches, accountsSeen: tally.seen, contactsScheduled: tally.scheduled });
        });
        writing.catch(() => undefined);
        recent.push(decided.contacts);
        if (recent.length > 2) recent.shift();
        cursor = next;
      }
      if (writing) await writing;
    } finally {
      // Nothing left in flight when the slice is released.
      await Promise.allSettled([pending, ...(writing ? [writing] : [])]);
    }
    await finishSlice(o.tenantId, run.id, part.slice, cursor);
  };

  /**
   * The daily run for one tenant and business date: streams the active accounts in batches by
   * keyset, decides each in Node, and writes per batch — contacts by COPY (a staged INSERT …
   * ON CONFLICT DO NOTHING when one exists already), changed states by COPY + one UPDATE —
   * together with the checkpoint, in one transaction. A crash loses at most the batch in flight; the next call resumes after the
   * checkpoint with the run's own decision instant, so it decides exactly as the interrupted
   * run would have. A repeated call on a finished run makes another pass that skips the accounts
   * already advanced that day.
   *
   * A run is cut into `slices` by a hash of the debtor id; each call takes free slices one after
   * the other until none is left, so several processes calling it for the same day share the
   * work (`joinDaily` for the helpers), and a debtor's accounts are always decided by one of them,
   * in account order, as in a run of one slice.
   */
  const runDaily = async (o: RunDailyOptions): Promise<RunSummary> => (await work(o, false))!;

  /**
   * Helps a run that is already under way (what a second worker process does): takes its free
   * slices, never creates a run nor starts a new pass over a finished one. Null when the day has
   * no running run.
   */
  const joinDaily = async (o: Omit<RunDailyOptions, 'slices' | 'at'> & {
    /** Wait up to this long for the day's run to be created (helpers started with the first process). */
    waitSeconds?: number | undefined;
  }): Promise<RunSummary | null> => {
    const businessDate = o.businessDate ?? isoDate(clock.now());
    const until = performance.now() + (o.waitSeconds ?? 0) * 1000;
    while (performance.now() < until && !(await repo.findRunByDate(db, o.tenantId, businessDate))) await new Promise((r) => setTimeout(r, 100));
    return work({ ...o, businessDate }, true);
  };

  const work = async (o: RunDailyOptions, join: boolean): Promise<RunSummary | null> => {
    const businessDate = o.businessDate ?? isoDate(clock.now());
    if (!/^\d{4}-\d{2}-\d{2}$/.test(businessDate) || Number.isNaN(Date.parse(businessDate))) {
      throw invalid('JOURNEY_RUN.INVALID_DATE', 'businessDate must be a date as YYYY-MM-DD', [{ field: 'businessDate', value: businessDate, message: 'expected YYYY-MM-DD' }]);
    }
    const at = o.at ?? defaultInstant(businessDate);
    if (Number.isNaN(Date.parse(at))) throw invalid('JOURNEY_RUN.INVALID_INSTANT', 'at must be an ISO instant', [{ field: 'at', value: at, message: 'expected an ISO instant' }]);
    if (o.slices !== undefined && (!Number.isInteger(o.slices) || o.slices < 1 || o.slices > MAX_SLICES)) {
      throw invalid('JOURNEY_RUN.INVALID_SLICES', `slices must be a whole number from 1 to ${MAX_SLICES}`, [{ field: 'slices', value: o.slices, message: `expected 1 to ${MAX_SLICES}` }]);
    }
    const started = performance.now();
    const seconds = (): number => Math.round((performance.now() - started) / 10) / 100;
    let run: repo.RunRow | null;
    let resumed = false;
    if (join) {
      run = await repo.findRunByDate(db, o.tenantId, businessDate);
      if (!run || run.status !== 'running') return null;
    } else {
      // Fails early (no strategies, unknown tenant) before a run row exists.
      await contextFor(db, o.tenantId, businessDate, new Date(at).toISOString());
      run = await repo.insertRunIfAbsent(db, { tenantId: o.tenantId, id: newId('jrn'), businessDate, decidedAt: new Date(at), at: clock.now(), slices: o.slices ?? 1 });
      if (run.status === 'completed') {
        const again = run;
        await db.transaction((tx) => repo.restartRun(tx, o.tenantId, again.id, clock.now(), o.slices ?? again.slices));
      } else {
        resumed = (await repo.listSlices(db, o.tenantId, run.id)).some((s) => s.cursor !== null || s.status === 'done');
        if (run.status === 'failed') await repo.resumeRun(db, o.tenantId, run.id, clock.now());
      }
    }
    const runId = run.id;
    // Read once more after a restart: a new pass may have been cut into another number of slices.
    // The count stays put while slices are worked (a new pass starts only from a completed run).
    const current = (await repo.findRun(db, o.tenantId, runId))!;
    const ctx = await contextFor(db, o.tenantId, businessDate, current.decided_at.toISOString());
    o.onStarted?.(runId);
    const worked: number[] = [];
    const tally: SliceTally = { batches: 0, seen: 0, scheduled: 0 };
    for (;;) {
      const claim = await claimSlice(o.tenantId, runId);
      if (!claim) break;
      try {
        await runSlice(o, current, ctx, { slice: claim.slice, of: current.slices }, claim.cursor, tally);
        worked.push(claim.slice);
      } catch (e) {
        // Another process took the slice over: it finishes it; this one looks for another.
        if (e instanceof SliceTakenOver) continue;
        await repo.finishRun(db, o.tenantId, runId, 'failed', clock.now(), (e as Error).message.slice(0, 500)).catch(() => undefined);
        throw e;
      } finally {
        await claim.release();
      }
    }
    run = (await repo.findRun(db, o.tenantId, runId))!;
    return { ...toRunSummary(run), resumed, seconds: seconds(), slicesWorked: worked };
  };

  /**
   * Why an account stands where it does: its assignment and journey state, the last decision's
   * explanation, its recent scheduled contacts (each with why this time and what the policy
   * said), and a preview — what the run would decide now, computed by the same code, written
   * nowhere.
   */
  const explain = async (tenantId: string, ref: string) => {
    const rows = await repo.loadAccountForExplain(db, tenantId, ref);
    if (rows.length === 0) throw notFound('account', ref);
    if (rows.length > 1) {
      throw conflict('ACCOUNT.AMBIGUOUS_REFERENCE', `${rows.length} accounts have the external reference ${ref}; use the account id`, [
        { field: 'account', value: ref, message: `matches ${rows.map((r) => r.id).join(', ')}` },
      ]);
    }
    const row = rows[0]!;
    const now = clock.now();
    const businessDate = isoDate(now);
    let preview: (Pick<Decision, 'lines' | 'policy' | 'jurisdiction'> & { at: string; action: ContactDraft | null; stateAfter: StateRow | null }) | null = null;
    let facts: Decision['facts'] | null = null;
    let previewError: string | null = null;
    try {
      const ctx = await contextFor(db, tenantId, businessDate, now.toISOString());
      const inputs = await loadBatchInputs(db, tenantId, [row], businessDate, ctx.at);
      const d = decideAccount(ctx, inputOf(row, inputs));
      facts = d.facts;
      preview = { at: ctx.at, lines: d.lines, policy: d.policy, jurisdiction: d.jurisdiction, action: d.contact, stateAfter: d.state };
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      previewError = `${e.code}: ${e.message}`;
    }
    const stored = storedOf(row);
    const contacts = await repo.listScheduledContacts(db, tenantId, { accountId: row.id, limit: 5 });
    return {
      account: { id: row.id, externalRef: row.external_ref, status: row.status, debtorId: row.debtor_id, daysPastDue: row.days_past_due, bucket: row.bucket },
      facts,
      assignment: stored ? { strategyId: stored.strategy_id, strategyVersion: stored.strategy_version, segmentId: stored.segment_id, arm: stored.arm } : null,
      journey: stored
        ? {
          id: stored.journey_id, version: stored.journey_version, stepId: stored.step_id, status: stored.status, statusReason: stored.status_reason,
          enteredAt: stored.entered_at?.toISOString() ?? null, enteredStepAt: stored.entered_step_at?.toISOString() ?? null, attempts: stored.attempts,
          lastAction: stored.last_action, pendingEvents: stored.pending_events, lastRunDate: stored.last_run_date,
        }
        : null,
      lastDecision: stored ? { runDate: stored.last_run_date, lines: renderLines(row.aj_explanation) } : null,
      scheduledContacts: contacts.map(toScheduledContact),
      preview,
      previewError,
      /** The run already advanced this account today: a re-run would leave it as it is. */
      advancedToday: row.last_run_date === businessDate,
    };
  };

  // ------------------------------------------------------------------------------------------
  // Strategies

  const strategySummary = (r: repo.StrategyRow & { versions?: number }) => {
    const d = r.document as Strategy;
    return {
      id: r.id, version: r.version, name: d.name, versions: r.versions ?? 1, retired: r.retired_at !== null, createdAt: r.created_at.toISOString(),
      segments: d.segments.map((s) => s.id), journeys: d.journeys.map((j) => ({ id: j.id, version: j.version })),
    };
  };

  /**
   * Stores a new version of a strategy. The document is validated (errors name the field path);
   * its segment priorities must not clash with the other strategies in force; a version number
   * already stored is refused unless the document is the same (an idempotent retry).
   */
  const uploadStrategy = async (tenantId: string, doc: unknown): Promise<{ created: boolean; strategy: ReturnType<typeof strategySummary> }> => {
    const strategy = parseStrategy(doc);
    return db.transaction(async (tx) => {
      const existing = await repo.findStrategy(tx, tenantId, strategy.id, strategy.version);
      if (existing) {
        if (canonical(existing.document) === canonical(strategy)) return { created: false, strategy: strategySummary(existing) };
        throw conflict('STRATEGY.VERSION_EXISTS', `strategy ${strategy.id} already has a version ${strategy.version}; upload it as a higher version`, [
          { field: 'version', value: strategy.version, message: 'already stored with a different document' },
        ]);
      }
      const latest = await repo.findStrategy(tx, tenantId, strategy.id);
      if (latest && latest.version > strategy.version) {
        throw conflict('STRATEGY.VERSION_OLDER', `strategy ${strategy.id} is at version ${latest.version}; a new version must be higher`, [
          { field: 'version', value: strategy.version, message: `must be greater than ${latest.version}` },
        ]);
      }
      const others = (await loadInForce(tx, tenantId)).filter((s) => s.id !== strategy.id);
      try {
        compileStrategies([...others, strategy]);
      } catch (e) {
        const m = /priority (\d+)/.exec((e as Error).message);
        const i = m ? strategy.segments.findIndex((s) => s.priority === Number(m[1])) : -1;
        throw invalid('STRATEGY.PRIORITY_CLASH', (e as Error).message, [{ field: i >= 0 ? `segments[${i}].priority` : 'segments', message: (e as Error).message }]);
      }
      await repo.insertStrategy(tx, tenantId, strategy.id, strategy.version, strategy, clock.now());
      return { created: true, strategy: strategySummary((await repo.findStrategy(tx, tenantId, strategy.id, strategy.version))!) };
    });
  };

  /** Loads the shipped strategies (or those in `dir`) for a tenant; versions already stored are kept. */
  const loadBuiltInStrategies = async (tenantId: string, dir?: string): Promise<{ loaded: string[] }> => {
    const loaded: string[] = [];
    for (const s of dir ? loadStrategies(dir) : loadStrategies()) {
      const existing = await repo.findStrategy(db, tenantId, s.id, s.version);
      if (existing) continue;
      await uploadStrategy(tenantId, s);
      loaded.push(`${s.id}@${s.version}`);
    }
    return { loaded };
  };

  // ------------------------------------------------------------------------------------------
  // Event-driven cancellation

  /**
   * Cancels what is pending when something happens that makes it wrong to send, and records the
   * event for the next advance of the journey (exits apply first there):
   *  - payment.recorded: the account's pending contacts (reason payment_recorded), event `paid`;
   *  - contact_point.opted_out: the debtor's pending contacts on that point's channels and
   *    address (reason opted_out), event `opted_out` per channel;
   *  - account.status_changed to anything but active: the account's pending contacts.
   * Only contacts decided at or before the event was recorded are cancelled (later ones knew of it).
   * Returns how many contacts were cancelled.
   */
  const handleOutboxEvents = async (eventIds: readonly string[]): Promise<{ cancelled: number; events: number }> => {
    if (eventIds.length === 0) return { cancelled: 0, events: 0 };
    const events = await repo.loadEvents(db, eventIds);
    let cancelled = 0;
    for (const e of events) {
      const at = clock.now();
      cancelled += await db.transaction(async (tx) => {
        const p = e.payload;
        const when = new Date(e.occurred_at).toISOString();
        if (e.type === 'payment.recorded') {
          const accountId = String(p.accountId ?? e.subject_id);
          const rows = await repo.cancelPending(tx, e.tenant_id, { accountId, decidedBy: e.occurred_at, reason: 'payment_recorded', at });
          await repo.appendPendingEvent(tx, e.tenant_id, { accountId }, { type: 'paid', at: when }, at);
          return rows.length;
        }
        if (e.type === 'contact_point.opted_out') {
          const debtorId = String(p.debtorId ?? e.subject_id);
          const point = p.contactPointId ? await repo.findContactPoint(tx, e.tenant_id, String(p.contactPointId)) : null;
          const channels = CHANNELS_OF_POINT[String(p.kind ?? point?.kind ?? '')] ?? null;
          const rows = await repo.cancelPending(tx, e.tenant_id, { debtorId, channels, destination: point?.value ?? null, decidedBy: e.occurred_at, reason: 'opted_out', at });
          for (const channel of channels ?? [null]) {
            await repo.appendPendingEvent(tx, e.tenant_id, { debtorId }, { type: 'opted_out', at: when, ...(channel ? { channel: channel as never } : {}) }, at);
          }
          return rows.length;
        }
        if (e.type === 'account.status_changed' && p.to !== 'active') {
          const accountId = String(p.accountId ?? e.subject_id);
          return (await repo.cancelPending(tx, e.tenant_id, { accountId, decidedBy: e.occurred_at, reason: `account_${String(p.to)}`, at })).length;
        }
        return 0;
      });
    }
    return { cancelled, events: events.length };
  };

  /**
   * Records what an integrator or agent reports for an account — a promise to pay, an agreed
   * plan, a dispute, a hold — until those capabilities have their own records: the account's
   * facts change (attributes), what is pending for it is cancelled, and the journey sees the
   * event on its next advance. One transaction.
   */
  const reportEvent = async (tenantId: string, accountId: string, input: { type: ReportedEventType; hold?: string | undefined; note?: string | undefined }) => {
    const at = clock.now();
    return db.transaction(async (tx) => {
      const account = await repo.findAccountRef(tx, tenantId, accountId);
      if (!account) throw notFound('account', accountId);
      const patch: Record<string, unknown> =
        input.type === 'promised' ? { promiseState: 'active' }
          : input.type === 'plan_agreed' ? { planState: 'active' }
            : input.type === 'dispute' ? { disputed: true }
              : {};
      await tx.query(
        `UPDATE accounts SET attributes = attributes || $3::jsonb
           || CASE WHEN $4::text IS NULL THEN '{}'::jsonb
                   ELSE jsonb_build_object('holds', (SELECT coalesce(jsonb_agg(DISTINCT h), '[]'::jsonb) FROM jsonb_array_elements(coalesce(attributes->'holds', '[]'::jsonb) || jsonb_build_array($4::text)) h)) END,
           updated_at = $5, version = version + 1
         WHERE tenant_id = $1 AND id = $2`,
        [tenantId, accountId, JSON.stringify(patch), input.type === 'hold' ? (input.hold ?? 'pause') : null, at],
      );
      const reason = input.type === 'hold' ? `hold_${input.hold ?? 'pause'}` : input.type;
      const rows = await repo.cancelPending(tx, tenantId, { accountId, reason, at });
      const event: JourneyEvent = { type: input.type, at: at.toISOString() };
      await repo.appendPendingEvent(tx, tenantId, { accountId }, event, at);
      return { accountId, type: input.type, cancelled: rows.length, cancelledIds: rows.map((r) => r.id) };
    });
  };

  return {
    runDaily,
    joinDaily,
    explain,
    async getRun(tenantId: string, id: string): Promise<RunSummary> {
      const r = await repo.findRun(db, tenantId, id);
      if (!r) throw notFound('journey_run', id);
      return toRunSummary(r);
    },
    async listRuns(tenantId: string, q: { cursor?: string | undefined; limit: number }) {
      const rows = await repo.listRuns(db, tenantId, q);
      return { data: rows.map(toRunSummary), nextCursor: rows.length === q.limit ? rows[rows.length - 1]!.id : null };
    },
    async listScheduledContacts(tenantId: string, q: Parameters<typeof repo.listScheduledContacts>[2]) {
      const rows = await repo.listScheduledContacts(db, tenantId, q);
      return { data: rows.map(toScheduledContact), nextCursor: rows.length === q.limit ? rows[rows.length - 1]!.id : null };
    },
    async listStrategies(tenantId: string) {
      return { data: (await repo.listLatestStrategies(db, tenantId)).map(strategySummary) };
    },
    async getStrategy(tenantId: string, id: string, version?: number) {
      const r = await repo.findStrategy(db, tenantId, id, version);
      if (!r) throw notFound('strategy', version ? `${id}@${version}` : id);
      const versions = await repo.listStrategyVersions(db, tenantId, id);
      return { ...strategySummary({ ...r, versions: versions.length }), document: r.document, versionList: versions.map((v) => v.version) };
    },
    uploadStrategy,
    loadBuiltInStrategies,
    handleOutboxEvents,
    reportEvent,
    /** Tenants to run for (the worker's nightly fan-out). */
    tenantIds: () => repo.tenantIds(db),
  };
};

export type JourneysService = ReturnType<typeof createJourneysService>;

/** Stored explanation lines (code and parameters) with their sentences rendered again. */
export const renderLines = (stored: unknown): ExplanationLine[] =>
  (Array.isArray(stored) ? stored : []).map((l: { code?: string; params?: Record<string, string | number> }) =>
    (EXPLAIN_CODES as readonly string[]).includes(l.code ?? '') ? line(l.code as ExplainCode, l.params ?? {}) : { code: l.code as ExplainCode, params: l.params ?? {}, text: { es: String(l.code), en: String(l.code) } });

export const toScheduledContact = (r: repo.ScheduledContactRow) => ({
  id: r.id, accountId: r.account_id, debtorId: r.debtor_id, kind: r.kind, channel: r.channel, purpose: r.purpose, templateRef: r.template_ref,
  language: r.language, contactPointId: r.contact_point_id, sendAt: r.send_at.toISOString(), windowEnd: r.window_end?.toISOString() ?? null,
  status: r.status, statusReason: r.status_reason, idempotencyKey: r.idempotency_key, runId: r.run_id, runDate: r.run_date,
  journeyId: r.journey_id, journeyVersion: r.journey_version, stepId: r.step_id, arm: r.arm, content: r.content,
  explanation: { ...r.explanation, lines: renderLines(r.explanation.lines) },
  createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
  ...(r.account_ref !== undefined
    ? {
      accountRef: r.account_ref,
      debtorName: (r.debtor_kind === 'company' ? r.debtor_company_name : [r.debtor_given_name, r.debtor_family_name].filter(Boolean).join(' ')) || null,
      debtorTimezone: r.debtor_timezone ?? null,
    }
    : {}),
});
