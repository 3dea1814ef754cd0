import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Context } from '../context.ts';
import { CliError, printJson } from './output.ts';
import { defaultTenant, tenantIdOf } from './tenants.cli.ts';

type WithContext = <T>(fn: (ctx: Context) => Promise<T>) => Promise<T>;

const positive = (name: string, value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`${name} must be a positive number`, 2);
  return n;
};

/** Reads a file argument (`-` for stdin) through `parse`; a failure names the file. */
const readInput = <T>(file: string, parse: (bytes: Buffer) => T): T => {
  try {
    return parse(readFileSync(file === '-' ? 0 : file));
  } catch (e) {
    throw new CliError(`could not read ${file}: ${(e as Error).message}`);
  }
};

export const registerDispatchCommands = (program: Command, withContext: WithContext): void => {
  program
    .command('dispatch')
    .description('Send due scheduled contacts: claim (SKIP LOCKED), re-check policy and channel rules, render, send, record. Runs until stopped; --once drains what is due and exits')
    .option('--once', 'dispatch until nothing is due, print the counts and exit', false)
    .option('--batch <n>', 'contacts claimed per pass', '200')
    .option('--lease <seconds>', 'claim lease: after it a crashed dispatcher\'s contacts are taken again', '120')
    .option('--concurrency <n>', 'parallel sends per network provider', '8')
    .option('--idle <ms>', 'pause when nothing is due (continuous mode)', '1000')
    .option('--lanes <n>', 'passes in flight at once in this process (default 2 on PostgreSQL, 1 on PGlite)')
    .action((o: { once: boolean; batch: string; lease: string; concurrency: string; idle: string; lanes?: string }) =>
      withContext(async (ctx) => {
        const options = { batchSize: positive('--batch', o.batch), leaseSeconds: positive('--lease', o.lease), concurrency: positive('--concurrency', o.concurrency) };
        const lanes = o.lanes === undefined ? ctx.services.messaging.defaultLanes() : Math.floor(positive('--lanes', o.lanes));
        if (o.once) {
          printJson(await ctx.services.messaging.drain({ ...options, lanes }));
          return;
        }
        let stopping = false;
        const stop = (): void => {
          stopping = true;
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        process.stderr.write(`tacto dispatch: running (database: ${ctx.db.kind}); Ctrl-C to stop\n`);
        const idle = positive('--idle', o.idle);
        const lane = async (): Promise<void> => {
          while (!stopping) {
            const s = await ctx.services.messaging.dispatchOnce(options);
            if (s.claimed > 0) process.stdout.write(`${JSON.stringify(s)}\n`);
            if (s.claimed === 0 || s.claimed === s.deferred) await new Promise((r) => setTimeout(r, idle));
          }
        };
        await Promise.all(Array.from({ length: lanes }, lane));
      }),
    );

  const channels = program.command('channels').description('Provider configuration per tenant (stored encrypted)');
  channels
    .command('set')
    .description('Set one provider\'s configuration from a JSON file {"config": {...}, "settings": {"channels": [...], ...}} (see docs/messaging.md)')
    .argument('<file>', 'JSON file, or - for stdin')
    .option('--tenant <slug>', 'tenant slug', defaultTenant())
    .action((file: string, o: { tenant: string }) =>
      withContext(async (ctx) => {
        const doc = readInput(file, (bytes): unknown => JSON.parse(bytes.toString('utf8')));
        printJson(await ctx.services.messaging.registry.put(await tenantIdOf(ctx, o.tenant), doc));
      }),
    );
  channels
    .command('list')
    .description('Configured providers and their channels (secrets replaced)')
    .option('--tenant <slug>', 'tenant slug', defaultTenant())
    .action((o: { tenant: string }) => withContext(async (ctx) => printJson(await ctx.services.messaging.registry.describe(await tenantIdOf(ctx, o.tenant)))));

  program
    .command('bounces')
    .description('E-mail bounces')
    .command('ingest')
    .description('Apply a bounce e-mail (RFC 3464 DSN, .eml) as the /webhooks/email/{tenantId}/dsn webhook does: a hard bounce ends its message')
    .argument('<file>', '.eml file, or - for stdin')
    .option('--tenant <slug>', 'tenant slug', defaultTenant())
    .action((file: string, o: { tenant: string }) =>
      withContext(async (ctx) => {
        const r = await ctx.services.messaging.ingestDsn(await tenantIdOf(ctx, o.tenant), readInput(file, (bytes) => bytes));
        if (!r.ok) throw new CliError(`${file} is not a bounce: ${r.message}`, 3);
        printJson({ messageId: r.messageId, received: r.received, applied: r.applied });
      }),
    );

  const messages = program.command('messages').description('Messages and their retention');
  messages
    .command('purge-bodies')
    .description('Remove message bodies older than each tenant\'s retention (messaging.bodyRetentionDays, default 1095); hashes and templates stay (the nightly job does this)')
    .action(() => withContext(async (ctx) => printJson({ purged: await ctx.services.messaging.purgeBodies() })));
};
