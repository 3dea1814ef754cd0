import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Readable } from 'node:stream';
import { errorResponses } from '../../http/errors.ts';
import { invalid } from '../../lib/errors.ts';
import type { ImportDeps } from './imports.service.ts';
import { runImport } from './imports.service.ts';
import { getImport, listImportErrors } from './imports.report.ts';
import { IMPORT_ERROR_CODES, ImportQuery } from './imports.types.ts';

const ImportErrorSchema = z.object({ row: z.number().int(), column: z.string().nullable(), value: z.string().nullable(), code: z.enum(IMPORT_ERROR_CODES), reason: z.string() });
const Counts = z.object({ debtors: z.number().int(), accounts: z.number().int(), contactPoints: z.number().int(), transactions: z.number().int(), creditors: z.number().int() });
const ImportReportSchema = z.object({
  importId: z.string(),
  status: z.enum(['running', 'completed', 'completed_with_errors', 'rejected', 'failed']),
  kind: z.enum(['accounts', 'transactions']),
  dryRun: z.boolean(),
  rowsTotal: z.number().int(),
  rowsImported: z.number().int(),
  rowsFailed: z.number().int(),
  created: Counts,
  updated: z.object({ debtors: z.number().int(), accounts: z.number().int() }),
  replayed: z.number().int(),
  errors: z.array(ImportErrorSchema),
  errorCount: z.number().int(),
  errorsTruncated: z.boolean(),
  durationMs: z.number(),
});
const ImportRecordSchema = z.object({
  id: z.string(),
  filename: z.string(),
  format: z.string(),
  status: z.enum(['running', 'completed', 'completed_with_errors', 'rejected', 'failed']),
  dryRun: z.boolean(),
  allOrNothing: z.boolean(),
  rowsTotal: z.number().int(),
  rowsImported: z.number().int(),
  rowsFailed: z.number().int(),
  summary: z.record(z.string(), z.unknown()),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});

/** Media types the import accepts as a raw request body (the file itself, streamed). */
const FILE_TYPES: Record<string, 'csv' | 'xlsx' | 'ndjson'> = {
  'text/csv': 'csv',
  'text/plain': 'csv',
  'application/csv': 'csv',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
};

export const importsRoutes =
  (deps: ImportDeps): FastifyPluginAsyncZod =>
  async (app) => {
    // The body is the file, handed to the import as a stream: memory stays flat for large files.
    app.addContentTypeParser([...Object.keys(FILE_TYPES), 'application/octet-stream'], (_req, payload, done) => done(null, payload));
    app.post('/imports', {
      bodyLimit: 2 * 1024 * 1024 * 1024,
      schema: {
        tags: ['imports'],
        summary: 'Import accounts or transactions from a CSV, XLSX or NDJSON file sent as the request body',
        description:
          'Send the file as the raw body with its Content-Type (text/csv, application/x-ndjson, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, or application/octet-stream with `format`). ' +
          'Options in the query string; columns and codes in docs/import.md. Rows with errors are reported (row, column, value, code, reason) and never half-written.',
        querystring: ImportQuery.extend({ filename: z.string().min(1).max(255).optional() }),
        response: { 200: ImportReportSchema, ...errorResponses },
      },
      handler: async (req) => {
        const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        const { filename, kind, format, ...options } = req.query;
        const fmt = format ?? FILE_TYPES[contentType];
        if (!fmt) {
          throw invalid('IMPORT.UNKNOWN_FORMAT', 'say the file format: a Content-Type such as text/csv, or ?format=csv|xlsx|ndjson', [{ field: 'format', message: 'required with this Content-Type' }]);
        }
        return runImport(deps, {
          tenantId: req.tenantId,
          source: req.body as Readable,
          filename: filename ?? `upload.${fmt}`,
          format: fmt,
          ...(kind ? { kind } : {}),
          options,
        });
      },
    });
    app.get('/imports/:id', {
      schema: { tags: ['imports'], summary: 'Read an import: status, counts, summary', params: z.object({ id: z.string() }), response: { 200: ImportRecordSchema, ...errorResponses } },
      handler: async (req) => getImport(deps.db, req.tenantId, req.params.id),
    });
    app.get('/imports/:id/errors', {
      schema: {
        tags: ['imports'],
        summary: "An import's row-level errors in row order (paged by row)",
        params: z.object({ id: z.string() }),
        querystring: z.object({ afterRow: z.coerce.number().int().min(0).optional(), limit: z.coerce.number().int().min(1).max(5000).default(500) }),
        response: { 200: z.object({ data: z.array(ImportErrorSchema), nextAfterRow: z.number().int().nullable() }), ...errorResponses },
      },
      handler: async (req) => listImportErrors(deps.db, req.tenantId, req.params.id, req.query),
    });
  };
