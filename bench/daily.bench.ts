/**
 * B2 — the daily run over N accounts (segment, journey step, contact policy with each debtor's
 * last 7 days of contacts, send time, schedule the chosen contacts) through the real
 * `runDaily`, against one bare `UPDATE accounts SET next_action = CASE … END` over the same
 * rows, measured in the same run on the same database (BENCHMARKS.md).
 *
 * The portfolio is generated straight into a scratch database by COPY, seeded and realistic:
 * Spanish and Latin-American debtors (phones, e-mails, some WhatsApp, time zones, es/pt), one
 * account each with a six-instalment monthly schedule, a spread of days past due and reasons for
 * arrears, and a week of contact history for 40 % of debtors. The two shipped strategies are
 * loaded. On PostgreSQL the scratch database is `tacto_bench_b2_<pid>` (created and dropped); on
 * PGlite a temporary directory.
 *
 * Run alone: `node bench/daily.bench.ts --db postgres --accounts 100000` (prints one JSON line).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from '../src/db/db.ts';
import { newId } from '../src/lib/ids.ts';
import { addDays, fixedClock } from '../src/lib/clock.ts';
import { bucketFor } from '../src/modules/ledger/index.ts';
import { createJourneysService } from '../src/modules/journeys/index.ts';
import { createTenantsService } from '../src/modules/tenants/index.ts';
import { openScratchDatabase, parseArgs, peakRssMB, round } from './support.ts';

export const BUSINESS_DATE = '2025-06-30';
/** Monday 06:00 UTC: before the windows open in Spain, the night before in the Americas. */
export const AT = `${BUSINESS_DATE}T06:00:00.000Z`;
const CHUNK = 20_000;

/** A small, fast, seeded generator (mulberry32): the same seed gives the same portfolio. */
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};

interface Country { code: string; weight: number; currency: string; language: 'es' | 'pt'; zones: string[]; prefix: string; names: string[]; surnames: string[] }
const ES_NAMES = ['Lucía', 'María', 'Carmen', 'Ana', 'Sofía', 'Hugo', 'Martín', 'Pablo', 'Javier', 'Daniel', 'Alejandro', 'Valentina', 'Camila', 'Mateo', 'Santiago'];
const ES_SURNAMES = ['García', 'Rodríguez', 'González', 'Fernández', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Díaz', 'Hernández', 'Ramírez', 'Torres', 'Flores'];
const PT_NAMES = ['João', 'Maria', 'Ana', 'Pedro', 'Lucas', 'Gabriel', 'Juliana', 'Fernanda', 'Rafael', 'Beatriz'];
const PT_SURNAMES = ['Silva', 'Santos', 'Oliveira', 'Souza', 'Lima', 'Pereira', 'Costa', 'Ferreira', 'Almeida', 'Ribeiro'];
const COUNTRIES: Country[] = [
  { code: 'ES', weight: 40, currency: 'EUR', language: 'es', zones: ['Europe/Madrid', 'Europe/Madrid', 'Atlantic/Canary'], prefix: '+346', names: ES_NAMES, surnames: ES_SURNAMES },
  { code: 'MX', weight: 20, currency: 'MXN', language: 'es', zones: ['America/Mexico_City', 'America/Monterrey', 'America/Tijuana'], prefix: '+5255', names: ES_NAMES, surnames: ES_SURNAMES },
  { code: 'CO', weight: 15, currency: 'COP', language: 'es', zones: ['America/Bogota'], prefix: '+573', names: ES_NAMES, surnames: ES_SURNAMES },
  { code: 'PE', weight: 8, currency: 'PEN', language: 'es', zones: ['America/Lima'], prefix: '+519', names: ES_NAMES, surnames: ES_SURNAMES },
  { code: 'CL', weight: 7, currency: 'CLP', language: 'es', zones: ['America/Santiago'], prefix: '+569', names: ES_NAMES, surnames: ES_SURNAMES },
  { code: 'BR', weight: 7, currency: 'BRL', language: 'pt', zones: ['America/Sao_Paulo', 'America/Manaus', 'America/Recife'], prefix: '+55119', names: PT_NAMES, surnames: PT_SURNAMES },
  { code: 'AR', weight: 3, currency: 'ARS', language: 'es', zones: ['America/Argentina/Buenos_Aires'], prefix: '+54911', names: ES_NAMES, surnames: ES_SURNAMES },
];
const TOTAL_WEIGHT = COUNTRIES.reduce((s, c) => s + c.weight, 0);
const DPD_BANDS: [weight: number, min: number, max: number][] = [[22, 0, 0], [28, 1, 30], [16, 31, 60], [11, 61, 90], [8, 91, 120], [7, 121, 180], [8, 181, 540]];
const REASONS: [string, number][] = [['forgetful', 35], ['unknown', 35], ['hardship', 20], ['unwilling', 7], ['dispute', 3]];
const PRODUCTS = ['personal_loan', 'credit_card', 'consumer_finance', 'microcredit', 'utility_bill'];

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const weighted = <T>(r: () => number, xs: readonly [T, number][]): T => {
  const total = xs.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [v, w] of xs) if ((x -= w) < 0) return v;
  return xs[xs.length - 1]![0];
};
const pad = (i: number): string => String(i).padStart(8, '0');
const esc = (v: string | number | null): string => (v === null ? '\\N' : String(v));
const row = (vals: (string | number | null)[]): string => `${vals.map(esc).join('\t')}\n`;

