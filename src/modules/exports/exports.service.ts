import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify/sync';
import type { Sql } from '../../db/db.ts';
import { invalid } from '../../lib/errors.ts';
import { findCreditorByRef } from '../tenants/index.ts';
import { COLUMNS, SUPPORTED_FILTERS, escapeFormula, toCsvRecord, toJsonObject, type Column, type MoneyNotation } from './exports.domain.ts';
import * as repo from './exports.repo.ts';
import { ExportRequest, type ExportRequestParsed } from './exports.types.ts';

export interface ExportDeps {
  db: Sql;
  /** Rows read per page (default 5000): memory holds one page, whatever the table size. */
  batchSize?: number;
  /** Called after each page is written, with the rows written so far (CLI progress). */
  onProgress?: (rows: number) => void;
}

export interface ExportResult {
  rows: number;
  columns: string[];
}

const parseRequest = (input: ExportRequest): ExportRequestParsed => {
  const r = ExportRequest.safeParse(input);
  if (r.success) return r.data;
  const details = r.error.issues.map((i) => ({ field: i.path.join('.') || 'request', message: i.message }));
  throw invalid('EXPORT.INVALID_REQUEST', `invalid export request: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
};

/**
 * Pages through a keyset until a short page says the end is reached. The next page is already
 * being read while the current one is formatted and written (at most two pages in memory), which
 * hides most of the query time on a server.
 */
async function* pages<R, K>(read: (after: K, limit: number) => Promise<R[]>, keyOf: (r: R) => K, start: K, limit: number): AsyncGenerator<R[]> {
  let next: Promise<R[]> | null = read(start, limit);
  try {
    while (next) {
      const rows: R[] = await next;
      next = rows.length === limit ? read(keyOf(rows[rows.length - 1]!), limit) : null;
      // If the consumer stops early (a write error), the read in flight must not surface as an
      // unhandled rejection; awaited normally, it still throws.
      next?.catch(() => undefined);
      if (rows.length > 0) yield rows;
    }
  } finally {
    await next?.catch(() => undefined);
  }
}

const resolveFilters = async (db: Sql, req: ExportRequestParsed): Promise<repo.ResolvedFilters> => {
  const given = (Object.keys(req.filters) as (keyof typeof req.filters)[]).filter((k) => req.filters[k] !== undefined);
  const unsupported = given.filter((k) => !SUPPORTED_FILTERS[req.entity].includes(k));
  if (unsupported.length > 0) {
    throw invalid('EXPORT.FILTER_NOT_SUPPORTED', `${req.entity} cannot be filtered by ${unsupported.join(', ')}`,
      unsupported.map((k) => ({ field: `filters.${k}`, message: `not supported for ${req.entity}` })));
  }
  let creditorId: string | null = null;
  if (req.filters.creditorRef) {
    const c = await findCreditorByRef(db, req.tenantId, req.filters.creditorRef);
    if (!c) throw invalid('CREDITOR.UNKNOWN', `no creditor with reference ${req.filters.creditorRef}`, [{ field: 'filters.creditorRef', value: req.filters.creditorRef, message: 'unknown creditor' }]);
    creditorId = c.id;
  }
  return { creditorId, bucket: req.filters.bucket ?? null, status: req.filters.status ?? null, updatedSince: req.filters.updatedSince ?? null };
};

/** The entity's rows, page by page, typed against its columns. */
const sourceOf = (db: Sql, req: ExportRequestParsed, f: repo.ResolvedFilters, limit: number): { columns: readonly Column<never>[]; pages: AsyncGenerator<unknown[]> } => {
  const t = req.tenantId;
  switch (req.entity) {
    case 'accounts':
      return { columns: COLUMNS.accounts, pages: pages((a, n) => repo.accountsPage(db, t, f, a, n), (r) => r.account_id, '', limit) };
    case 'debtors':
      return { columns: COLUMNS.debtors, pages: pages((a, n) => repo.debtorsPage(db, t, f, a, n), (r) => r.debtor_id, '', limit) };
    case 'transactions':
      return { columns: COLUMNS.transactions, pages: pages((a, n) => repo.transactionsPage(db, t, f, a, n), (r) => r.transaction_id, '', limit) };
    case 'events':
      return { columns: COLUMNS.events, pages: pages((a, n) => repo.eventsPage(db, t, f, a, n), (r) => r.seq, 0, limit) };
  }
};

/**
 * Streams one entity of a tenant to `out` as CSV (header row, RFC 4180 quoting) or NDJSON (one
 * object per line), reading in keyset pages so memory stays flat for any number of rows. Writes
 * wait for `out` to drain (backpressure). `out` is ended afterwards unless `end: false` (stdout).
 * Columns: docs/export.md.
 */
export const exportData = async (
  deps: ExportDeps,
  request: ExportRequest,
  out: NodeJS.WritableStream,
  options: { end?: boolean } = {},
): Promise<ExportResult> => {
  const req = parseRequest(request);
  const filters = await resolveFilters(deps.db, req);
  const { columns, pages: source } = sourceOf(deps.db, req, filters, deps.batchSize ?? 5000);
  const cols = columns as readonly Column<unknown>[];
  const names = cols.map((c) => c.name);
  const notation: MoneyNotation = { decimalSeparator: req.format === 'csv' ? req.csv.decimalSeparator : '.' };
  let rows = 0;

  async function* chunks(): AsyncGenerator<string> {
    if (req.format === 'csv') {
      const csv = { delimiter: req.csv.delimiter, columns: names };
      // The header goes out even for an empty export, so a consumer always sees the columns.
      yield stringify([], { ...csv, header: true, bom: req.csv.bom });
    }
    for await (const page of source) {
      if (req.format === 'csv') {
        const records = page.map((r) => toCsvRecord(cols, r, notation));
        if (req.csv.escapeFormulas) for (const rec of records) for (let i = 0; i < rec.length; i++) rec[i] = escapeFormula(rec[i]!);
        yield stringify(records, { delimiter: req.csv.delimiter, columns: names, header: false });
      } else {
        yield page.map((r) => JSON.stringify(toJsonObject(cols, r, notation))).join('\n') + '\n';
      }
      rows += page.length;
      deps.onProgress?.(rows);
    }
  }

  await pipeline(Readable.from(chunks(), { objectMode: false }), out as NodeJS.WritableStream, { end: options.end ?? true });
  return { rows, columns: names };
};
