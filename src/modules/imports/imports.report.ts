/**
 * The error report: a bounded collector used while importing, reading a finished import back,
 * and the CSV a user downloads to fix the file.
 */
import { once } from 'node:events';
import { stringify } from 'csv-stringify/sync';
import type { Sql } from '../../db/db.ts';
import { notFound } from '../../lib/errors.ts';
import * as repo from './imports.repo.ts';
import type { ImportError, ImportStatus } from './imports.types.ts';

/** Errors stored per import: enough to fix any file by hand; the count covers all of them. */
export const STORED_ERRORS_CAP = 10_000;
/** Errors returned inline in the report. */
export const REPORTED_ERRORS_CAP = 1_000;

const byRow = (a: ImportError, b: ImportError): number => a.row - b.row;

/**
 * Keeps the first `cap` errors by row while counting all. Errors of a batch retried row by row
 * can arrive after later rows' errors, hence sort-and-trim rather than stop-at-cap.
 */
export const createErrorSink = (cap = STORED_ERRORS_CAP) => {
  let kept: ImportError[] = [];
  let count = 0;
  let highest = Number.POSITIVE_INFINITY;
  const compact = (): void => {
    kept.sort(byRow);
    if (kept.length > cap) {
      kept = kept.slice(0, cap);
      highest = kept[kept.length - 1]!.row;
    }
  };
  return {
    add(errors: readonly ImportError[]): void {
      count += errors.length;
      for (const e of errors) if (e.row <= highest) kept.push(e);
      if (kept.length > cap * 2) compact();
    },
    get count(): number {
      return count;
    },
    /** The kept errors, sorted by row. */
    sorted(): ImportError[] {
      compact();
      return kept;
    },
  };
};
export type ErrorSink = ReturnType<typeof createErrorSink>;

export interface ImportRecord {
  id: string;
  filename: string;
  format: string;
  status: ImportStatus;
  dryRun: boolean;
  allOrNothing: boolean;
  rowsTotal: number;
  rowsImported: number;
  rowsFailed: number;
  summary: Record<string, unknown>;
  startedAt: string;
  finishedAt: string | null;
}

/** An import's record (status, counts, summary); IMPORT.NOT_FOUND when it is not the tenant's. */
export const getImport = async (db: Sql, tenantId: string, id: string): Promise<ImportRecord> => {
  const r = await repo.findImport(db, tenantId, id);
  if (!r) throw notFound('import', id);
  return {
    id: r.id,
    filename: r.filename,
    format: r.format,
    status: r.status,
    dryRun: r.dry_run,
    allOrNothing: r.all_or_nothing,
    rowsTotal: r.rows_total,
    rowsImported: r.rows_imported,
    rowsFailed: r.rows_failed,
    summary: r.summary,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at ? r.finished_at.toISOString() : null,
  };
};

/**
 * A page of an import's stored errors in row order. Pages end on a row boundary (all errors of a
 * row come together); pass `nextAfterRow` back as `afterRow` for the next page.
 */
export const listImportErrors = async (
  db: Sql,
  tenantId: string,
  id: string,
  opts: { afterRow?: number | undefined; limit: number },
): Promise<{ data: ImportError[]; nextAfterRow: number | null }> => {
  if (!(await repo.findImport(db, tenantId, id))) throw notFound('import', id);
  const limit = Math.max(1, Math.min(opts.limit, 5_000));
  const rows = await repo.selectImportErrors(db, tenantId, id, opts.afterRow ?? 0, limit + 1);
  if (rows.length <= limit) return { data: rows, nextAfterRow: null };
  const lastRow = rows[limit]!.row;
  let page = rows.slice(0, limit).filter((e) => e.row !== lastRow);
  if (page.length === 0) {
    // One row with more errors than a page: return that row whole.
    page = (await repo.selectImportErrors(db, tenantId, id, lastRow - 1, 10_000)).filter((e) => e.row === lastRow);
  }
  return { data: page, nextAfterRow: page[page.length - 1]!.row };
};

// A cell starting with these is run as a formula by spreadsheet apps (CSV injection); a leading
// apostrophe makes it text. Negative numbers are left alone.
const FORMULA = /^(?:[=+@\t\r]|-(?![\d.,]))/;
const safeCell = (s: string): string => (FORMULA.test(s) ? `'${s}` : s);

/**
 * Writes errors as CSV (row, column, value, code, reason) to a stream, honouring back-pressure.
 * The stream is left open (it may be stdout or an HTTP response the caller finishes).
 */
export const writeErrorReportCsv = async (errors: Iterable<ImportError> | AsyncIterable<ImportError>, out: NodeJS.WritableStream): Promise<void> => {
  const write = async (s: string): Promise<void> => {
    if (!out.write(s)) await once(out as unknown as NodeJS.EventEmitter, 'drain');
  };
  await write(stringify([['row', 'column', 'value', 'code', 'reason']]));
  let chunk: string[][] = [];
  for await (const e of errors) {
    chunk.push([String(e.row), e.column ?? '', safeCell(e.value ?? ''), e.code, e.reason]);
    if (chunk.length >= 500) {
      await write(stringify(chunk));
      chunk = [];
    }
  }
  if (chunk.length > 0) await write(stringify(chunk));
};
