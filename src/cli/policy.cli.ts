import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ZodError } from 'zod';
import { BUILT_IN_PACKS, PolicyEvaluateRequest, allowedWindows, evaluateContact, CHANNELS } from '../modules/policy/index.ts';
import { CliError, printJson, printTable } from './output.ts';

const readDocument = (file: string | undefined): unknown => {
  let text: string;
  try {
    text = file && file !== '-' ? readFileSync(file, 'utf8') : readFileSync(0, 'utf8');
  } catch {
    throw new CliError(`cannot read ${file ?? 'standard input'}`, 2);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`the input is not JSON: ${(e as Error).message}`, 2);
  }
};

const fieldErrors = (e: ZodError): string =>
  e.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(document)'}: ${i.message}`).join('\n');

/** `tacto policy …`: pure evaluation, no database needed (the engine is a function of its input). */
export const registerPolicyCommands = (program: Command): void => {
  const p = program.command('policy').description('Contact policy: evaluate a proposed contact, list allowed windows, show the packs (docs/policy.md)');
  p.command('evaluate')
    .description('Print the decision for a proposed contact as JSON (allowed, every reason with code and citation, nextAllowedAt)')
    .option('--input <file>', 'JSON document (default: standard input)')
    .addHelpText('after', '\nExit codes: 0 a decision was printed (allowed or not); 2 the document is invalid (each field named).')
    .action((o: { input?: string }) => {
      const parsed = PolicyEvaluateRequest.safeParse(readDocument(o.input));
      if (!parsed.success) throw new CliError(`invalid policy document:\n${fieldErrors(parsed.error)}`, 2);
      printJson(evaluateContact(parsed.data, BUILT_IN_PACKS));
    });
  p.command('windows')
    .description('List the allowed windows for the document\'s debtor on a channel over the next days (UTC)')
    .option('--input <file>', 'JSON document as for evaluate; "proposed" is not needed (default: standard input)')
    .requiredOption('--channel <channel>', CHANNELS.join(' | '))
    .option('--from <instant>', 'start (ISO instant), default now')
    .option('--days <n>', 'how many days', '7')
    .option('--debt <id>', 'the debt the contact is about')
    .action((o: { input?: string; channel: string; from?: string; days: string; debt?: string }) => {
      if (!(CHANNELS as readonly string[]).includes(o.channel)) throw new CliError(`--channel must be one of ${CHANNELS.join(', ')}`, 2);
      const doc = readDocument(o.input) as Record<string, unknown>;
      const from = o.from ?? new Date().toISOString();
      // The request schema needs a proposed contact; the listing itself ignores it.
      const parsed = PolicyEvaluateRequest.safeParse({ ...doc, proposed: { at: from, channel: o.channel } });
      if (!parsed.success) throw new CliError(`invalid policy document:\n${fieldErrors(parsed.error)}`, 2);
      const { proposed: _proposed, ...input } = parsed.data;
      const days = Number(o.days);
      if (!Number.isInteger(days) || days < 1 || days > 366) throw new CliError('--days must be a whole number from 1 to 366', 2);
      printJson({ data: allowedWindows(input, { channel: o.channel as never, from, days, ...(o.debt ? { debtId: o.debt } : {}) }, BUILT_IN_PACKS) });
    });
  p.command('packs')
    .description('List the built-in jurisdiction packs and their versions')
    .action(() => printTable(Object.values(BUILT_IN_PACKS).map((k) => ({ jurisdiction: k.jurisdiction, id: k.id, version: k.version, name: k.name, rules: k.rules.length }))));
};
