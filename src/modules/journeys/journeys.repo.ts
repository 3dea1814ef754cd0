import type { Sql } from '../../db/db.ts';
import type { ContactDraft, StateRow, StoredJourney } from './journeys.decide.ts';
import type { FactsContactPoint, HistoryRow, ScheduleFacts } from './journeys.facts.domain.ts';
import type { JourneyEvent } from './journeys.machine.types.ts';

/** All of the journeys module's SQL. `Sql` is the first argument: a pool or a transaction. */

// ---------------------------------------------------------------------------------------------
// COPY text format

/** One field of COPY's text format: `\N` for null, backslash escapes for the rest. */
const field = (v: unknown): string => {
  if (v === null || v === undefined) return '\\N';
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  // Fast path: most values need no escaping.
  if (!/[\\\t\n\r]/.test(s)) return s;
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
};
const copyLine = (values: readonly unknown[]): string => `${values.map(field).join('\t')}\n`;

// ---------------------------------------------------------------------------------------------
// Strategies

export interface StrategyRow {
  id: string;
  version: number;
  document: unknown;
  retired_at: Date | null;
  created_at: Date;
}

export const insertStrategy = async (sql: Sql, tenantId: string, id: string, version: number, document: unknown, at: Date): Promise<boolean> =>
  (
    await sql.query(
      `INSERT INTO strategies (tenant_id, id, version, document, created_at) VALUES ($1, $2, $3, $4::jsonb, $5)
       ON CONFLICT (tenant_id, id, version) DO NOTHING`,
      [tenantId, id, version, JSON.stringify(document), at],
    )
  ).rowCount === 1;

/** The latest version of each strategy (retired ones included, flagged). */
export const listLatestStrategies = async (sql: Sql, tenantId: string): Promise<(StrategyRow & { versions: number })[]> =>
  (
    await sql.query<StrategyRow & { versions: number }>(
      `SELECT DISTINCT ON (id) id, version, document, retired_at, created_at, count(*) OVER (PARTITION BY id)::int AS versions
       FROM strategies WHERE tenant_id = $1 ORDER BY id, version DESC`,
      [tenantId],
    )
  ).rows;

export const findStrategy = async (sql: Sql, tenantId: string, id: string, version?: number): Promise<StrategyRow | null> =>
  (
    await sql.query<StrategyRow>(
      `SELECT id, version, document, retired_at, created_at FROM strategies
       WHERE tenant_id = $1 AND id = $2 AND ($3::int IS NULL OR version = $3) ORDER BY version DESC LIMIT 1`,
      [tenantId, id, version ?? null],
    )
  ).rows[0] ?? null;

export const listStrategyVersions = async (sql: Sql, tenantId: string, id: string): Promise<Omit<StrategyRow, 'document'>[]> =>
  (
    await sql.query<Omit<StrategyRow, 'document'>>(
      `SELECT id, version, retired_at, created_at FROM strategies WHERE tenant_id = $1 AND id = $2 ORDER BY version DESC`,
      [tenantId, id],
    )
  ).rows;

/** Strategy documents in force: the latest version of each strategy not retired. */
export const strategiesInForce = async (sql: Sql, tenantId: string): Promise<unknown[]> =>
  (await listLatestStrategies(sql, tenantId)).filter((r) => r.retired_at === null).map((r) => r.document);

export const setStrategyRetired = async (sql: Sql, tenantId: string, id: string, at: Date | null): Promise<number> =>
  (await sql.query(`UPDATE strategies SET retired_at = $3 WHERE tenant_id = $1 AND id = $2`, [tenantId, id, at])).rowCount;

// ---------------------------------------------------------------------------------------------
// Runs

export interface RunRow {
  tenant_id: string;
  id: string;
  business_date: string;
  decided_at: Date;
  status: 'running' | 'completed' | 'failed';
  slices: number;
  slices_done: number;
  passes: number;
  accounts_seen: number;
  accounts_advanced: number;
  accounts_assigned: number;
  contacts_scheduled: number;
  counts: Record<string, number>;
  error: string | null;
  started_at: Date;
  heartbeat_at: Date;
  finished_at: Date | null;
}

const RUN_COLUMNS = `tenant_id, id, business_date, decided_at, status, slices, passes, accounts_seen, accounts_advanced, accounts_assigned,
  contacts_scheduled, counts, error, started_at, heartbeat_at, finished_at,
  (SELECT count(*) FROM journey_run_slices s WHERE s.tenant_id = journey_runs.tenant_id AND s.run_id = journey_runs.id AND s.status = 'done')::int AS slices_done`;

