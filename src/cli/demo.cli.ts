import type { Command } from 'commander';
import type { Context } from '../context.ts';
import { newId } from '../lib/ids.ts';
import { DEMO_API_KEY, loadDemoPortfolio } from '../modules/demo/index.ts';
import { CliError, printJson } from './output.ts';

type WithContext = <T>(fn: (ctx: Context) => Promise<T>) => Promise<T>;

export const registerDemoCommand = (program: Command, withContext: WithContext): void => {
  program
    .command('demo')
    .description('Load the demo portfolio into tenant "demo" through the import path, the two shipped strategies, and run the daily run once (does nothing if it already has accounts)')
    .option('--accounts <n>', 'number of accounts', (v) => Number(v), Number(process.env.TACTO_DEMO_ACCOUNTS ?? 3000))
    .option('--seed <n>', 'random seed (the same seed gives the same portfolio)', (v) => Number(v), 20261123)
    .action((o: { accounts: number; seed: number }) =>
      withContext(async (ctx) => {
        if (!Number.isInteger(o.accounts) || o.accounts < 1 || o.accounts > 1_000_000) throw new CliError('--accounts must be a whole number from 1 to 1000000', 2);
        if (!Number.isInteger(o.seed)) throw new CliError('--seed must be a whole number', 2);
        const r = await loadDemoPortfolio({ db: ctx.db, clock: ctx.clock, newId, tenants: ctx.services.tenants, channels: ctx.services.messaging.registry }, { accounts: o.accounts, seed: o.seed });
        printJson({
          tenant: 'demo',
          loaded: r.loaded,
          ...(r.loaded ? {} : { note: 'tenant "demo" already has accounts; nothing was loaded' }),
          accounts: r.accounts?.rowsImported ?? 0,
          payments: r.transactions?.rowsImported ?? 0,
          strategies: r.strategies,
          dailyRun: r.dailyRun ? { id: r.dailyRun.id, businessDate: r.dailyRun.businessDate, contactsScheduled: r.dailyRun.contactsScheduled } : null,
          apiKey: DEMO_API_KEY,
        });
      }),
    );
};
