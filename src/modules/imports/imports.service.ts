/**
 * Runs an import: read the file as a stream, validate it batch by batch, write each batch with
 * COPY + set-based upserts, and record the outcome (the imports row, its errors, an outbox event).
 *
 * Modes. Default: each batch commits on its own; a batch the database refuses is redone row by
 * row in savepoints, so one bad row costs only itself. allOrNothing: one transaction, each batch
 * in a savepoint; any failed row rolls everything back (status rejected) after the whole file has
 * been checked, so the report is complete. dryRun: the same single transaction, always rolled
 * back — the counts are what the import would do, the database keeps only the imports record.
 * Both single-transaction modes hold row locks on the records they touch until they finish.
 */
import { isoDate, type Clock } from '../../lib/clock.ts';
import type { Database, Sql } from '../../db/db.ts';
import type { IdFactory } from '../../lib/ids.ts';
import { invalid, notFound } from '../../lib/errors.ts';
import { appendEvents } from '../events/index.ts';
import {
  bucketFor, buildSchedule, daysPastDue, oldestUnpaidDueDate, payInstalments, statusAfter,
} from '../ledger/index.ts';
import { countryTimezones, defaultLanguage, defaultTimezone, normaliseEmail, normalisePhone } from '../portfolio/index.ts';
import { BatchShortfall, createCreditorCache, prepareAccounts, writeAccounts, type PendingRow, type StagedRow, type WriteContext } from './imports.accounts.ts';
import type { ImportRules } from './imports.domain.ts';
import { cellCountProblem, columnKey, mapHeader, rowFromCells, type HeaderMapping } from './imports.header.domain.ts';
import { formatFromFilename, ImportFileError, openSource, readEvents } from './imports.readers.ts';
import * as repo from './imports.repo.ts';
import { createErrorSink, REPORTED_ERRORS_CAP } from './imports.report.ts';
import { prepareTransactions, writeTransactions, type StagedTransaction } from './imports.transactions.ts';
import { ImportOptions, type ImportError, type ImportFormat, type ImportKind, type ImportProgress, type ImportReport, type ImportStatus, type RawRow } from './imports.types.ts';
import { displayValue } from './imports.values.domain.ts';

export interface ImportDeps {
  db: Database;
  clock: Clock;
  newId: IdFactory;
}

export interface RunImportInput {
  tenantId: string;
  /** A readable stream of the file's bytes, or a path to it. */
  source: NodeJS.ReadableStream | string;
  filename: string;
  /** Default: from the file name's extension (.xlsx, .ndjson/.jsonl), else CSV. */
  format?: ImportFormat;
  kind?: ImportKind;
  options?: ImportOptions;
}

/** Rows per batch: large enough that per-statement costs vanish, small enough to stay flat in memory. */
export const BATCH_ROWS = 5_000;
/** Imports that write at least this many rows refresh planner statistics on PGlite. */
const ANALYZE_AFTER_ROWS = 10_000;

/** Phone parsing costs ~10 µs; a file repeats numbers (phone = WhatsApp, a debtor's several accounts). */
const memoPhone = (): ImportRules['normalisePhone'] => {
  const memo = new Map<string, ReturnType<ImportRules['normalisePhone']>>();
  return (raw, country) => {
    const key = `${country}|${raw}`;
    let r = memo.get(key);
    if (!r) {
      if (memo.size > 20_000) memo.clear();
      r = normalisePhone(raw, country);
      memo.set(key, r);
    }
    return r;
  };
};

const rules = (): ImportRules => ({
  normalisePhone: memoPhone(),
  normaliseEmail,
  isCountry: (c) => countryTimezones(c).length > 0,
  defaultLanguage,
  defaultTimezone,
  buildSchedule,
  payInstalments,
  daysPastDue,
  oldestUnpaidDueDate,
  bucketFor: (dpd) => bucketFor(dpd),
  statusAfter,
});