/** After a CTE `run` returning a run's tenant_id, id and slices: one pending row per slice. */
const INSERT_SLICES_OF_RUN = `INSERT INTO journey_run_slices (tenant_id, run_id, slice) SELECT run.tenant_id, run.id, g FROM run, generate_series(0, run.slices - 1) g`;

/** Creates the day's run with its slices, or returns the existing one (unique per tenant and business date). */
export const insertRunIfAbsent = async (
  sql: Sql, r: { tenantId: string; id: string; businessDate: string; decidedAt: Date; at: Date; slices: number },
): Promise<RunRow> => {
  await sql.query(
    `WITH run AS (
       INSERT INTO journey_runs (tenant_id, id, business_date, decided_at, status, slices, started_at, heartbeat_at)
       VALUES ($1, $2, $3, $4, 'running', $6, $5, $5) ON CONFLICT (tenant_id, business_date) DO NOTHING
       RETURNING tenant_id, id, slices)
     ${INSERT_SLICES_OF_RUN}`,
    [r.tenantId, r.id, r.businessDate, r.decidedAt, r.at, r.slices],
  );
  return (await findRunByDate(sql, r.tenantId, r.businessDate))!;
};

export const findRunByDate = async (sql: Sql, tenantId: string, businessDate: string): Promise<RunRow | null> =>
  (await sql.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM journey_runs WHERE tenant_id = $1 AND business_date = $2`, [tenantId, businessDate])).rows[0] ?? null;

export const findRun = async (sql: Sql, tenantId: string, id: string): Promise<RunRow | null> =>
  (await sql.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM journey_runs WHERE tenant_id = $1 AND id = $2`, [tenantId, id])).rows[0] ?? null;

export const listRuns = async (sql: Sql, tenantId: string, q: { cursor?: string | undefined; limit: number }): Promise<RunRow[]> =>
  (
    await sql.query<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM journey_runs WHERE tenant_id = $1 AND ($2::text IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
      [tenantId, q.cursor ?? null, q.limit],
    )
  ).rows;

/** Locks the run row (a slice finishing checks, under it, whether it was the last). */
export const lockRun = async (sql: Sql, tenantId: string, id: string): Promise<RunRow | null> =>
  (await sql.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM journey_runs WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, [tenantId, id])).rows[0] ?? null;

/**
 * A further pass over a finished run (a re-run of the same day): every slice from the first
 * account again, in `slices` slices.
 */
export const restartRun = async (sql: Sql, tenantId: string, id: string, at: Date, slices: number): Promise<void> => {
  await sql.query('DELETE FROM journey_run_slices WHERE tenant_id = $1 AND run_id = $2', [tenantId, id]);
  await sql.query(
    `WITH run AS (
       UPDATE journey_runs SET status = 'running', slices = $4, passes = passes + 1, error = NULL, finished_at = NULL, heartbeat_at = $3
       WHERE tenant_id = $1 AND id = $2 RETURNING tenant_id, id, slices)
     ${INSERT_SLICES_OF_RUN}`,
    [tenantId, id, at, slices],
  );
};

/** A failed run is taken up again where its slices stand (their checkpoints are kept). */
export const resumeRun = async (sql: Sql, tenantId: string, id: string, at: Date): Promise<void> => {
  await sql.query(
    `UPDATE journey_runs SET status = 'running', error = NULL, finished_at = NULL, heartbeat_at = $3 WHERE tenant_id = $1 AND id = $2 AND status = 'failed'`,
    [tenantId, id, at],
  );
};

export interface SliceRow {
  slice: number;
  status: 'pending' | 'running' | 'done';
  cursor: string | null;
  worker: string | null;
  accounts_seen: number;
}

const SLICE_COLUMNS = 'slice, status, cursor, worker, accounts_seen';

export const listSlices = async (sql: Sql, tenantId: string, runId: string): Promise<SliceRow[]> =>
  (await sql.query<SliceRow>(`SELECT ${SLICE_COLUMNS} FROM journey_run_slices WHERE tenant_id = $1 AND run_id = $2 ORDER BY slice`, [tenantId, runId])).rows;

