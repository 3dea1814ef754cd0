import { Command, CommanderError } from 'commander';
import { loadConfig } from '../config.ts';
import { openContext, type Context } from '../context.ts';
import { isoDate } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import { registerTenantCommands } from './tenants.cli.ts';
import { registerServeCommands } from './serve.cli.ts';
import { registerImportCommand } from './import.cli.ts';
import { registerDemoCommand } from './demo.cli.ts';
import { registerExportCommand } from './export.cli.ts';
import { registerWebhookCommands } from './webhooks.cli.ts';
import { registerPolicyCommands } from './policy.cli.ts';
import { registerDispatchCommands } from './dispatch.cli.ts';
import { registerJourneyCommands } from './journeys.cli.ts';
import { registerModelCommands } from './model.cli.ts';
import { CliError, printJson } from './output.ts';

const VERSION = '0.1.0';

/** Opens the context for one command and always closes it (releasing the PGlite lock). */
const withContext = async <T>(fn: (ctx: Context) => Promise<T>): Promise<T> => {
  const ctx = await openContext(loadConfig());
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
};

export const buildProgram = (): Command => {
  const program = new Command('tacto')
    .description(
      'Tacto — collections platform. Data lives in ./data (PGlite) unless DATABASE_URL points at a PostgreSQL server.\n' +
        'Environment: DATABASE_URL, TACTO_DATA_DIR, PORT, HOST, LOG_LEVEL, TACTO_TENANT (default tenant slug for commands),\n' +
        'TACTO_SECRET_KEY (encrypts provider credentials; default a key file in the data dir), TACTO_PUBLIC_URL (webhook and link base URL).',
    )
    .version(VERSION)
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: false });

  registerServeCommands(program, withContext);
  registerDemoCommand(program, withContext);
  registerImportCommand(program, withContext);
  registerExportCommand(program, withContext);
  registerWebhookCommands(program, withContext);
  registerPolicyCommands(program);
  registerDispatchCommands(program, withContext);
  registerJourneyCommands(program, withContext);
  registerModelCommands(program, withContext);

  const db = program.command('db').description('Database maintenance');
  db.command('migrate')
    .description('Apply pending migrations (start-up does this too)')
    .action(() => withContext(async (ctx) => printJson({ database: ctx.db.kind, status: 'up to date' })));

  const dpd = program.command('dpd').description('Days past due');
  dpd
    .command('refresh')
    .description('Recompute days past due and delinquency buckets for every open account (the nightly job does this)')
    .option('--as-of <date>', 'date to compute as of (YYYY-MM-DD), default today')
    .action((o: { asOf?: string }) =>
      withContext(async (ctx) => {
        const asOf = o.asOf ?? isoDate(ctx.clock.now());
        if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new CliError('--as-of must be a date as YYYY-MM-DD', 2);
        printJson({ asOf, accountsChanged: await ctx.services.ledger.refreshDaysPastDue(asOf) });
      }),
    );

  registerTenantCommands(program, withContext);
  return program;
};

/** Runs the CLI; user errors print one line and set the exit code, bugs print their stack. */
export const runCli = async (argv: string[]): Promise<void> => {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode;
      return;
    }
    if (e instanceof CliError) {
      process.stderr.write(`tacto: ${e.message}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    if (e instanceof AppError) {
      process.stderr.write(`tacto: ${e.code}: ${e.message}\n${e.details.map((d) => `  ${d.field ?? ''}${d.row ? ` (row ${d.row})` : ''}: ${d.message}\n`).join('')}`);
      process.exitCode = 1;
      return;
    }
    if (e instanceof Error && /data directory .* is in use/.test(e.message)) {
      process.stderr.write(`tacto: ${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
};