/** The bench tenant (slug `bench`) with its creditor and the generated portfolio of `n` accounts. */
export async function seedPortfolio(db: Database, n: number): Promise<{ tenantId: string; generated: Awaited<ReturnType<typeof generate>> }> {
  const tenants = createTenantsService({ db, newId, clock: fixedClock(AT) });
  const tenant = await tenants.createTenant({ slug: 'bench', name: 'Bench agency', country: 'ES' });
  const creditor = await tenants.upsertCreditor(tenant.id, { externalRef: 'BANCO-1', name: 'Banco Ejemplo', country: 'ES' });
  return { tenantId: tenant.id, generated: await generate(db, tenant.id, creditor.id, n) };
}

/** Writes the portfolio by COPY in chunks (memory stays flat whatever N). */
export async function generate(db: Database, tenantId: string, creditorId: string, n: number): Promise<{ instalments: number; history: number; contactPoints: number }> {
  const r = rng(20_250_630);
  let instalments = 0;
  let history = 0;
  let contactPoints = 0;
  for (let start = 0; start < n; start += CHUNK) {
    let debtors = '';
    let points = '';
    let accounts = '';
    let contacts = '';
    for (let i = start; i < Math.min(n, start + CHUNK); i++) {
      let x = r() * TOTAL_WEIGHT;
      let c = COUNTRIES[0]!;
      for (const k of COUNTRIES) if ((x -= k.weight) < 0) { c = k; break; }
      const id = pad(i);
      const dbt = `dbt_b2_${id}`;
      const acc = `acc_b2_${id}`;
      const zone = pick(r, c.zones);
      const vulnerable = r() < 0.04;
      debtors += row([tenantId, dbt, creditorId, `D${id}`, pick(r, c.names), `${pick(r, c.surnames)} ${pick(r, c.surnames)}`, c.language, c.code, zone, '{}', vulnerable ? '{"drivers":["health"]}' : null]);
      const phone = `${c.prefix}${String(Math.floor(r() * 1e8)).padStart(8, '0')}`;
      points += row([tenantId, `cp_b2_${id}_p`, dbt, 'phone', phone, 't', 'unknown', null, null]);
      contactPoints++;
      if (r() < 0.85) {
        const optedOut = r() < 0.03 ? '2025-05-01T10:00:00Z' : null;
        points += row([tenantId, `cp_b2_${id}_e`, dbt, 'email', `deudor${id}@correo.example`, 'f', 'unknown', null, optedOut]);
        contactPoints++;
      }
      if (r() < 0.3) {
        points += row([tenantId, `cp_b2_${id}_w`, dbt, 'whatsapp', phone, 'f', 'granted', '2025-01-15T10:00:00Z', null]);
        contactPoints++;
      }
      const [, lo, hi] = weighted(r, DPD_BANDS.map((b) => [b, b[0]] as [typeof b, number]));
      const dpd = lo + Math.floor(r() * (hi - lo + 1));
      const amount = (5 + Math.floor(r() * 95)) * 1000;
      const paidBefore = dpd === 0 ? 0 : Math.floor(r() * 3);
      const oldest = dpd === 0 ? addDays(BUSINESS_DATE, Math.floor(r() * 30)) : addDays(BUSINESS_DATE, -dpd);
      let owed = 0;
      let overdue = 0;
      const dues: string[] = [];
      const paids: number[] = [];
      for (let k = 0; k < 6; k++) {
        const due = addDays(oldest, 30 * (k - paidBefore));
        const paid = k < paidBefore ? amount : 0;
        dues.push(due);
        paids.push(paid);
        if (k >= paidBefore) owed += amount;
        if (k >= paidBefore && due < BUSINESS_DATE) overdue++;
      }
      instalments += 6;
      const reason = weighted(r, REASONS);
      const attrs = `{"reasonForArrears":"${reason}"${r() < 0.08 ? ',"brokenPromises":2' : ''}}`;
      const principal = Math.round(owed * 0.8);
      const status = r() < 0.95 ? 'active' : 'paid';
      accounts += row([
        tenantId, acc, creditorId, dbt, `A${id}`, pick(r, PRODUCTS), c.currency, amount * 6, principal, owed - principal, dpd > 30 ? 2500 : 0,
        status, dpd, bucketFor(dpd), BUSINESS_DATE, dpd > 0 ? oldest : null, attrs, `{${dues.join(',')}}`, `{${dues.map(() => amount).join(',')}}`, `{${paids.join(',')}}`,
      ]);
      if (overdue > 0 && r() < 0.4) {
        const k = 1 + Math.floor(r() * 3);
        for (let j = 0; j < k; j++) {
          const sentAt = new Date(Date.parse(AT) - (1 + Math.floor(r() * 6)) * 86_400_000 + Math.floor(r() * 36_000_000)).toISOString();
          const sms = r() < 0.7;
          contacts += row([
            tenantId, `sct_b2_${id}_${j}`, acc, dbt, 'message', sms ? 'sms' : 'email', 'payment_link', c.language, sms ? phone : `deudor${id}@correo.example`,
            sentAt, pick(r, ['sent', 'delivered', 'delivered', 'read']), `hist:${id}:${j}`, sentAt,
          ]);
          history++;
        }
      }
    }
    await db.copyIn('COPY debtors (tenant_id, id, creditor_id, external_ref, given_name, family_name, language, country, timezone, preferences, vulnerability) FROM STDIN', debtors);
    await db.copyIn('COPY contact_points (tenant_id, id, debtor_id, kind, value, is_primary, consent, consent_at, opted_out_at) FROM STDIN', points);
    await db.copyIn(
      `COPY accounts (tenant_id, id, creditor_id, debtor_id, external_ref, product, currency, original_principal_minor, principal_minor, interest_minor, fees_minor,
        status, days_past_due, bucket, dpd_as_of, oldest_unpaid_due_date, attributes, schedule_due_dates, schedule_amounts_minor, schedule_paid_minor) FROM STDIN`,
      accounts,
    );
    if (contacts) {
      await db.copyIn('COPY scheduled_contacts (tenant_id, id, account_id, debtor_id, kind, channel, purpose, language, destination, send_at, status, idempotency_key, sent_at) FROM STDIN', contacts);
    }
  }
  return { instalments, history, contactPoints };
}