/** Marks a slice taken by `worker` (its lock is already held) and returns where it stands. */
export const startSlice = async (sql: Sql, tenantId: string, runId: string, slice: number, worker: string, at: Date): Promise<SliceRow | null> =>
  (
    await sql.query<SliceRow>(
      `UPDATE journey_run_slices SET status = 'running', worker = $4, started_at = coalesce(started_at, $5), heartbeat_at = $5
       WHERE tenant_id = $1 AND run_id = $2 AND slice = $3 AND status <> 'done' RETURNING ${SLICE_COLUMNS}`,
      [tenantId, runId, slice, worker, at],
    )
  ).rows[0] ?? null;

/** Locks a slice row for a batch's write: the fence on its checkpoint. */
export const lockSlice = async (sql: Sql, tenantId: string, runId: string, slice: number): Promise<SliceRow | null> =>
  (await sql.query<SliceRow>(`SELECT ${SLICE_COLUMNS} FROM journey_run_slices WHERE tenant_id = $1 AND run_id = $2 AND slice = $3 FOR UPDATE`, [tenantId, runId, slice])).rows[0] ?? null;

export const saveSliceProgress = async (sql: Sql, tenantId: string, runId: string, slice: number, cursor: string, seen: number, at: Date): Promise<void> => {
  await sql.query(
    `UPDATE journey_run_slices SET cursor = $4, accounts_seen = accounts_seen + $5, heartbeat_at = $6 WHERE tenant_id = $1 AND run_id = $2 AND slice = $3`,
    [tenantId, runId, slice, cursor, seen, at],
  );
};

export const finishSlice = async (sql: Sql, tenantId: string, runId: string, slice: number, at: Date): Promise<void> => {
  await sql.query(
    `UPDATE journey_run_slices SET status = 'done', finished_at = $4, heartbeat_at = $4 WHERE tenant_id = $1 AND run_id = $2 AND slice = $3`,
    [tenantId, runId, slice, at],
  );
};

/** Completes a running run whose slices are all done; under the run's row lock (see `lockRun`). */
export const completeRunIfDone = async (sql: Sql, tenantId: string, runId: string, at: Date): Promise<boolean> =>
  (
    await sql.query(
      `UPDATE journey_runs SET status = 'completed', finished_at = $3, heartbeat_at = $3
       WHERE tenant_id = $1 AND id = $2 AND status = 'running'
         AND NOT EXISTS (SELECT 1 FROM journey_run_slices s WHERE s.tenant_id = $1 AND s.run_id = $2 AND s.status <> 'done')`,
      [tenantId, runId, at],
    )
  ).rowCount > 0;

export interface BatchCounts {
  seen: number;
  advanced: number;
  assigned: number;
  scheduled: number;
  counts: Record<string, number>;
}

/** Adds a batch's counts to the run, in the batch's transaction (its last statement: the run row stays locked briefly). */
export const saveRunProgress = async (sql: Sql, tenantId: string, id: string, c: BatchCounts, at: Date): Promise<void> => {
  await sql.query(
    `UPDATE journey_runs SET accounts_seen = accounts_seen + $3, accounts_advanced = accounts_advanced + $4,
       accounts_assigned = accounts_assigned + $5, contacts_scheduled = contacts_scheduled + $6,
       counts = (SELECT coalesce(jsonb_object_agg(k, coalesce((counts->>k)::int, 0) + coalesce((($7::jsonb)->>k)::int, 0)), '{}'::jsonb)
                 FROM (SELECT jsonb_object_keys(counts) AS k UNION SELECT jsonb_object_keys($7::jsonb)) keys),
       heartbeat_at = $8
     WHERE tenant_id = $1 AND id = $2`,
    [tenantId, id, c.seen, c.advanced, c.assigned, c.scheduled, JSON.stringify(c.counts), at],
  );
};

export const finishRun = async (sql: Sql, tenantId: string, id: string, status: 'completed' | 'failed', at: Date, error: string | null = null): Promise<void> => {
  await sql.query(`UPDATE journey_runs SET status = $3, finished_at = $4, heartbeat_at = $4, error = $5 WHERE tenant_id = $1 AND id = $2`, [tenantId, id, status, at, error]);
};

// ---------------------------------------------------------------------------------------------
// The daily run's reads, per batch of accounts