/** Database errors that belong to the rows being written (bad data, a lost race), not the system. */
const rowLevel = (e: unknown): boolean => {
  if (e instanceof BatchShortfall) return true;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|23|40)/.test(code);
};
const retryable = (e: unknown): boolean => ['40P01', '40001'].includes(String((e as { code?: unknown }).code));

interface Tally {
  rowsTotal: number;
  rowsImported: number;
  rowsFailed: number;
  created: ImportReport['created'];
  updated: ImportReport['updated'];
  replayed: number;
}

interface Outcome {
  imported: number;
  errors: ImportError[];
  failedRows: number;
  created?: Partial<ImportReport['created']>;
  updated?: Partial<ImportReport['updated']>;
  replayed?: number;
}

const emptyTally = (): Tally => ({
  rowsTotal: 0, rowsImported: 0, rowsFailed: 0, replayed: 0,
  created: { debtors: 0, accounts: 0, contactPoints: 0, transactions: 0, creditors: 0 }, updated: { debtors: 0, accounts: 0 },
});

const add = (t: Tally, o: Outcome): void => {
  t.rowsImported += o.imported;
  t.rowsFailed += o.failedRows;
  for (const [k, v] of Object.entries(o.created ?? {})) t.created[k as keyof Tally['created']] += v ?? 0;
  for (const [k, v] of Object.entries(o.updated ?? {})) t.updated[k as keyof Tally['updated']] += v ?? 0;
  t.replayed += o.replayed ?? 0;
};

/** A bounded pool of batch writes running alongside the reading of the next batches. */
const createPool = (limit: number) => {
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  return {
    /** Resolves when a write may start (fewer than `limit` running). */
    async ready(): Promise<void> {
      while (running.size >= limit) await Promise.race(running);
      if (failure) throw failure.error;
    },
    start(task: () => Promise<void>): void {
      const p: Promise<void> = task()
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => running.delete(p));
      running.add(p);
    },
    async drain(): Promise<void> {
      await Promise.all(running);
      if (failure) throw failure.error;
    },
    /** Waits for writes still running (after a failure elsewhere), whatever their outcome. */
    async settle(): Promise<void> {
      await Promise.allSettled(running);
    },
  };
};