/** The reference: one bare pass deciding a next action per row in SQL, over the same rows. */
async function bareUpdate(db: Database, tenantId: string): Promise<{ seconds: number; rows: number }> {
  await db.exec('ALTER TABLE accounts ADD COLUMN IF NOT EXISTS next_action text');
  const t0 = performance.now();
  const r = await db.query(
    `UPDATE accounts SET next_action = CASE
       WHEN days_past_due = 0 THEN 'pre_due_reminder'
       WHEN days_past_due <= 30 AND attributes->>'reasonForArrears' IN ('forgetful','unknown') THEN 'payment_link'
       WHEN attributes->>'reasonForArrears' = 'hardship' THEN 'hardship_check_in'
       WHEN days_past_due <= 90 THEN 'missed_payment'
       ELSE 'agent_review' END
     WHERE tenant_id = $1 AND status = 'active'`,
    [tenantId],
  );
  return { seconds: (performance.now() - t0) / 1000, rows: r.rowCount };
}

export async function benchDaily(opts: { db: 'pglite' | 'postgres'; accounts: number; databaseUrl?: string; secondDay?: boolean }): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'tacto-b2-'));
  const scratch = `tacto_bench_b2_${process.pid}`;
  const url = opts.databaseUrl ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  let scratchDb: Awaited<ReturnType<typeof openScratchDatabase>> | null = null;
  try {
    scratchDb = await openScratchDatabase({ kind: opts.db, url, name: scratch, dir });
    const db = scratchDb.db;
    const clock = fixedClock(AT);
    const tg = performance.now();
    const { tenantId, generated } = await seedPortfolio(db, opts.accounts);
    const generateSeconds = (performance.now() - tg) / 1000;
    await db.exec('ANALYZE');

    const reference = await bareUpdate(db, tenantId);
    // The reference leaves a dead version of every row behind: reclaim it so the run reads the
    // table as it was (neither side pays for the other's garbage).
    await db.exec('VACUUM ANALYZE accounts');

    const journeys = createJourneysService({ db, clock, newId });
    await journeys.loadBuiltInStrategies(tenantId);
    const rssSamples: number[] = [];
    const t0 = performance.now();
    const run = await journeys.runDaily({
      tenantId, businessDate: BUSINESS_DATE, at: AT,
      onProgress: (p) => { if (p.batch % 20 === 0) rssSamples.push(Math.round(process.memoryUsage().rss / 1048576)); },
    });
    const runSeconds = (performance.now() - t0) / 1000;
    const active = reference.rows;
    let day2: Record<string, unknown> = {};
    if (opts.secondDay) {
      const next = addDays(BUSINESS_DATE, 1);
      clock.set(`${next}T06:00:00.000Z`);
      const t1 = performance.now();
      const r2 = await journeys.runDaily({ tenantId, businessDate: next, at: `${next}T06:00:00.000Z` });
      const s2 = (performance.now() - t1) / 1000;
      day2 = { day2Seconds: round(s2), day2Value: Math.round(active / s2), day2Ratio: round(active / s2 / (active / reference.seconds), 3), day2Contacts: r2.contactsScheduled };
    }

    const value = active / runSeconds;
    const ref = active / reference.seconds;
    const ratio = value / ref;
    const contacts = await db.query<{ n: number; d: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS d FROM scheduled_contacts WHERE tenant_id = $1 AND run_id IS NOT NULL`, [tenantId],
    );
    return {
      workload: 'B2', value: Math.round(value), unit: 'rows/s', reference: Math.round(ref), ratio: round(ratio, 3), target: 1.0, pass: ratio >= 1.0 && run.status === 'completed',
      rssMB: peakRssMB(), accounts: opts.accounts, activeAccounts: active, db: opts.db, runSeconds: round(runSeconds), updateSeconds: round(reference.seconds),
      contactsScheduled: run.contactsScheduled, distinctKeys: contacts.rows[0]!.d, accountsAssigned: run.accountsAssigned, counts: run.counts,
      rssDuringRunMB: rssSamples, historyRows: generated.history, instalments: generated.instalments, contactPoints: generated.contactPoints,
      generateSeconds: round(generateSeconds), ...day2,
    };
  } finally {
    await scratchDb?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = parseArgs(process.argv.slice(2));
  const db = (args.db ?? 'postgres') as 'postgres' | 'pglite';
  const accounts = Number(args.accounts ?? (db === 'postgres' ? 1_000_000 : 100_000));
  const result = await benchDaily({ db, accounts, secondDay: args['second-day'] === 'true', ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}) });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