export interface BatchAccountRow {
  id: string;
  debtor_id: string;
  external_ref: string;
  product: string;
  currency: string;
  balance_minor: number;
  days_past_due: number;
  bucket: string;
  oldest_unpaid_due_date: string | null;
  attributes: Record<string, unknown> | null;
  language: string;
  country: string;
  region: string | null;
  timezone: string;
  preferences: Record<string, unknown> | null;
  vulnerable: boolean;
  allowed_channels: string[] | null;
  // account_journeys (null when the account has no row yet)
  aj_status: StoredJourney['status'] | null;
  strategy_id: string | null;
  strategy_version: number | null;
  segment_id: string | null;
  arm: string | null;
  journey_id: string | null;
  journey_version: number | null;
  step_id: string | null;
  entered_at: Date | null;
  entered_step_at: Date | null;
  attempts: number | null;
  last_action: StoredJourney['last_action'];
  status_reason: string | null;
  episode: string | null;
  last_contact_key: string | null;
  pending_events: JourneyEvent[] | null;
  last_run_date: string | null;
  // the last contact's receipt
  lc_status: string | null;
  lc_channel: string | null;
  lc_at: Date | null;
}

// The journey state and the last contact's receipt are read by LATERAL lookups fenced with
// OFFSET 0: one index probe per account whatever the planner believes of account_journeys, which
// grows from empty during a first run (stale statistics once made it pick a scan per batch).
const accountSelect = (extra = ''): string => `
  SELECT ${extra} a.id, a.debtor_id, a.external_ref, a.product, a.currency,
         (a.principal_minor + a.interest_minor + a.fees_minor - a.credit_minor) AS balance_minor,
         a.days_past_due, a.bucket, a.oldest_unpaid_due_date, a.attributes,
         d.language, d.country, d.region, d.timezone, d.preferences, (d.vulnerability IS NOT NULL AND d.vulnerability <> 'null'::jsonb) AS vulnerable,
         c.allowed_channels,
         aj.status AS aj_status, aj.strategy_id, aj.strategy_version, aj.segment_id, aj.arm, aj.journey_id, aj.journey_version, aj.step_id,
         aj.entered_at, aj.entered_step_at, aj.attempts, aj.last_action, aj.status_reason, aj.episode, aj.last_contact_key,
         aj.pending_events, aj.last_run_date,
         lc.status AS lc_status, lc.channel AS lc_channel, lc.at AS lc_at
  FROM accounts a
  JOIN debtors d ON d.tenant_id = a.tenant_id AND d.id = a.debtor_id
  JOIN creditors c ON c.tenant_id = a.tenant_id AND c.id = a.creditor_id
  LEFT JOIN LATERAL (SELECT * FROM account_journeys j WHERE j.tenant_id = a.tenant_id AND j.account_id = a.id OFFSET 0) aj ON true
  LEFT JOIN LATERAL (SELECT s.status, s.channel, coalesce(s.sent_at, s.updated_at) AS at FROM scheduled_contacts s
                     WHERE aj.last_contact_key IS NOT NULL AND s.tenant_id = a.tenant_id AND s.idempotency_key = aj.last_contact_key OFFSET 0) lc ON true`;
const ACCOUNT_SELECT = accountSelect();

/** One slice of `of`: the accounts whose debtor id hashes to `slice` (all of a debtor's accounts fall in one). */
export interface RunPart { slice: number; of: number }

/** The SQL predicate of a slice over a debtor id column; `$n` is the slice count, `$n+1` the slice. */
export const slicePredicate = (column: string, n: number): string => `abs(hashtextextended(${column}, 0) % $${n}) = $${n + 1}`;

/** The next batch of the tenant's active accounts after `afterId`, by keyset over (tenant_id, id); in a run of several slices, this slice's. */
export const loadAccountBatch = async (sql: Sql, tenantId: string, afterId: string | null, limit: number, part: RunPart = { slice: 0, of: 1 }): Promise<BatchAccountRow[]> =>
  (
    await sql.query<BatchAccountRow>(
      `${ACCOUNT_SELECT.replace('FROM accounts a', `FROM (SELECT * FROM accounts WHERE tenant_id = $1 AND status = 'active' AND ($2::text IS NULL OR id > $2)
         ${part.of > 1 ? `AND ${slicePredicate('debtor_id', 4)}` : ''} ORDER BY id LIMIT $3) a`)}
       ORDER BY a.id`,
      part.of > 1 ? [tenantId, afterId, limit, part.of, part.slice] : [tenantId, afterId, limit],
    )
  ).rows;

/** One account, by id or by its external reference (tacto explain). */
export const loadAccountForExplain = async (
  sql: Sql, tenantId: string, ref: string,
): Promise<(BatchAccountRow & { status: string; aj_explanation: unknown })[]> =>
  (
    await sql.query<BatchAccountRow & { status: string; aj_explanation: unknown }>(
      `SELECT * FROM (${accountSelect('a.status, aj.explanation AS aj_explanation,')}
       WHERE a.tenant_id = $1 AND (a.id = $2 OR a.external_ref = $2)) x ORDER BY id LIMIT 5`,
      [tenantId, ref],
    )
  ).rows;