const parseOptions = (options: ImportOptions | undefined) => {
  const r = ImportOptions.safeParse(options ?? {});
  if (!r.success) {
    const details = r.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
    throw invalid('IMPORT.INVALID_OPTIONS', `invalid import options: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
  }
  return r.data;
};

/**
 * Imports an accounts or transactions file for a tenant and reports what happened row by row.
 * Expected problems in the file are in the report; a failure of the system (the database going
 * away) marks the import failed and is thrown.
 */
export const runImport = async (deps: ImportDeps, input: RunImportInput, onProgress?: (p: ImportProgress) => void): Promise<ImportReport> => {
  const t0 = performance.now();
  const { db, clock, newId } = deps;
  const opts = parseOptions(input.options);
  const kind: ImportKind = input.kind ?? 'accounts';
  const format: ImportFormat = input.format ?? formatFromFilename(input.filename);
  const tenantCountry = await repo.tenantCountry(db, input.tenantId);
  if (!tenantCountry) throw notFound('tenant', input.tenantId);
  const dryRun = opts.dryRun ?? false;
  const allOrNothing = opts.allOrNothing ?? false;
  const single = dryRun || allOrNothing;
  const importId = newId('imp');
  const startedAt = clock.now();
  const asOf = opts.asOf ?? isoDate(startedAt);
  const importStart = await repo.databaseNow(db);
  const options = { ...opts, asOf, kind };
  await repo.insertImport(db, { tenantId: input.tenantId, id: importId, filename: input.filename, format, dryRun, allOrNothing, startedAt, summary: { kind, options } });

  const sink = createErrorSink();
  const tally = emptyTally();
  const creditors = createCreditorCache(input.tenantId, tenantCountry, newId);
  const seen = new Map<string, number>();
  const importRules = rules();
  let rejected = false;
  let ignored: string[] = [];
  let info: ReturnType<typeof readEvents>['info'] | null = null;
  // Column names as the file writes them (header text, or the first JSON key seen for a column).
  const labels = new Map<string, string>();
  const label = (key: string): string => labels.get(key) ?? key;
  const writeCtx = (): WriteContext & { decimal: ',' | '.' } => ({
    tenantId: input.tenantId, asOf, importStart, at: clock.now(), newId, label, decimal: opts.decimal ?? (info?.delimiter === ';' ? ',' : '.'),
  });

  const write = async (sql: Sql, rows: readonly (StagedRow | StagedTransaction)[]): Promise<Outcome> => {
    const ctx = writeCtx();
    if (kind === 'accounts') return writeAccounts(sql, ctx, rows as StagedRow[]);
    const o = await writeTransactions(sql, ctx, rows as StagedTransaction[]);
    return { imported: o.imported, errors: o.errors, failedRows: o.failedRows, created: { transactions: o.created }, replayed: o.replayed };
  };
  /** Writes rows one by one, each in a savepoint: a row the database refuses is reported alone. */
  const rowByRow = async (sql: Sql, rows: readonly (StagedRow | StagedTransaction)[]): Promise<Outcome> => {
    const t = emptyTally();
    const errors: ImportError[] = [];
    for (const row of rows) {
      await sql.query('SAVEPOINT imp_row');
      try {
        const o = await write(sql, [row]);
        await sql.query('RELEASE SAVEPOINT imp_row');
        add(t, o);
        errors.push(...o.errors);
      } catch (e) {
        if (!rowLevel(e)) throw e;
        await sql.query('ROLLBACK TO SAVEPOINT imp_row');
        await sql.query('RELEASE SAVEPOINT imp_row');
        const column = (e as { column?: string }).column ?? null;
        errors.push({ row: row.row, column, value: null, code: 'IMPORT.DATABASE_ERROR', reason: `the database refused the row: ${(e as Error).message}` });
        t.rowsFailed++;
      }
    }
    return { imported: t.rowsImported, errors, failedRows: t.rowsFailed, created: t.created, updated: t.updated, replayed: t.replayed };
  };

  const record = (prepared: { errors: ImportError[]; failedRows: number }, o: Outcome | null): void => {
    sink.add(prepared.errors);
    tally.rowsFailed += prepared.failedRows;
    if (o) {
      add(tally, o);
      sink.add(o.errors);
    }
  };

  // One writer at a time on PGlite (one connection) and for transactions (file order matters per
  // account); two on a server, where the database works while Node reads the next batch.
  const pool = createPool(single || kind === 'transactions' || db.kind === 'pglite' ? 1 : 2);

  const flush = async (sql: Sql | null, batch: PendingRow[]): Promise<void> => {
    const common = { label, decimal: writeCtx().decimal, dateFormat: opts.dateFormat, checkMojibake: info?.encoding === 'windows-1252' && info.encodingDetected, creditorRefOption: opts.creditorRef ?? null, creditors, seen };
    const prepared = kind === 'accounts'
      ? await prepareAccounts(sql ?? db, batch, { ...common, asOf, rules: importRules, tenantCountry })
      : await prepareTransactions(sql ?? db, batch, common);
    if (prepared.valid.length === 0) return record(prepared, null);
    const rows = prepared.valid as (StagedRow | StagedTransaction)[];
    if (sql) {
      // Single transaction: the batch in a savepoint; refused -> row by row.
      await sql.query('SAVEPOINT imp_batch');
      try {
        const o = await write(sql, rows);
        await sql.query('RELEASE SAVEPOINT imp_batch');
        return record(prepared, o);
      } catch (e) {
        if (!rowLevel(e)) throw e;
        await sql.query('ROLLBACK TO SAVEPOINT imp_batch');
        return record(prepared, await rowByRow(sql, rows));
      }
    }
    // The next batch is read and validated while up to `limit` are written; it waits here, staged
    // compactly, for a writer.
    await pool.ready();
    pool.start(async () => {
      // A crash may lose the last few batches committed without waiting for the WAL flush; the
      // import is idempotent and its final record commits normally, which flushes them all.
      const attempt = (fn: (tx: Sql) => Promise<Outcome>) => db.transaction(async (tx) => {
        await repo.relaxCommit(tx);
        return fn(tx);
      });
      const whole = (): Promise<Outcome> => attempt((tx) => write(tx, rows));
      const oneByOne = (e: unknown): Promise<Outcome> => {
        if (!rowLevel(e)) throw e;
        return attempt((tx) => rowByRow(tx, rows));
      };
      // A deadlock or serialization failure is the batch's bad luck, not its rows': retry it
      // whole once before isolating rows.
      record(prepared, await whole().catch((e: unknown) => (retryable(e) ? whole().catch(oneByOne) : oneByOne(e))));
    });
  };

  const consume = async (sql: Sql | null): Promise<void> => {
    const { stream, totalBytes } = await openSource(input.source).catch((e: unknown) => {
      throw new ImportFileError('IMPORT.UNREADABLE_FILE', `the file cannot be opened: ${(e as Error).message}`);
    });
    const reader = readEvents(stream, totalBytes, { format, encoding: opts.encoding, delimiter: opts.delimiter, sheet: opts.sheet });
    info = reader.info;
    let mapping: HeaderMapping | null = null;
    const keyCache = new Map<string, string | null>();
    const unknownKeys = new Set<string>();
    let batch: PendingRow[] = [];
    const progress = (): void => onProgress?.({ rows: tally.rowsTotal, bytes: reader.info.bytes, ...(totalBytes !== undefined ? { totalBytes } : {}) });
    for await (const ev of reader.events) {
      if (ev.type === 'header') {
        mapping = mapHeader(ev.cells, kind, { creditorRefGiven: opts.creditorRef !== undefined });
        ignored = mapping.ignored;
        for (const [k, v] of mapping.labels) labels.set(k, v);
        if (mapping.errors.length > 0) {
          sink.add(mapping.errors.map((e) => ({ ...e, row: ev.row })));
          rejected = true;
          return;
        }
        continue;
      }
      tally.rowsTotal++;
      if (ev.type === 'malformed') {
        record({ errors: [{ row: ev.row, column: null, value: ev.text, code: 'IMPORT.MALFORMED_ROW', reason: ev.reason }], failedRows: 1 }, null);
      } else if (ev.type === 'cells') {
        const problem = cellCountProblem(ev.cells, mapping!.keys.length, ev.unterminated);
        if (problem) {
          const text = displayValue(ev.cells.map((c) => displayValue(c) ?? '').join(reader.info.delimiter ?? ','));
          record({ errors: [{ row: ev.row, column: null, value: text, code: 'IMPORT.MALFORMED_ROW', reason: problem }], failedRows: 1 }, null);
        } else batch.push({ row: ev.row, raw: rowFromCells(ev.cells, mapping!) });
      } else {
        const raw: RawRow = {};
        for (const [k, v] of Object.entries(ev.value)) {
          let key = keyCache.get(k);
          if (key === undefined) {
            key = columnKey(k, kind);
            keyCache.set(k, key);
            if (key && !labels.has(key)) labels.set(key, k);
            if (!key && unknownKeys.size < 100) unknownKeys.add(k);
          }
          if (key) raw[key] = v as RawRow[string];
        }
        batch.push({ row: ev.row, raw });
      }
      if (batch.length >= BATCH_ROWS) {
        await flush(sql, batch);
        batch = [];
        progress();
      }
    }
    if (batch.length > 0) await flush(sql, batch);
    await pool.drain();
    if (unknownKeys.size > 0) ignored = [...unknownKeys];
    if (!mapping && format !== 'ndjson') {
      sink.add([{ row: 0, column: null, value: null, code: 'IMPORT.EMPTY_FILE', reason: 'the file has no header row' }]);
      rejected = true;
    }
    progress();
  };

  let status: ImportStatus;
  let failure: unknown = null;
  try {
    if (single) {
      const ROLLBACK = Symbol('rollback');
      await db
        .transaction(async (tx) => {
          await consume(tx);
          if (dryRun || rejected || tally.rowsFailed > 0) throw ROLLBACK;
        })
        .catch((e: unknown) => {
          if (e !== ROLLBACK) throw e;
        });
    } else await consume(null).finally(() => pool.settle());
    status = rejected || (allOrNothing && tally.rowsFailed > 0) ? 'rejected' : tally.rowsFailed > 0 ? 'completed_with_errors' : 'completed';
  } catch (e) {
    if (e instanceof ImportFileError) {
      sink.add([{ row: 0, column: null, value: null, code: e.code, reason: e.message }]);
      status = 'rejected';
    } else {
      status = 'failed';
      failure = e;
    }
  }
  if (!failure && !dryRun && db.kind === 'pglite' && tally.rowsImported >= ANALYZE_AFTER_ROWS) {
    // PGlite never autovacuums: without fresh statistics, queries after a bulk load are planned
    // for the tables as they were before it.
    await repo.analyzeTables(db, kind === 'accounts' ? ['debtors', 'contact_points', 'accounts'] : ['transactions', 'accounts']);
  }
  if (status === 'rejected' && !dryRun) {
    // Nothing of a rejected file is in the database.
    const { rowsTotal, rowsFailed } = tally;
    Object.assign(tally, emptyTally(), { rowsTotal, rowsFailed });
  } else tally.created.creditors += creditors.created;
  const errors = sink.sorted();
  const durationMs = Math.round(performance.now() - t0);
  const report: ImportReport = {
    importId, status, kind, dryRun, rowsTotal: tally.rowsTotal, rowsImported: tally.rowsImported, rowsFailed: tally.rowsFailed,
    created: tally.created, updated: tally.updated, replayed: tally.replayed, errors: errors.slice(0, REPORTED_ERRORS_CAP), errorCount: sink.count,
    errorsTruncated: sink.count > REPORTED_ERRORS_CAP, durationMs,
  };
  const currentInfo = info as ReturnType<typeof readEvents>['info'] | null;
  const summary = {
    kind, options, created: report.created, updated: report.updated, replayed: report.replayed, errorCount: sink.count, errorsStored: errors.length,
    ignoredColumns: ignored, encoding: currentInfo?.encoding ?? null, delimiter: currentInfo?.delimiter ?? null, sheet: currentInfo?.sheet ?? null,
    bytes: currentInfo?.bytes ?? 0, durationMs, ...(failure ? { failure: (failure as Error).message } : {}),
  };
  try {
    await db.transaction(async (tx) => {
      await repo.finishImport(tx, input.tenantId, importId, { status, rowsTotal: report.rowsTotal, rowsImported: report.rowsImported, rowsFailed: report.rowsFailed, summary, finishedAt: clock.now() });
      await repo.insertImportErrors(tx, input.tenantId, importId, errors);
      if (!dryRun && status !== 'failed') {
        await appendEvents(tx, [{
          id: newId('evt'), tenantId: input.tenantId, type: 'import.completed', subjectType: 'import', subjectId: importId, occurredAt: clock.now(),
          payload: { importId, status, kind, filename: input.filename, rowsTotal: report.rowsTotal, rowsImported: report.rowsImported, rowsFailed: report.rowsFailed, created: report.created, updated: report.updated, replayed: report.replayed },
        }]);
      }
    });
  } catch (e) {
    if (!failure) throw e;
  }
  if (failure) throw failure;
  return report;
};
