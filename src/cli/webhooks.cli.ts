import type { Command } from 'commander';
import type { Context } from '../context.ts';
import { defaultTenant, tenantIdOf } from './tenants.cli.ts';
import { printJson, printTable } from './output.ts';

type WithContext = <T>(fn: (ctx: Context) => Promise<T>) => Promise<T>;

export const registerWebhookCommands = (program: Command, withContext: WithContext): void => {
  const w = program.command('webhooks').description('Signed webhooks that tell the CRM about payments, balances and statuses (docs/webhooks.md)');
  w.command('add <url>')
    .description('Register an endpoint; prints its whsec_ signing secret once')
    .option('--tenant <slug>', 'tenant slug', defaultTenant())
    .option('--events <types>', 'comma-separated event types, or * for all', '*')
    .option('--description <text>', 'what the endpoint is')
    .action((url: string, o: { tenant: string; events: string; description?: string }) =>
      withContext(async (ctx) => {
        const tenantId = await tenantIdOf(ctx, o.tenant);
        printJson(await ctx.services.webhooks.createEndpoint(tenantId, { url, eventTypes: o.events.split(',').map((s) => s.trim()), ...(o.description ? { description: o.description } : {}) }));
      }),
    );
  w.command('list')
    .description('List endpoints')
    .option('--tenant <slug>', 'tenant slug', defaultTenant())
    .action((o: { tenant: string }) =>
      withContext(async (ctx) => {
        const { data } = await ctx.services.webhooks.listEndpoints(await tenantIdOf(ctx, o.tenant));
        printTable(data.map((e) => ({ id: e.id, url: e.url, events: e.eventTypes.join(','), active: e.active, created: e.createdAt })));
      }),
    );
  w.command('remove <id>')
    .description('Delete an endpoint and its pending deliveries')
    .option('--tenant <slug>', 'tenant slug', defaultTenant())
    .action((id: string, o: { tenant: string }) =>
      withContext(async (ctx) => {
        await ctx.services.webhooks.deleteEndpoint(await tenantIdOf(ctx, o.tenant), id);
        process.stdout.write(`removed ${id}\n`);
      }),
    );
  w.command('deliveries')
    .description('List recent deliveries with their status and last response')
    .option('--tenant <slug>', 'tenant slug', defaultTenant())
    .option('--status <status>', 'pending | delivered | failed')
    .option('--limit <n>', 'how many', '50')
    .action((o: { tenant: string; status?: 'pending' | 'delivered' | 'failed'; limit: string }) =>
      withContext(async (ctx) => {
        const { data } = await ctx.services.webhooks.listDeliveries(await tenantIdOf(ctx, o.tenant), { ...(o.status ? { status: o.status } : {}), limit: Number(o.limit) });
        printTable(data.map((d) => ({ id: d.id, event: d.eventType, status: d.status, attempts: d.attempts, code: d.lastStatusCode, next: d.nextAttemptAt, error: d.lastError })));
      }),
    );
};