export const loadContactPoints = async (sql: Sql, tenantId: string, debtorIds: readonly string[]): Promise<(FactsContactPoint & { debtor_id: string })[]> =>
  (
    await sql.query<FactsContactPoint & { debtor_id: string }>(
      `SELECT p.debtor_id, p.id, p.kind, p.value, p.is_primary, p.consent, p.consent_at, p.opted_out_at, p.not_debtors
       FROM unnest($2::text[]) AS x(debtor_id)
       JOIN LATERAL (SELECT * FROM contact_points cp WHERE cp.tenant_id = $1 AND cp.debtor_id = x.debtor_id OFFSET 0) p ON true
       ORDER BY p.debtor_id, p.is_primary DESC, p.created_at, p.id`,
      [tenantId, debtorIds],
    )
  ).rows;

/**
 * The accounts of a batch for the account-keyed reads: a contiguous id range, and in a run of
 * several slices the ids themselves (the range then also holds other slices' accounts).
 */
export interface AccountRange { firstId: string; lastId: string; ids: readonly string[] | null }

/**
 * Schedule facts per account as of the business date: the next unpaid instalment (due today or
 * later) and what is overdue, from the schedule arrays on the account row. Accounts with nothing
 * left to pay on their schedule are not returned.
 */
export const loadScheduleFacts = async (
  sql: Sql, tenantId: string, range: AccountRange, businessDate: string,
): Promise<(ScheduleFacts & { account_id: string })[]> =>
  (
    await sql.query<ScheduleFacts & { account_id: string }>(
      // The batch is a contiguous range of account ids: one range scan of the primary key.
      `SELECT a.id AS account_id, s.next_due_date, s.next_due_minor, s.overdue_minor
       FROM accounts a CROSS JOIN LATERAL (
         SELECT min(i.due_date) FILTER (WHERE i.due_date >= $4::date)::text AS next_due_date,
                (array_agg(i.amount_minor - i.paid_minor ORDER BY i.due_date) FILTER (WHERE i.due_date >= $4::date))[1] AS next_due_minor,
                coalesce(sum(i.amount_minor - i.paid_minor) FILTER (WHERE i.due_date < $4::date), 0)::bigint AS overdue_minor,
                count(*) AS unpaid
         FROM unnest(a.schedule_due_dates, a.schedule_amounts_minor, a.schedule_paid_minor) AS i(due_date, amount_minor, paid_minor)
         WHERE i.paid_minor < i.amount_minor) s
       WHERE a.tenant_id = $1 AND a.id >= $2 AND a.id <= $3 AND ($5::text[] IS NULL OR a.id = ANY($5)) AND s.unpaid > 0`,
      [tenantId, range.firstId, range.lastId, businessDate, range.ids],
    )
  ).rows;

/**
 * The debtors' outbound contacts since `since` (sent, delivered, read, failed: by when they went)
 * and what is scheduled or being sent (by when it will go): the history the policy counts.
 */
export const loadContactHistory = async (
  sql: Sql, tenantId: string, debtorIds: readonly string[], since: Date,
): Promise<(HistoryRow & { debtor_id: string; idempotency_key: string })[]> =>
  (
    await sql.query<HistoryRow & { debtor_id: string; idempotency_key: string }>(
      `SELECT h.debtor_id, h.account_id, h.channel, h.status, coalesce(h.sent_at, h.send_at) AS at, h.destination, h.kind, h.idempotency_key
       FROM unnest($2::text[]) AS x(debtor_id)
       JOIN LATERAL (SELECT * FROM scheduled_contacts sc WHERE sc.tenant_id = $1 AND sc.debtor_id = x.debtor_id AND sc.send_at >= $3
                       AND sc.status IN ('scheduled','claimed','sent','delivered','read','failed') OFFSET 0) h ON true`,
      [tenantId, debtorIds, since],
    )
  ).rows;

export const loadLastPayments = async (
  sql: Sql, tenantId: string, range: AccountRange,
): Promise<{ account_id: string; at: Date }[]> =>
  (
    await sql.query<{ account_id: string; at: Date }>(
      `SELECT account_id, max(occurred_at) AS at FROM transactions
       WHERE tenant_id = $1 AND account_id >= $2 AND account_id <= $3 AND ($4::text[] IS NULL OR account_id = ANY($4)) AND kind = 'payment' GROUP BY account_id`,
      [tenantId, range.firstId, range.lastId, range.ids],
    )
  ).rows;

