import type { Command } from 'commander';
import type { Context } from '../context.ts';
import { CliError, printJson, printTable } from './output.ts';

type WithContext = <T>(fn: (ctx: Context) => Promise<T>) => Promise<T>;

/** Resolves `--tenant <slug>` (default: TACTO_TENANT or "demo") to its id. */
export const tenantIdOf = async (ctx: Context, slug: string): Promise<string> => {
  const t = await ctx.services.tenants.findBySlug(slug);
  if (!t) throw new CliError(`no tenant "${slug}": create one with \`tacto tenant create ${slug} --name "…"\` or load the demo with \`tacto demo\``);
  return t.id;
};

export const defaultTenant = (): string => process.env.TACTO_TENANT ?? 'demo';

export const registerTenantCommands = (program: Command, withContext: WithContext): void => {
  const tenant = program.command('tenant').description('Manage tenants (agencies or lenders)');
  tenant
    .command('create <slug>')
    .description('Create a tenant and print its first API key (shown once)')
    .requiredOption('--name <name>', 'display name')
    .option('--country <code>', 'ISO country code of the tenant', 'ES')
    .action((slug: string, o: { name: string; country: string }) =>
      withContext(async (ctx) => {
        const t = await ctx.services.tenants.createTenant({ slug, name: o.name, country: o.country });
        const key = await ctx.services.tenants.createApiKey(t.id, 'default');
        printJson({ tenant: { id: t.id, slug: t.slug, name: t.name }, apiKey: key.secret });
      }),
    );
  tenant
    .command('list')
    .description('List tenants')
    .action(() => withContext(async (ctx) => printTable((await ctx.services.tenants.list()).map((t) => ({ id: t.id, slug: t.slug, name: t.name, country: t.country })))));

  const key = program.command('apikey').description('Manage API keys of a tenant');
  key
    .command('create')
    .description('Create an API key (the secret is printed once; only its hash is stored)')
    .option('--tenant <slug>', 'tenant slug', defaultTenant())
    .option('--name <name>', 'what the key is for', 'cli')
    .action((o: { tenant: string; name: string }) =>
      withContext(async (ctx) => printJson(await ctx.services.tenants.createApiKey(await tenantIdOf(ctx, o.tenant), o.name))),
    );
  key
    .command('list')
    .description('List API keys (prefix only)')
    .option('--tenant <slug>', 'tenant slug', defaultTenant())
    .action((o: { tenant: string }) => withContext(async (ctx) => printTable(await ctx.services.tenants.listApiKeys(await tenantIdOf(ctx, o.tenant)))));
  key
    .command('revoke <id>')
    .description('Revoke an API key')
    .option('--tenant <slug>', 'tenant slug', defaultTenant())
    .action((id: string, o: { tenant: string }) =>
      withContext(async (ctx) => {
        if (!(await ctx.services.tenants.revokeApiKey(await tenantIdOf(ctx, o.tenant), id))) throw new CliError(`no active API key ${id}`);
        process.stdout.write(`revoked ${id}\n`);
      }),
    );

  const creditor = program.command('creditor').description("Manage creditors (the tenant's clients)");
  creditor
    .command('add <ref>')
    .description('Create or update a creditor by its reference')
    .requiredOption('--name <name>', 'creditor name')
    .option('--tenant <slug>', 'tenant slug', defaultTenant())
    .option('--country <code>', 'ISO country code', 'ES')
    .option('--tax-id <id>', 'tax identifier (NIF, CNPJ, RFC…)')
    .option('--allocation <order>', 'payment allocation order, comma separated', 'fees,interest,principal')
    .option('--channels <list>', 'channels this creditor allows, comma separated', 'sms,email,call,letter')
    .option('--first-party', 'the creditor collects its own debts (not an agency)', false)
    .action((ref: string, o: { name: string; tenant: string; country: string; taxId?: string; allocation: string; channels: string; firstParty: boolean }) =>
      withContext(async (ctx) => {
        const order = o.allocation.split(',').map((s) => s.trim());
        if (order.length !== 3 || !['fees', 'interest', 'principal'].every((c) => order.includes(c))) {
          throw new CliError('--allocation must name fees, interest and principal once each, e.g. interest,fees,principal', 2);
        }
        const c = await ctx.services.tenants.upsertCreditor(await tenantIdOf(ctx, o.tenant), {
          externalRef: ref, name: o.name, country: o.country, taxId: o.taxId ?? null, allocationOrder: order,
          allowedChannels: o.channels.split(',').map((s) => s.trim()), firstParty: o.firstParty,
        });
        printJson({ id: c.id, ref: c.external_ref, name: c.name, allocationOrder: c.allocation_order, allowedChannels: c.allowed_channels });
      }),
    );
  creditor
    .command('list')
    .description('List creditors')
    .option('--tenant <slug>', 'tenant slug', defaultTenant())
    .action((o: { tenant: string }) =>
      withContext(async (ctx) =>
        printTable((await ctx.services.tenants.listCreditors(await tenantIdOf(ctx, o.tenant))).map((c) => ({ id: c.id, ref: c.external_ref, name: c.name, country: c.country, allocation: c.allocation_order.join(','), channels: c.allowed_channels.join(',') }))),
      ),
    );
};
