import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Context } from '../context.ts';
import { CliError, printJson, printTable } from './output.ts';
import { defaultTenant, tenantIdOf } from './tenants.cli.ts';

type WithContext = <T>(fn: (ctx: Context) => Promise<T>) => Promise<T>;

interface Line { code: string; text: { es: string; en: string } }

const sentence = (l: unknown, lang: 'es' | 'en'): string => {
  const x = l as Line;
  return x?.text?.[lang] ?? x?.code ?? String(l);
};
const utc = (iso: string | null | undefined): string => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '-');

/** `tacto run daily`, `tacto explain`, `tacto strategies …` (docs/journeys.md). */
export const registerJourneyCommands = (program: Command, withContext: WithContext): void => {
  const run = program.command('run').description('Scheduled work run on demand');
  run
    .command('daily')
    .description('The daily run: advance every active account\'s journey, ask the contact policy, schedule the chosen contacts (resumes an interrupted run; a re-run the same day schedules nothing twice)')
    .option('--tenant <slug>', 'tenant slug', defaultTenant())
    .option('--date <date>', 'business date (YYYY-MM-DD), default today (UTC)')
    .option('--at <instant>', 'decision instant for a new run (ISO), default now; a resumed run keeps its own')
    .option('--batch-size <n>', 'accounts per batch (one transaction and checkpoint each)', (v) => Number(v), 5000)
    .option('--slices <n>', 'cut a new run into n slices (1-64, by debtor) so several processes can share it: start the others with --join', (v) => Number(v))
    .option('--join', 'help the day\'s run already under way (take its free slices); never start a run or a new pass', false)
    .option('--wait <seconds>', 'with --join: wait up to this long for the run to be started', (v) => Number(v), 0)
    .option('--json', 'print the summary as JSON only', false)
    .action((o: { tenant: string; date?: string; at?: string; batchSize: number; slices?: number; join: boolean; wait: number; json: boolean }) =>
      withContext(async (ctx) => {
        if (o.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(o.date)) throw new CliError('--date must be a date as YYYY-MM-DD', 2);
        if (o.at !== undefined && Number.isNaN(Date.parse(o.at))) throw new CliError('--at must be an ISO instant', 2);
        if (!Number.isInteger(o.batchSize) || o.batchSize < 1 || o.batchSize > 100_000) throw new CliError('--batch-size must be a whole number from 1 to 100000', 2);
        if (o.slices !== undefined && (!Number.isInteger(o.slices) || o.slices < 1 || o.slices > 64)) throw new CliError('--slices must be a whole number from 1 to 64', 2);
        if (o.join && (o.slices !== undefined || o.at !== undefined)) throw new CliError('--join takes the run as it was started: drop --slices and --at', 2);
        if (!Number.isFinite(o.wait) || o.wait < 0 || o.wait > 3_600) throw new CliError('--wait must be a number of seconds from 0 to 3600', 2);
        if (o.wait > 0 && !o.join) throw new CliError('--wait goes with --join', 2);
        const tenantId = await tenantIdOf(ctx, o.tenant);
        const progress = o.json ? undefined : (p: { slice: number; batch: number; accountsSeen: number; contactsScheduled: number }) => {
          process.stderr.write(`\r  batch ${p.batch}: slice ${p.slice}, ${p.accountsSeen.toLocaleString('en')} accounts, ${p.contactsScheduled.toLocaleString('en')} contacts scheduled`);
        };
        const options = { tenantId, businessDate: o.date, batchSize: o.batchSize, onProgress: progress };
        const r = o.join ? await ctx.services.journeys.joinDaily({ ...options, waitSeconds: o.wait }) : await ctx.services.journeys.runDaily({ ...options, at: o.at, slices: o.slices });
        if (o.json) return printJson(r);
        if (progress) process.stderr.write('\n');
        if (!r) {
          process.stdout.write(`No daily run under way for ${o.date ?? 'today'} (tenant ${o.tenant}): nothing to join.\n`);
          return;
        }
        process.stdout.write(
          `Daily run ${r.id} for ${r.businessDate} (tenant ${o.tenant}): ${r.status}${r.resumed ? ' (resumed)' : ''}${r.passes > 1 ? `, pass ${r.passes}` : ''}\n` +
            `  decided as of ${r.decidedAt}; ${r.seconds ?? 0} s\n` +
            (r.slices > 1 ? `  slices ${r.slicesDone}/${r.slices} done; this process worked on ${r.slicesWorked?.length ? r.slicesWorked.join(', ') : 'none'}\n` : '') +
            `  accounts seen ${r.accountsSeen}, advanced ${r.accountsAdvanced}, newly assigned ${r.accountsAssigned}\n` +
            `  contacts scheduled ${r.contactsScheduled}\n`,
        );
        const counts = Object.entries(r.counts).sort(([a], [b]) => a.localeCompare(b));
        if (counts.length) printTable(counts.map(([k, v]) => ({ count: k, value: v })));
      }),
    );

  program
    .command('explain <account>')
    .description('Explain an account\'s journey: segment, journey and step, why this action, why this time, what the contact policy said (account id or external reference)')
    .option('--tenant <slug>', 'tenant slug', defaultTenant())
    .option('--lang <lang>', 'language of the sentences: en | es', 'en')
    .option('--json', 'machine-readable output', false)
    .action((ref: string, o: { tenant: string; lang: string; json: boolean }) =>
      withContext(async (ctx) => {
        if (o.lang !== 'en' && o.lang !== 'es') throw new CliError('--lang must be en or es', 2);
        const lang = o.lang;
        const tenantId = await tenantIdOf(ctx, o.tenant);
        const e = await ctx.services.journeys.explain(tenantId, ref);
        if (o.json) return printJson(e);
        const out: string[] = [];
        const a = e.account;
        out.push(`Account ${a.externalRef} (${a.id}) · ${a.status} · ${a.daysPastDue} days past due (${a.bucket})`);
        if (e.assignment) {
          out.push(`Segment:  ${e.assignment.segmentId ?? '-'} (strategy ${e.assignment.strategyId ?? '-'} v${e.assignment.strategyVersion ?? '-'}), arm ${e.assignment.arm ?? '-'}`);
        } else out.push('Segment:  none recorded yet (never assigned by a run)');
        if (e.journey?.id) {
          const j = e.journey;
          out.push(`Journey:  ${j.id} v${j.version} · step ${j.stepId ?? '-'} · ${j.status}${j.statusReason ? ` (${j.statusReason})` : ''} · entered ${utc(j.enteredAt)}, step since ${utc(j.enteredStepAt)}, attempts ${j.attempts}`);
          if (j.pendingEvents.length) out.push(`          events waiting for the next run: ${j.pendingEvents.map((x) => `${x.type}${x.channel ? `/${x.channel}` : ''}`).join(', ')}`);
        }
        const last = e.lastDecision?.lines;
        if (Array.isArray(last) && last.length) {
          out.push(`Last decision (run of ${e.lastDecision?.runDate ?? '-'}):`);
          for (const l of last) out.push(`  - ${sentence(l, lang)}`);
        }
        out.push('Scheduled contacts (latest first):');
        if (e.scheduledContacts.length === 0) out.push('  (none)');
        for (const c of e.scheduledContacts) {
          out.push(`  ${utc(c.sendAt)}  ${c.kind} ${c.purpose} by ${c.channel ?? '-'} · ${c.status}${c.statusReason ? ` (${c.statusReason})` : ''}${c.windowEnd ? ` · window ends ${utc(c.windowEnd)}` : ''}`);
          const x = c.explanation as { lines?: unknown[]; policy?: { reasons?: unknown[] } | null };
          const why = (x.lines ?? []).filter((l) => /^(SEND\.CHOSEN|SEND_TIME\.|POLICY\.)/.test((l as Line).code));
          for (const l of why) out.push(`      ${sentence(l, lang)}`);
        }
        if (e.preview) {
          out.push(`If the run happened now (${utc(e.preview.at)}; nothing is written${e.advancedToday ? '; today\'s run already advanced this account, a re-run leaves it as it is' : ''}):`);
          for (const l of e.preview.lines) out.push(`  - ${sentence(l, lang)}`);
          for (const p of e.preview.policy) {
            if (!p.allowed) for (const r of p.reasons) out.push(`      policy ${p.channel}: ${r.code} — ${r.message[lang]} (${r.citation})`);
          }
          if (e.preview.action) out.push(`  → would schedule ${e.preview.action.kind} ${e.preview.action.purpose} by ${e.preview.action.channel ?? '-'} at ${utc(e.preview.action.send_at)}`);
        } else if (e.previewError) out.push(`Preview unavailable: ${e.previewError}`);
        process.stdout.write(`${out.join('\n')}\n`);
      }),
    );

  const st = program.command('strategies').description('Strategies and journeys as versioned data (docs/journeys.md)');
  st.command('list')
    .description('List the tenant\'s strategies (latest version of each)')
    .option('--tenant <slug>', 'tenant slug', defaultTenant())
    .action((o: { tenant: string }) =>
      withContext(async (ctx) => {
        const r = await ctx.services.journeys.listStrategies(await tenantIdOf(ctx, o.tenant));
        printTable(r.data.map((s) => ({ id: s.id, version: s.version, versions: s.versions, retired: s.retired, segments: s.segments.join(','), journeys: s.journeys.map((j) => `${j.id}@${j.version}`).join(',') })));
      }),
    );
  st.command('show <id>')
    .description('Print a strategy document as JSON')
    .option('--tenant <slug>', 'tenant slug', defaultTenant())
    .option('--version <n>', 'a specific version (default the latest)', (v) => Number(v))
    .action((id: string, o: { tenant: string; version?: number }) =>
      withContext(async (ctx) => printJson((await ctx.services.journeys.getStrategy(await tenantIdOf(ctx, o.tenant), id, o.version)).document)),
    );
  st.command('upload <file>')
    .description('Validate and store a new strategy version from a JSON file (errors name the field path)')
    .option('--tenant <slug>', 'tenant slug', defaultTenant())
    .action((file: string, o: { tenant: string }) =>
      withContext(async (ctx) => {
        let doc: unknown;
        try {
          doc = JSON.parse(readFileSync(file, 'utf8'));
        } catch (e) {
          throw new CliError(`cannot read ${file} as JSON: ${(e as Error).message}`, 2);
        }
        printJson(await ctx.services.journeys.uploadStrategy(await tenantIdOf(ctx, o.tenant), doc));
      }),
    );
  st.command('load-builtin')
    .description('Load the two shipped strategies (gentle early arrears, hardship-aware) for the tenant')
    .option('--tenant <slug>', 'tenant slug', defaultTenant())
    .action((o: { tenant: string }) =>
      withContext(async (ctx) => printJson(await ctx.services.journeys.loadBuiltInStrategies(await tenantIdOf(ctx, o.tenant)))),
    );
};