// ---------------------------------------------------------------------------------------------
// The daily run's writes, per batch

const CONTACT_COLUMNS = [
  'tenant_id', 'id', 'account_id', 'debtor_id', 'kind', 'channel', 'purpose', 'template_ref', 'language', 'contact_point_id', 'destination',
  'send_at', 'window_end', 'idempotency_key', 'run_id', 'run_date', 'journey_id', 'journey_version', 'step_id', 'arm', 'content', 'explanation',
  'created_at', 'updated_at',
] as const;

/**
 * Schedules the batch's contacts. First straight into the table by COPY, in a savepoint: on a
 * first pass no contact of the batch can exist yet. When one does (the unique idempotency key
 * refuses a contact decided again: a state lost or rewritten, a pass over accounts whose contacts
 * were kept), the savepoint is rolled back and the batch goes through a session staging table
 * and one INSERT … SELECT … ON CONFLICT DO NOTHING, which absorbs what is already there. Returns
 * how many rows were new. Runs inside the caller's transaction.
 */
export const insertContacts = async (
  sql: Sql, tenantId: string, runId: string, runDate: string, contacts: readonly (ContactDraft & { id: string })[], at: Date,
): Promise<number> => {
  if (contacts.length === 0) return 0;
  const now = at.toISOString();
  let data = '';
  for (const c of contacts) {
    data += copyLine([
      tenantId, c.id, c.account_id, c.debtor_id, c.kind, c.channel, c.purpose, c.template_ref, c.language, c.contact_point_id, c.destination,
      c.send_at, c.window_end, c.idempotency_key, runId, runDate, c.journey_id, c.journey_version, c.step_id, c.arm, c.content, c.explanation,
      now, now,
    ]);
  }
  const columns = CONTACT_COLUMNS.join(', ');
  await sql.query('SAVEPOINT journey_contacts');
  try {
    await sql.copyIn(`COPY scheduled_contacts (${columns}) FROM STDIN`, data);
    await sql.query('RELEASE SAVEPOINT journey_contacts');
    return contacts.length;
  } catch (e) {
    if ((e as { code?: unknown }).code !== UNIQUE_VIOLATION) throw e;
    await sql.query('ROLLBACK TO SAVEPOINT journey_contacts');
    await sql.query('RELEASE SAVEPOINT journey_contacts');
  }
  await sql.query(
    `CREATE TEMP TABLE IF NOT EXISTS journey_contacts_stage (LIKE scheduled_contacts INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`,
  );
  await sql.copyIn(`COPY journey_contacts_stage (${columns}) FROM STDIN`, data);
  const r = await sql.query(
    `INSERT INTO scheduled_contacts (${columns})
     SELECT ${columns} FROM journey_contacts_stage
     ON CONFLICT (tenant_id, idempotency_key) DO NOTHING`,
  );
  await sql.query('TRUNCATE journey_contacts_stage');
  return r.rowCount;
};

/** SQLSTATE of a unique key refusing a row. */
const UNIQUE_VIOLATION = '23505';

const STATE_COLUMNS = [
  'tenant_id', 'account_id', 'debtor_id', 'strategy_id', 'strategy_version', 'segment_id', 'arm', 'journey_id', 'journey_version', 'step_id',
  'entered_at', 'entered_step_at', 'attempts', 'last_action', 'status', 'status_reason', 'episode', 'last_contact_key', 'explanation',
  'last_run_id', 'last_run_date', 'updated_at',
] as const;

const stateLine = (tenantId: string, r: StateRow, runId: string, runDate: string, now: string, extra: unknown[] = []): string =>
  copyLine([
    tenantId, r.account_id, r.debtor_id, r.strategy_id, r.strategy_version, r.segment_id, r.arm, r.journey_id, r.journey_version, r.step_id,
    r.entered_at, r.entered_step_at, r.attempts, r.last_action, r.status, r.status_reason, r.episode, r.last_contact_key, r.explanation,
    runId, runDate, now, ...extra,
  ]);

/** Accounts entering their first journey: COPY straight into account_journeys. */
export const insertStates = async (sql: Sql, tenantId: string, runId: string, runDate: string, rows: readonly StateRow[], at: Date): Promise<void> => {
  if (rows.length === 0) return;
  const now = at.toISOString();
  let data = '';
  for (const r of rows) data += stateLine(tenantId, r, runId, runDate, now);
  await sql.copyIn(`COPY account_journeys (${STATE_COLUMNS.join(', ')}) FROM STDIN`, data);
};

