import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { once } from 'node:events';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import type { Context } from '../context.ts';
import { newId } from '../lib/ids.ts';
import { listImportErrors, runImport, writeErrorReportCsv, type ImportReport } from '../modules/imports/index.ts';
import { defaultTenant, tenantIdOf } from './tenants.cli.ts';
import { CliError, printJson } from './output.ts';

type WithContext = <T>(fn: (ctx: Context) => Promise<T>) => Promise<T>;

interface ImportCliOptions {
  tenant: string;
  kind: 'accounts' | 'transactions';
  format?: 'csv' | 'xlsx' | 'ndjson';
  dryRun: boolean;
  allOrNothing: boolean;
  delimiter?: string;
  decimal?: string;
  encoding?: string;
  dateFormat?: 'dmy' | 'ymd' | 'mdy';
  creditor?: string;
  asOf?: string;
  sheet?: string;
  report?: string;
  json: boolean;
}

/** Exit codes: 0 all rows imported, 3 some rows reported, 4 nothing imported (all-or-nothing or file rejected). */
const exitCodeOf = (r: ImportReport): number => (r.status === 'completed' ? 0 : r.status === 'completed_with_errors' ? 3 : 4);

const summary = (r: ImportReport, file: string): string => {
  const lines = [
    `${r.dryRun ? 'Dry run of' : 'Imported'} ${file}: ${r.status}`,
    `  rows: ${r.rowsTotal} read, ${r.rowsImported} ${r.dryRun ? 'would be imported' : 'imported'}, ${r.rowsFailed} with errors`,
    `  created: ${r.created.debtors} debtors, ${r.created.accounts} accounts, ${r.created.contactPoints} contact points, ${r.created.transactions} transactions, ${r.created.creditors} creditors`,
    `  updated: ${r.updated.debtors} debtors, ${r.updated.accounts} accounts${r.replayed ? `; ${r.replayed} transactions already recorded` : ''}`,
    `  import id: ${r.importId}  (${(r.durationMs / 1000).toFixed(1)} s)`,
  ];
  if (r.errors.length) {
    lines.push(`  errors (${r.errorCount}${r.errorsTruncated ? ', first shown' : ''}):`);
    for (const e of r.errors.slice(0, 20)) lines.push(`    row ${e.row}${e.column ? `, ${e.column}` : ''}${e.value !== null ? ` = "${e.value}"` : ''}: ${e.code} — ${e.reason}`);
    if (r.errors.length > 20) lines.push(`    … ${r.errorCount - 20} more (use --report errors.csv for all of them)`);
  }
  return `${lines.join('\n')}\n`;
};

export const registerImportCommand = (program: Command, withContext: WithContext): void => {
  program
    .command('import <file>')
    .description('Import accounts (with debtors and schedules) or transactions from CSV, XLSX or NDJSON — see docs/import.md')
    .option('--tenant <slug>', 'tenant slug', defaultTenant())
    .option('--kind <kind>', 'accounts | transactions', 'accounts')
    .option('--format <format>', 'csv | xlsx | ndjson (default: from the file extension)')
    .option('--dry-run', 'validate everything, also against the database, and write nothing', false)
    .option('--all-or-nothing', 'import nothing if any row has an error', false)
    .option('--delimiter <d>', 'CSV delimiter: , ; | tab (default: detected from the header)')
    .option('--decimal <d>', 'decimal separator , or . (default: , when the delimiter is ;)')
    .option('--encoding <e>', 'utf-8 | windows-1252 (latin1) (default: detected)')
    .option('--date-format <f>', 'dmy | ymd | mdy (default: ISO or dd/mm/yyyy)')
    .option('--creditor <ref>', 'creditor reference for every row when the file has no creditor_ref column')
    .option('--as-of <date>', 'date for days past due (YYYY-MM-DD, default today)')
    .option('--sheet <name>', 'XLSX sheet (default: the first)')
    .option('--report <file>', 'write every row error to this CSV (row, column, value, code, reason)')
    .option('--json', 'print the report as JSON', false)
    .addHelpText('after', '\nExit codes: 0 every row imported; 3 some rows had errors (the rest imported); 4 nothing imported; 1 failure; 2 usage.')
    .action((file: string, o: ImportCliOptions) =>
      withContext(async (ctx) => {
        let size: number;
        try {
          size = statSync(file).size;
        } catch {
          throw new CliError(`cannot read ${file}`, 2);
        }
        if (o.kind !== 'accounts' && o.kind !== 'transactions') throw new CliError('--kind must be accounts or transactions', 2);
        const tenantId = await tenantIdOf(ctx, o.tenant);
        const bar = process.stderr.isTTY && !o.json
          ? new cliProgress.SingleBar({ format: '{bar} {percentage}% | {rows} rows | {eta_formatted} left', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
          : null;
        bar?.start(size, 0, { rows: 0 });
        const report = await runImport(
          { db: ctx.db, clock: ctx.clock, newId },
          {
            tenantId, source: createReadStream(file), filename: basename(file), kind: o.kind, ...(o.format ? { format: o.format } : {}),
            options: {
              dryRun: o.dryRun, allOrNothing: o.allOrNothing, ...(o.delimiter ? { delimiter: o.delimiter } : {}), ...(o.decimal ? { decimal: o.decimal } : {}),
              ...(o.encoding ? { encoding: o.encoding } : {}), ...(o.dateFormat ? { dateFormat: o.dateFormat } : {}), ...(o.creditor ? { creditorRef: o.creditor } : {}),
              ...(o.asOf ? { asOf: o.asOf } : {}), ...(o.sheet ? { sheet: o.sheet } : {}),
            },
          },
          (p) => bar?.update(Math.min(p.bytes, size), { rows: p.rows }),
        ).finally(() => bar?.stop());
        if (o.report) {
          const out = createWriteStream(o.report);
          const importId = report.importId;
          await writeErrorReportCsv(
            (async function* () {
              let afterRow: number | undefined;
              for (;;) {
                const page = await listImportErrors(ctx.db, tenantId, importId, { afterRow, limit: 5000 });
                yield* page.data;
                if (page.nextAfterRow === null) return;
                afterRow = page.nextAfterRow;
              }
            })(),
            out,
          );
          out.end();
          await once(out, 'finish');
        }
        if (o.json) printJson(report);
        else process.stdout.write(summary(report, basename(file)));
        process.exitCode = exitCodeOf(report);
      }),
    );
};
