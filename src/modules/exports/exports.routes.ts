import { PassThrough } from 'node:stream';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../../http/errors.ts';
import { exportData, type ExportDeps } from './exports.service.ts';
import { ExportEntity, ExportFormat } from './exports.types.ts';

const ExportQuery = z.object({
  format: ExportFormat.default('csv'),
  creditorRef: z.string().min(1).optional(),
  bucket: z.string().min(1).optional(),
  status: z.enum(['active', 'paid', 'settled', 'charged_off', 'closed', 'recalled']).optional(),
  updatedSince: z.iso.datetime({ offset: true }).optional(),
  delimiter: z.enum([',', ';']).default(','),
  decimalSeparator: z.enum(['.', ',']).default('.'),
  bom: z.enum(['true', 'false']).transform((v) => v === 'true').default(false),
});

/** Streams an export: the first rows leave before the last are read, memory stays flat. */
export const exportsRoutes =
  (deps: ExportDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/exports/:entity', {
      schema: {
        tags: ['exports'],
        summary: 'Export accounts, debtors, transactions or events as CSV or NDJSON (streamed; columns in docs/export.md)',
        params: z.object({ entity: ExportEntity }),
        querystring: ExportQuery,
        // 200 is a CSV or NDJSON stream (text/csv, application/x-ndjson), not JSON: no schema to serialise through.
        response: errorResponses,
      },
      handler: async (req, reply) => {
        const q = req.query;
        const { creditorRef, bucket, status, updatedSince } = q;
        const filters = Object.fromEntries(Object.entries({ creditorRef, bucket, status, updatedSince }).filter(([, v]) => v !== undefined));
        const out = new PassThrough();
        const done = exportData(
          deps,
          {
            tenantId: req.tenantId,
            entity: req.params.entity,
            format: q.format,
            filters,
            csv: { delimiter: q.delimiter, decimalSeparator: q.decimalSeparator, bom: q.bom, escapeFormulas: true },
          },
          out,
        );
        // Fail before the first byte when the request itself is wrong (e.g. unknown creditor).
        const first = await Promise.race([done.then(() => 'done' as const), new Promise<'data'>((r) => out.once('readable', () => r('data')))]);
        void first;
        done.catch((e: unknown) => out.destroy(e as Error));
        const ext = q.format === 'csv' ? 'csv' : 'ndjson';
        return reply
          .header('content-type', q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
          .header('content-disposition', `attachment; filename="${req.params.entity}.${ext}"`)
          .send(out as never); // a stream: Fastify pipes it and skips the JSON serializer
      },
    });
  };