/**
 * Accounts whose state changed: COPY into a staging table, then one UPDATE … FROM. Pending
 * events consumed by the decision are removed from the front of the list; events appended
 * meanwhile (a payment a second ago) stay for the next run.
 */
export const updateStates = async (sql: Sql, tenantId: string, runId: string, runDate: string, rows: readonly StateRow[], at: Date): Promise<number> => {
  if (rows.length === 0) return 0;
  await sql.query(
    `CREATE TEMP TABLE IF NOT EXISTS journey_states_stage (LIKE account_journeys INCLUDING DEFAULTS, consumed_events integer NOT NULL DEFAULT 0) ON COMMIT DELETE ROWS`,
  );
  const now = at.toISOString();
  let data = '';
  for (const r of rows) data += stateLine(tenantId, r, runId, runDate, now, [r.consumed_events]);
  await sql.copyIn(`COPY journey_states_stage (${STATE_COLUMNS.join(', ')}, consumed_events) FROM STDIN`, data);
  // Temporary tables get no automatic statistics: without them the join may scan account_journeys.
  await sql.query('ANALYZE journey_states_stage');
  const sets = STATE_COLUMNS.filter((c) => c !== 'tenant_id' && c !== 'account_id').map((c) => `${c} = s.${c}`).join(', ');
  const r = await sql.query(
    `UPDATE account_journeys aj SET ${sets},
       pending_events = CASE WHEN s.consumed_events = 0 THEN aj.pending_events ELSE
         (SELECT coalesce(jsonb_agg(e ORDER BY i), '[]'::jsonb) FROM jsonb_array_elements(aj.pending_events) WITH ORDINALITY x(e, i) WHERE i > s.consumed_events) END
     FROM journey_states_stage s WHERE aj.tenant_id = $1 AND aj.account_id = s.account_id`,
    [tenantId],
  );
  await sql.query('TRUNCATE journey_states_stage');
  return r.rowCount;
};

// ---------------------------------------------------------------------------------------------
// Scheduled contacts: listing and cancellation

