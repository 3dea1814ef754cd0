import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { Database } from '../../db/db.ts';
import type { Clock } from '../../lib/clock.ts';
import { addDays, isoDate } from '../../lib/clock.ts';
import type { IdFactory } from '../../lib/ids.ts';
import { currencyExponent, formatMinor } from '../../lib/money.ts';
import { runImport, type ImportReport } from '../imports/index.ts';
import { createJourneysService, type RunSummary } from '../journeys/index.ts';
import type { TenantsService } from '../tenants/index.ts';
import { generateDemoPortfolio, type DemoAccount } from './demo.generate.ts';

/**
 * The demo tenant's API key. Fixed so the README and the console's sign-in hint can name it;
 * only `--demo` registers it, and it is only ever valid for the tenant `demo`.
 */
export const DEMO_API_KEY = 'tk_demo_local_only';
export const DEMO_TENANT_SLUG = 'demo';

const ACCOUNT_HEADER = [
  'creditor_ref', 'creditor_name', 'debtor_ref', 'given_name', 'family_name', 'national_id', 'birth_date', 'language', 'country', 'region',
  'timezone', 'mobile', 'email', 'whatsapp', 'whatsapp_consent', 'address_line1', 'postal_code', 'city', 'account_ref', 'product', 'currency',
  'original_principal', 'principal', 'interest', 'fees', 'opened_at', 'first_due_date', 'instalment_count', 'instalment_amount', 'frequency',
  'amount_paid',
];
const TRANSACTION_HEADER = ['creditor_ref', 'account_ref', 'external_id', 'kind', 'amount', 'currency', 'occurred_at', 'method'];

const money = (minor: number, currency: string): string => formatMinor(minor, currencyExponent(currency));

/** Payments older than this are carried in the placement file as the amount paid to date. */
const HISTORY_DAYS = 180;

/**
 * Accounts as placed with the agency: what is left of the total payable after the payments made
 * before the history window (split between principal and interest in the loan's proportion),
 * plus late fees. Recent payments then go through the ledger like any CRM feed, so balances,
 * schedules and days past due are what the real rules derive, not what the generator assumed.
 */
const accountRow = (a: DemoAccount, since: string): string[] => {
  const payable = a.instalmentAmountMinor * a.instalmentCount;
  const paidBefore = a.payments.filter((p) => p.occurredAt.slice(0, 10) < since).reduce((s, p) => s + p.amountMinor, 0);
  const owed = Math.max(0, payable - paidBefore);
  const principal = Math.min(a.originalPrincipalMinor, Math.round((owed * a.originalPrincipalMinor) / payable));
  return [
    a.creditorRef, a.creditorName, a.debtorRef, a.givenName, a.familyName, a.nationalId, a.birthDate, a.language, a.country, a.region ?? '',
    a.timezone, a.phone, a.email, a.whatsapp ?? '', a.whatsapp ? 'granted' : '', a.addressLine1, a.postalCode, a.city, a.accountRef, a.product,
    a.currency, money(a.originalPrincipalMinor, a.currency), money(principal, a.currency), money(owed - principal, a.currency),
    money(a.feesMinor, a.currency), a.openedAt, a.firstDueDate, String(a.instalmentCount), money(a.instalmentAmountMinor, a.currency), a.frequency,
    money(paidBefore, a.currency),
  ];
};

const csvStream = function* (header: string[], rows: Iterable<string[]>, batch = 500): Generator<string> {
  yield stringify([header]);
  let buf: string[][] = [];
  for (const r of rows) {
    buf.push(r);
    if (buf.length >= batch) {
      yield stringify(buf);
      buf = [];
    }
  }
  if (buf.length) yield stringify(buf);
};

