import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import type { Context } from '../context.ts';
import { exportData } from '../modules/exports/index.ts';
import { defaultTenant, tenantIdOf } from './tenants.cli.ts';
import { CliError } from './output.ts';

type WithContext = <T>(fn: (ctx: Context) => Promise<T>) => Promise<T>;

interface ExportCliOptions {
  tenant: string;
  entity: string;
  format: string;
  out?: string;
  creditor?: string;
  bucket?: string;
  status?: string;
  updatedSince?: string;
  delimiter: string;
  decimal: string;
  bom: boolean;
}

export const registerExportCommand = (program: Command, withContext: WithContext): void => {
  program
    .command('export')
    .description('Stream accounts, debtors, transactions or events to CSV or NDJSON (columns in docs/export.md)')
    .option('--tenant <slug>', 'tenant slug', defaultTenant())
    .option('--entity <entity>', 'accounts | debtors | transactions | events', 'accounts')
    .option('--format <format>', 'csv | ndjson', 'csv')
    .option('--out <file>', 'write to this file (default: standard output)')
    .option('--creditor <ref>', "only this creditor's rows")
    .option('--bucket <bucket>', 'only accounts in this delinquency bucket (e.g. 31-60)')
    .option('--status <status>', 'only accounts in this status (active, paid, settled, charged_off, closed, recalled)')
    .option('--updated-since <instant>', 'only rows changed at or after this ISO instant')
    .option('--delimiter <d>', 'CSV delimiter , or ;', ',')
    .option('--decimal <d>', 'decimal separator of money columns . or ,', '.')
    .option('--bom', 'start the CSV with a UTF-8 byte order mark (Excel)', false)
    .action((o: ExportCliOptions) =>
      withContext(async (ctx) => {
        const tenantId = await tenantIdOf(ctx, o.tenant);
        const out = o.out ? createWriteStream(o.out) : process.stdout;
        const filters = Object.fromEntries(
          Object.entries({ creditorRef: o.creditor, bucket: o.bucket, status: o.status, updatedSince: o.updatedSince }).filter(([, v]) => v !== undefined),
        );
        let result;
        try {
          result = await exportData(
            { db: ctx.db },
            { tenantId, entity: o.entity as never, format: o.format as never, filters, csv: { delimiter: o.delimiter as never, decimalSeparator: o.decimal as never, bom: o.bom, escapeFormulas: false } },
            out,
            { end: Boolean(o.out) },
          );
        } catch (e) {
          if (e instanceof Error && e.name === 'ZodError') throw new CliError(`invalid export options: ${e.message}`, 2);
          throw e;
        }
        if (o.out) {
          if (!(out as NodeJS.WritableStream & { writableFinished?: boolean }).writableFinished) await once(out, 'finish');
          process.stderr.write(`exported ${result.rows} ${o.entity} to ${o.out}\n`);
        }
      }),
    );
};