export interface ScheduledContactRow {
  id: string;
  /** Joined by listScheduledContacts, for lists that show whose contact it is. */
  account_ref?: string | null;
  debtor_kind?: string | null;
  debtor_given_name?: string | null;
  debtor_family_name?: string | null;
  debtor_company_name?: string | null;
  debtor_timezone?: string | null;
  account_id: string;
  debtor_id: string;
  kind: string;
  channel: string | null;
  purpose: string;
  template_ref: string | null;
  language: string;
  contact_point_id: string | null;
  send_at: Date;
  window_end: Date | null;
  status: string;
  status_reason: string | null;
  idempotency_key: string;
  run_id: string | null;
  run_date: string | null;
  journey_id: string | null;
  journey_version: number | null;
  step_id: string | null;
  arm: string | null;
  content: Record<string, unknown>;
  explanation: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

const SC_COLUMNS = `id, account_id, debtor_id, kind, channel, purpose, template_ref, language, contact_point_id, send_at, window_end, status,
  status_reason, idempotency_key, run_id, run_date, journey_id, journey_version, step_id, arm, content, explanation, created_at, updated_at`;

export const listScheduledContacts = async (
  sql: Sql, tenantId: string,
  f: { accountId?: string | undefined; debtorId?: string | undefined; status?: string | undefined; channel?: string | undefined; runDate?: string | undefined; cursor?: string | undefined; limit: number },
): Promise<ScheduledContactRow[]> =>
  (
    await sql.query<ScheduledContactRow>(
      `SELECT ${SC_COLUMNS.replace(/(\w+)/g, 'sc.$1')}, a.external_ref AS account_ref, d.kind AS debtor_kind, d.given_name AS debtor_given_name,
              d.family_name AS debtor_family_name, d.company_name AS debtor_company_name, d.timezone AS debtor_timezone
       FROM scheduled_contacts sc
       LEFT JOIN accounts a ON a.tenant_id = sc.tenant_id AND a.id = sc.account_id
       LEFT JOIN debtors d ON d.tenant_id = sc.tenant_id AND d.id = sc.debtor_id
       WHERE sc.tenant_id = $1 AND ($2::text IS NULL OR sc.account_id = $2) AND ($3::text IS NULL OR sc.debtor_id = $3)
         AND ($4::text IS NULL OR sc.status = $4) AND ($5::date IS NULL OR sc.run_date = $5) AND ($6::text IS NULL OR sc.id < $6)
         AND ($8::text IS NULL OR sc.channel = $8)
       ORDER BY sc.id DESC LIMIT $7`,
      [tenantId, f.accountId ?? null, f.debtorId ?? null, f.status ?? null, f.runDate ?? null, f.cursor ?? null, f.limit, f.channel ?? null],
    )
  ).rows;

/**
 * Cancels what is still pending (`scheduled`) for an account or a debtor, optionally on one
 * channel (and address). Claimed rows are being sent: the dispatcher's send-time re-check is
 * their guard. With `decidedBy`, only contacts decided at or before that instant are cancelled:
 * one decided later already knew of what happened (a payment recorded before the daily run whose
 * event is relayed after it). Returns the cancelled rows' ids and accounts.
 */
export const cancelPending = async (
  sql: Sql, tenantId: string,
  f: { accountId?: string | null; debtorId?: string | null; channels?: readonly string[] | null; destination?: string | null; decidedBy?: Date | null; reason: string; at: Date },
): Promise<{ id: string; account_id: string }[]> =>
  (
    await sql.query<{ id: string; account_id: string }>(
      `UPDATE scheduled_contacts SET status = 'cancelled', status_reason = $6, updated_at = $7
       WHERE tenant_id = $1 AND status = 'scheduled' AND ($2::text IS NULL OR account_id = $2) AND ($3::text IS NULL OR debtor_id = $3)
         AND ($4::text[] IS NULL OR channel = ANY($4)) AND ($5::text IS NULL OR destination = $5)
         AND ($8::timestamptz IS NULL OR created_at <= $8)
       RETURNING id, account_id`,
      [tenantId, f.accountId ?? null, f.debtorId ?? null, f.channels ?? null, f.destination ?? null, f.reason, f.at, f.decidedBy ?? null],
    )
  ).rows;

/** Records an event for the next advance of the accounts' running journeys. */
export const appendPendingEvent = async (
  sql: Sql, tenantId: string, f: { accountId?: string | null; debtorId?: string | null }, event: JourneyEvent, at: Date,
): Promise<number> =>
  (
    await sql.query(
      `UPDATE account_journeys SET pending_events = pending_events || jsonb_build_array($4::jsonb), updated_at = $5
       WHERE tenant_id = $1 AND ($2::text IS NULL OR account_id = $2) AND ($3::text IS NULL OR debtor_id = $3) AND status IN ('active','paused')`,
      [tenantId, f.accountId ?? null, f.debtorId ?? null, JSON.stringify(event), at],
    )
  ).rowCount;

export interface OutboxEventRow {
  tenant_id: string;
  id: string;
  type: string;
  subject_id: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
}

export const loadEvents = async (sql: Sql, ids: readonly string[]): Promise<OutboxEventRow[]> =>
  (
    await sql.query<OutboxEventRow>(
      `SELECT tenant_id, id, type, subject_id, payload, occurred_at FROM events WHERE id = ANY($1::text[]) ORDER BY seq`,
      [ids],
    )
  ).rows;

export const findAccountRef = async (sql: Sql, tenantId: string, accountId: string): Promise<{ id: string; debtor_id: string } | null> =>
  (await sql.query<{ id: string; debtor_id: string }>(`SELECT id, debtor_id FROM accounts WHERE tenant_id = $1 AND id = $2`, [tenantId, accountId])).rows[0] ?? null;

export const findContactPoint = async (sql: Sql, tenantId: string, id: string): Promise<{ kind: string; value: string; debtor_id: string } | null> =>
  (await sql.query<{ kind: string; value: string; debtor_id: string }>(`SELECT kind, value, debtor_id FROM contact_points WHERE tenant_id = $1 AND id = $2`, [tenantId, id])).rows[0] ?? null;

export const tenantPolicySettings = async (sql: Sql, tenantId: string): Promise<{ slug: string; country: string; settings: Record<string, unknown> } | null> =>
  (await sql.query<{ slug: string; country: string; settings: Record<string, unknown> }>(`SELECT slug, country, settings FROM tenants WHERE id = $1`, [tenantId])).rows[0] ?? null;

export const tenantIds = async (sql: Sql): Promise<{ id: string; slug: string }[]> =>
  (await sql.query<{ id: string; slug: string }>(
    `SELECT t.id, t.slug FROM tenants t WHERE EXISTS (SELECT 1 FROM strategies s WHERE s.tenant_id = t.id AND s.retired_at IS NULL) ORDER BY t.id`,
  )).rows;