export interface DemoDeps {
  db: Database;
  clock: Clock;
  newId: IdFactory;
  tenants: Pick<TenantsService, 'findBySlug' | 'createTenant' | 'registerApiKey' | 'mergeSettings'>;
  /** Where the demo tenant's channel goes: the sandbox, so scheduled contacts land in the console's inbox. */
  channels?: { put(tenantId: string, input: unknown): Promise<unknown> };
}

export interface DemoResult {
  tenantId: string;
  loaded: boolean;
  accounts: ImportReport | null;
  transactions: ImportReport | null;
  /** The shipped strategies loaded and the first daily run, so the console shows scheduled contacts. */
  strategies: string[];
  dailyRun: RunSummary | null;
}

/**
 * Loads the demo portfolio into tenant `demo` through the real import path, then the shipped
 * strategies, and runs the daily run once (idempotent: a tenant that already has accounts is
 * left as it is).
 */
export const loadDemoPortfolio = async (deps: DemoDeps, opts: { accounts: number; seed?: number }): Promise<DemoResult> => {
  const tenant = (await deps.tenants.findBySlug(DEMO_TENANT_SLUG)) ?? (await deps.tenants.createTenant({ slug: DEMO_TENANT_SLUG, name: 'Cobranzas Demo', country: 'ES' }));
  await deps.tenants.registerApiKey(tenant.id, 'demo', DEMO_API_KEY);
  const existing = await deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM accounts WHERE tenant_id = $1', [tenant.id]);
  if ((existing.rows[0]?.n ?? 0) > 0) return { tenantId: tenant.id, loaded: false, accounts: null, transactions: null, strategies: [], dailyRun: null };

  const asOf = isoDate(deps.clock.now());
  const since = addDays(asOf, -HISTORY_DAYS);
  const generate = () => generateDemoPortfolio({ seed: opts.seed ?? 20261123, accounts: opts.accounts, asOf });
  const importDeps = { db: deps.db, clock: deps.clock, newId: deps.newId };
  const accounts = await runImport(importDeps, {
    tenantId: tenant.id,
    source: Readable.from(csvStream(ACCOUNT_HEADER, (function* () { for (const a of generate()) yield accountRow(a, since); })())),
    filename: 'demo-accounts.csv',
    format: 'csv',
    kind: 'accounts',
    options: { asOf },
  });
  const transactions = await runImport(importDeps, {
    tenantId: tenant.id,
    source: Readable.from(csvStream(TRANSACTION_HEADER, (function* () {
      for (const a of generate()) {
        for (const p of a.payments) if (p.occurredAt.slice(0, 10) >= since) yield [a.creditorRef, a.accountRef, p.externalId, 'payment', money(p.amountMinor, a.currency), a.currency, p.occurredAt, 'transfer'];
      }
    })())),
    filename: 'demo-payments.csv',
    format: 'csv',
    kind: 'transactions',
    options: { asOf },
  });
  // The two shipped strategies (gentle early arrears, hardship-aware), then the day's run.
  const journeys = createJourneysService(importDeps);
  const { loaded: strategies } = await journeys.loadBuiltInStrategies(tenant.id);
  // Small batches keep the peak memory of a fresh PGlite down (B6: the start-up's RSS budget).
  const dailyRun = await journeys.runDaily({ tenantId: tenant.id, businessDate: asOf, batchSize: 500 });
  // No real provider in a demo: the dispatcher sends through the sandbox (the console's inbox),
  // and messages identify the agency with these (fictitious) contact details.
  await deps.tenants.mergeSettings(tenant.id, {
    messaging: { contact: { phone: '900 000 000', email: 'ayuda@cobranzas-demo.example', hours: 'lun. a vie., 9:00 a 19:00' }, portalUrl: 'http://localhost:3000/portal' },
  });
  await deps.channels?.put(tenant.id, { config: { provider: 'sandbox', tenantId: tenant.id }, settings: { channels: ['sms', 'whatsapp', 'email'] } });
  return { tenantId: tenant.id, loaded: true, accounts, transactions, strategies, dailyRun };
};
