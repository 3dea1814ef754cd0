import { z } from 'zod';

/** What `tacto export` and the export API accept. Columns per entity are documented in docs/export.md. */
export const ExportEntity = z.enum(['accounts', 'debtors', 'transactions', 'events']);
export const ExportFormat = z.enum(['csv', 'ndjson']);

const instant = z
  .union([z.date(), z.string()])
  .transform((v, ctx) => {
    const d = v instanceof Date ? v : new Date(v);
    if (Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'expected an ISO 8601 date or instant, e.g. 2026-03-01 or 2026-03-01T00:00:00Z' });
      return z.NEVER;
    }
    return d;
  });

export const ExportFilters = z
  .object({
    /** Only this creditor's debtors, accounts and transactions. */
    creditorRef: z.string().min(1).optional(),
    /** Accounts in this delinquency bucket (debtors and transactions: of such an account). */
    bucket: z.string().min(1).optional(),
    /** Accounts in this status (debtors and transactions: of such an account). */
    status: z.enum(['active', 'paid', 'settled', 'charged_off', 'closed', 'recalled']).optional(),
    /** Rows changed at or after this instant (transactions: recorded; events: occurred). */
    updatedSince: instant.optional(),
  })
  .strict();

export const CsvOptions = z
  .object({
    /** `;` for spreadsheet software set to Spanish (and most of continental Europe). */
    delimiter: z.enum([',', ';']).default(','),
    /** Decimal separator of money columns; `,` pairs with the `;` delimiter. Minor-unit columns never change. */
    decimalSeparator: z.enum(['.', ',']).default('.'),
    /** A UTF-8 byte order mark so Excel reads accents correctly. */
    bom: z.boolean().default(false),
    /** Prefix text cells that a spreadsheet would run as a formula with `'` (see docs/export.md). */
    escapeFormulas: z.boolean().default(false),
  })
  .strict();

export const ExportRequest = z.object({
  tenantId: z.string().min(1),
  entity: ExportEntity,
  format: ExportFormat.default('csv'),
  filters: ExportFilters.default({}),
  csv: CsvOptions.default({ delimiter: ',', decimalSeparator: '.', bom: false, escapeFormulas: false }),
});

export type ExportEntity = z.infer<typeof ExportEntity>;
export type ExportFormat = z.infer<typeof ExportFormat>;
export type ExportRequest = z.input<typeof ExportRequest>;
export type ExportRequestParsed = z.output<typeof ExportRequest>;
