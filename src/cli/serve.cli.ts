import type { Command } from 'commander';
import type { Context } from '../context.ts';
import { loadConfig } from '../config.ts';
import { openContext } from '../context.ts';
import { startWorkers } from '../workers.ts';
import { createServices } from '../services.ts';
import { buildApp } from '../http/app.ts';
import { createLogger } from '../lib/logger.ts';
import { newId } from '../lib/ids.ts';
import { DEMO_API_KEY, loadDemoPortfolio } from '../modules/demo/index.ts';

type WithContext = <T>(fn: (ctx: Context) => Promise<T>) => Promise<T>;

export const registerServeCommands = (program: Command, _withContext: WithContext): void => {
  program
    .command('serve')
    .description('Start the HTTP API and web app (and the background workers unless TACTO_WORKERS=off)')
    .option('--port <port>', 'port to listen on (default PORT or 3000)')
    .option('--host <host>', 'interface to listen on (default HOST or 127.0.0.1)')
    .option('--demo', 'load the demo portfolio on first start (tenant "demo")', false)
    .action(async (o: { port?: string; host?: string; demo: boolean }) => {
      const config = loadConfig();
      const log = createLogger(config.logLevel);
      const started = Date.now();
      const ctx = await openContext(config);
      if (o.demo) {
        const demo = await loadDemoPortfolio({ db: ctx.db, clock: ctx.clock, newId, tenants: ctx.services.tenants, channels: ctx.services.messaging.registry }, { accounts: config.demoAccounts });
        if (demo.loaded) {
          process.stdout.write(`Demo portfolio loaded: ${demo.accounts?.rowsImported ?? 0} accounts, ${demo.transactions?.rowsImported ?? 0} payments (tenant "demo"); daily run: ${demo.dailyRun?.contactsScheduled ?? 0} contacts scheduled.\n`);
        }
        process.stdout.write(`Demo API key (tenant "demo", local use only): ${DEMO_API_KEY}\n`);
      }
      const workers = config.workers ? await startWorkers({ db: ctx.db, clock: ctx.clock, newId, log, databaseUrl: config.databaseUrl, messaging: ctx.services.messaging, outboundFetch: ctx.services.deps.outboundFetch, secretBox: ctx.services.deps.messaging?.secretBox, runSlices: config.runSlices }) : null;
      const services = workers ? createServices(ctx.services.deps, { webhooks: workers.webhooks }) : ctx.services;
      const app = await buildApp({ db: ctx.db, services, logLevel: config.logLevel === 'debug' ? 'debug' : 'warn' });
      const port = o.port ? Number(o.port) : config.port;
      const host = o.host ?? config.host;
      await app.listen({ port, host });
      log.info({ port, host, database: ctx.db.kind, ms: Date.now() - started }, 'tacto is listening');
      process.stdout.write(`Tacto listening on http://${host === '0.0.0.0' ? 'localhost' : host}:${port}  (API docs: /api/docs/, database: ${ctx.db.kind})\n`);
      const stop = async () => {
        await app.close();
        await workers?.stop();
        await ctx.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  program
    .command('worker')
    .description('Run the background workers only (outbox relay, webhook deliveries, message dispatch, nightly days-past-due refresh, daily run and body purge, cancellation of pending contacts on payments and opt-outs); on a PostgreSQL server run as many as you like')
    .action(async () => {
      const config = loadConfig();
      const log = createLogger(config.logLevel);
      const ctx = await openContext(config);
      const workers = await startWorkers({ db: ctx.db, clock: ctx.clock, newId, log, databaseUrl: config.databaseUrl, messaging: ctx.services.messaging, outboundFetch: ctx.services.deps.outboundFetch, secretBox: ctx.services.deps.messaging?.secretBox, runSlices: config.runSlices });
      process.stdout.write(`Tacto workers running (database: ${ctx.db.kind}). Ctrl-C to stop.\n`);
      const stop = async () => {
        await workers.stop();
        await ctx.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
};
