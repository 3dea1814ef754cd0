/**
 * B1 — import N accounts (debtor + contact points + account + schedule) from CSV through the real
 * import path (parse, validate, upsert, report), against a bare COPY of the same file's rows into
 * an unindexed table, measured in the same run on the same database (BENCHMARKS.md).
 *
 * The file is a seeded, realistic Spanish-convention placement (`;`, decimal comma, dd/mm/yyyy):
 * Spanish and Latin-American debtors, valid E.164 phones, e-mails, time zones, 6–36 instalment
 * schedules and a spread of days past due. It is streamed to a temp file, never built in memory.
 *
 * Run alone: `node bench/import.bench.ts --db postgres --accounts 100000` (prints one JSON line).
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Faker, base, en, es, es_MX, pt_BR, type LocaleDefinition } from '@faker-js/faker';
import type { Database } from '../src/db/db.ts';
import { newId } from '../src/lib/ids.ts';
import { currencyExponent } from '../src/lib/money.ts';
import { systemClock } from '../src/lib/clock.ts';
import { runImport } from '../src/modules/imports/index.ts';
import { normalisePhone } from '../src/modules/portfolio/index.ts';
import { createTenantsService } from '../src/modules/tenants/index.ts';
import { openScratchDatabase, parseArgs, peakRssMB, round } from './support.ts';

const AS_OF = '2025-06-30';
const SEED = 20_250_630;

interface Country {
  code: string;
  weight: number;
  currency: string;
  language: 'es' | 'pt';
  zones: string[];
  faker: Faker;
  mobile: (f: Faker) => string;
  products: [product: string, min: number, max: number][];
}

const fakerFor = (locale: LocaleDefinition[]): Faker => new Faker({ locale: [...locale, en, base] });
const digits = (f: Faker, n: number): string => f.string.numeric({ length: n, allowLeadingZeros: true });
const COUNTRIES: Country[] = [
  { code: 'ES', weight: 40, currency: 'EUR', language: 'es', zones: ['Europe/Madrid', 'Europe/Madrid', 'Atlantic/Canary'], faker: fakerFor([es]), mobile: (f) => `+34 6${digits(f, 2)} ${digits(f, 3)} ${digits(f, 3)}`, products: [['personal_loan', 1500, 15000], ['credit_card', 300, 6000], ['consumer_finance', 400, 3500], ['utility_bill', 60, 600]] },
  { code: 'MX', weight: 20, currency: 'MXN', language: 'es', zones: ['America/Mexico_City', 'America/Monterrey', 'America/Tijuana'], faker: fakerFor([es_MX, es]), mobile: (f) => `+52 55 ${digits(f, 4)} ${digits(f, 4)}`, products: [['personal_loan', 5000, 120000], ['credit_card', 3000, 60000], ['microcredit', 1000, 15000]] },
  { code: 'CO', weight: 15, currency: 'COP', language: 'es', zones: ['America/Bogota'], faker: fakerFor([es]), mobile: (f) => `+57 3${f.helpers.arrayElement(['00', '01', '10', '12', '15', '20', '50'])} ${digits(f, 7)}`, products: [['personal_loan', 1_000_000, 30_000_000], ['microcredit', 300_000, 3_000_000]] },
  { code: 'PE', weight: 8, currency: 'PEN', language: 'es', zones: ['America/Lima'], faker: fakerFor([es]), mobile: (f) => `+51 9${digits(f, 8)}`, products: [['personal_loan', 800, 25000], ['microcredit', 300, 5000]] },
  { code: 'CL', weight: 7, currency: 'CLP', language: 'es', zones: ['America/Santiago'], faker: fakerFor([es]), mobile: (f) => `+56 9 ${f.number.int({ min: 3, max: 9 })}${digits(f, 7)}`, products: [['personal_loan', 300_000, 8_000_000], ['credit_card', 100_000, 3_000_000]] },
  { code: 'BR', weight: 7, currency: 'BRL', language: 'pt', zones: ['America/Sao_Paulo', 'America/Manaus', 'America/Recife'], faker: fakerFor([pt_BR]), mobile: (f) => `+55 11 9${digits(f, 8)}`, products: [['personal_loan', 1000, 40000], ['credit_card', 500, 15000]] },
  { code: 'AR', weight: 3, currency: 'ARS', language: 'es', zones: ['America/Argentina/Buenos_Aires'], faker: fakerFor([es]), mobile: (f) => `+54 9 11 ${digits(f, 4)} ${digits(f, 4)}`, products: [['personal_loan', 50_000, 2_000_000]] },
];
const TOTAL_WEIGHT = COUNTRIES.reduce((s, c) => s + c.weight, 0);
const DPD_BANDS: [weight: number, min: number, max: number][] = [[22, 0, 0], [28, 1, 30], [16, 31, 60], [11, 61, 90], [8, 91, 120], [7, 121, 180], [8, 181, 540]];
const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

const HEADER = [
  'referencia_acreedor', 'nombre_acreedor', 'ref_cliente', 'nombre', 'apellidos', 'dni', 'fecha_nacimiento', 'pais', 'provincia', 'zona_horaria', 'idioma',
  'movil', 'whatsapp', 'correo', 'direccion', 'codigo_postal', 'localidad', 'referencia_cuenta', 'producto', 'moneda', 'capital_inicial', 'capital',
  'intereses', 'comisiones', 'fecha_apertura', 'primera_cuota', 'num_cuotas', 'importe_cuota', 'periodicidad', 'pagado',
];

const dmy = (iso: string): string => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
const addDays = (iso: string, n: number): string => new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const addMonths = (iso: string, n: number): string => {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const idx = y * 12 + (m - 1) + n;
  const last = new Date(Date.UTC(Math.floor(idx / 12), (idx % 12) + 1, 0)).getUTCDate();
  return `${Math.floor(idx / 12)}-${String((idx % 12) + 1).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
};
const spanishAmounts = new Map<number, Intl.NumberFormat>();
const money = (minor: number, exponent: number): string => {
  let f = spanishAmounts.get(exponent);
  if (!f) spanishAmounts.set(exponent, (f = new Intl.NumberFormat('es-ES', { minimumFractionDigits: exponent, maximumFractionDigits: exponent, useGrouping: 'always' })));
  return f.format(minor / 10 ** exponent);
};
const ascii = (s: string): string => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-zA-Z]/g, '').toLowerCase();
const cell = (s: string): string => (/[;"\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

/** Writes the seeded file; returns how many instalments its schedules hold. */
export const writeAccountsFile = async (path: string, accounts: number, seed = SEED): Promise<{ instalments: number; debtors: number }> => {
  const f = new Faker({ locale: [es, en, base] });
  f.seed(seed);
  for (const c of COUNTRIES) c.faker.seed(seed + c.weight);
  const out = createWriteStream(path);
  let buf = `${HEADER.join(';')}\n`;
  let instalments = 0;
  let debtors = 0;
  let prev: { cells: string[]; country: Country } | null = null;
  for (let i = 0; i < accounts; i++) {
    let c: Country = COUNTRIES[0]!;
    let pick = f.number.float({ min: 0, max: TOTAL_WEIGHT });
    for (const x of COUNTRIES) if ((pick -= x.weight) <= 0) { c = x; break; }
    // One debtor in twelve holds a second account with the same creditor (adjacent rows).
    const same: boolean = prev !== null && f.number.int({ min: 1, max: 12 }) === 1;
    const creditor: number = same ? Number(prev!.cells[0]!.slice(-1)) : i % 3;
    if (same) c = prev!.country;
    let debtorCells: string[];
    if (same) debtorCells = prev!.cells.slice(0, 17);
    else {
      debtors++;
      const lf = c.faker;
      const given = lf.person.firstName();
      const family = c.language === 'es' ? `${lf.person.lastName()} ${lf.person.lastName()}` : lf.person.lastName();
      let mobile = '';
      for (let t = 0; t < 20 && !mobile; t++) {
        const m = c.mobile(f);
        if (normalisePhone(m, c.code).ok) mobile = f.number.int({ min: 1, max: 10 }) <= 3 ? m.replace(/^\+\d+ /, '').replaceAll(' ', '') : m;
      }
      const dni = f.number.int({ min: 10_000_000, max: 99_999_999 });
      debtorCells = [
        `ACREEDOR-${creditor}`, ['Banco Aurora', 'Financiera del Sol', 'Energía Verde Comercializadora'][creditor]!, `CLI-${String(debtors).padStart(8, '0')}`,
        given, family, c.code === 'ES' ? `${dni}${DNI_LETTERS[dni % 23]}` : digits(f, 10),
        dmy(f.date.birthdate({ mode: 'age', min: 19, max: 78, refDate: new Date(`${AS_OF}T00:00:00Z`) }).toISOString().slice(0, 10)),
        c.code, lf.location.state({ abbreviated: true }), f.number.int({ min: 1, max: 5 }) === 1 ? '' : f.helpers.arrayElement(c.zones),
        f.number.int({ min: 1, max: 4 }) === 1 ? '' : c.language, mobile, c.code !== 'ES' && f.number.int({ min: 1, max: 3 }) > 1 ? mobile : '',
        `${ascii(given)}.${ascii(family.split(' ')[0] ?? 'x')}${f.number.int({ min: 1, max: 999 })}@${f.helpers.arrayElement(['example.com', 'example.net', 'example.org'])}`,
        lf.location.streetAddress(), lf.location.zipCode(), lf.location.city(),
      ];
    }
    const [product, min, max] = f.helpers.arrayElement(c.products);
    const exponent = currencyExponent(c.currency);
    const scale = 10 ** exponent;
    const principal = f.number.int({ min, max }) * scale;
    const count = product === 'utility_bill' ? 1 : f.helpers.arrayElement([6, 12, 18, 24, 36]);
    const fortnightly = count > 1 && f.number.int({ min: 1, max: 10 }) === 1;
    const instalment = Math.round((principal * (1 + f.number.float({ min: 0.04, max: 0.32 }) * (count / 12))) / count);
    let band = DPD_BANDS[0]!;
    let b = f.number.int({ min: 1, max: 100 });
    for (const x of DPD_BANDS) if ((b -= x[0]) <= 0) { band = x; break; }
    const dpd = f.number.int({ min: band[1], max: band[2] });
    const period = fortnightly ? 14 : 30;
    const missed = dpd === 0 ? 0 : Math.min(count, Math.ceil(dpd / period));
    const paidCount = f.number.int({ min: 0, max: Math.max(0, count - missed - 1) });
    const firstUnpaid = dpd === 0 ? addDays(AS_OF, f.number.int({ min: 1, max: 25 })) : addDays(AS_OF, -dpd);
    const firstDue = fortnightly ? addDays(firstUnpaid, -14 * paidCount) : addMonths(firstUnpaid, -paidCount);
    const principalLeft = principal - Math.min(principal, Math.round((principal / count) * paidCount));
    instalments += count;
    const cells: string[] = [
      ...debtorCells, `${['BAU', 'FDS', 'EVC'][creditor]}-${String(i + 1).padStart(9, '0')}`, product, c.currency, money(principal, exponent),
      money(principalLeft, exponent), money(Math.round(((instalment * count - principal) / count) * (count - paidCount) * 0.3), exponent),
      money(missed * 25 * scale, exponent), dmy(addMonths(firstDue, -1)), dmy(firstDue), String(count), money(instalment, exponent),
      fortnightly ? 'quincenal' : 'mensual', money(paidCount * instalment, exponent),
    ];
    buf += `${cells.map(cell).join(';')}\n`;
    prev = { cells, country: c };
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
  return { instalments, debtors };
};

/** The reference: the same file's rows COPYed, as text, into a table with no index or key. */
const bareCopy = async (db: Database, path: string): Promise<number> => {
  await db.exec(`DROP TABLE IF EXISTS b1_reference; CREATE TABLE b1_reference (${HEADER.map((h) => `${h} text`).join(', ')})`);
  const statement = `COPY b1_reference FROM STDIN WITH (FORMAT csv, DELIMITER ';')`;
  const t0 = performance.now();
  let rest = '';
  let header = true;
  // Chunks of whole lines through the same copyIn the import uses (one COPY per ~8 MB).
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 8 << 20 })) {
    const text = rest + (chunk as string);
    const cut = text.lastIndexOf('\n') + 1;
    rest = text.slice(cut);
    let body = text.slice(0, cut);
    if (header) {
      body = body.slice(body.indexOf('\n') + 1);
      header = false;
    }
    if (body) await db.copyIn(statement, body);
  }
  if (rest) await db.copyIn(statement, `${rest}\n`);
  const seconds = (performance.now() - t0) / 1000;
  await db.exec('DROP TABLE b1_reference');
  return seconds;
};

/**
 * A second reference, to show where the time goes: the imported rows themselves written again,
 * server-side (`INSERT … SELECT`, no parsing, no validation, no network), into empty copies of the
 * portfolio tables with the same indexes, checks and foreign keys. It is what storing the file's
 * rows costs in this schema at all, whatever the import does around it.
 */
const tableFloor = async (db: Database): Promise<number> => {
  await db.exec(`
    CREATE TABLE floor_debtors (LIKE debtors INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
    ALTER TABLE floor_debtors ADD FOREIGN KEY (tenant_id, creditor_id) REFERENCES creditors (tenant_id, id);
    CREATE TABLE floor_contact_points (LIKE contact_points INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
    ALTER TABLE floor_contact_points ADD FOREIGN KEY (tenant_id, debtor_id) REFERENCES floor_debtors (tenant_id, id);
    CREATE TABLE floor_accounts (LIKE accounts INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
    ALTER TABLE floor_accounts ADD FOREIGN KEY (tenant_id, creditor_id) REFERENCES creditors (tenant_id, id);
    ALTER TABLE floor_accounts ADD FOREIGN KEY (tenant_id, debtor_id) REFERENCES floor_debtors (tenant_id, id);`);
  const t0 = performance.now();
  for (const t of ['debtors', 'contact_points', 'accounts']) await db.query(`INSERT INTO floor_${t} SELECT * FROM ${t}`);
  const seconds = (performance.now() - t0) / 1000;
  await db.exec('DROP TABLE floor_accounts, floor_contact_points, floor_debtors');
  return seconds;
};

/** Resets the peak-RSS counter (Linux) so the import's own peak is measured. */
const resetPeakRss = (): void => {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    /* not Linux: the process peak is reported instead */
  }
};

export async function benchImport(opts: { db: 'pglite' | 'postgres'; accounts: number; databaseUrl?: string }): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'tacto-b1-'));
  const file = join(dir, 'cartera.csv');
  const scratch = `tacto_bench_${process.pid}`;
  const url = opts.databaseUrl ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  let scratchDb: Awaited<ReturnType<typeof openScratchDatabase>> | null = null;
  try {
    const generated = await writeAccountsFile(file, opts.accounts);
    scratchDb = await openScratchDatabase({ kind: opts.db, url, name: scratch, dir });
    const db = scratchDb.db;
    const copySeconds = await bareCopy(db, file);
    const tenants = createTenantsService({ db, newId, clock: systemClock });
    const tenant = await tenants.createTenant({ slug: 'bench', name: 'Bench agency', country: 'ES' });
    resetPeakRss();
    const t0 = performance.now();
    const report = await runImport({ db, clock: systemClock, newId }, { tenantId: tenant.id, source: file, filename: 'cartera.csv', options: { asOf: AS_OF } });
    const importSeconds = (performance.now() - t0) / 1000;
    const rssMB = peakRssMB();
    const floorSeconds = await tableFloor(db);
    const tableRows = report.created.debtors + report.created.contactPoints + report.created.accounts;
    const value = opts.accounts / importSeconds;
    const reference = opts.accounts / copySeconds;
    const ratio = value / reference;
    const target = opts.db === 'postgres' ? 0.5 : 0.3;
    return {
      workload: 'B1', value: Math.round(value), unit: 'rows/s', reference: Math.round(reference), ratio: round(ratio, 3), target, pass: ratio >= target && report.rowsFailed === 0,
      rssMB, accounts: opts.accounts, db: opts.db, importSeconds: round(importSeconds), copySeconds: round(copySeconds),
      // Writing the same debtors, contact points and accounts into indexed, keyed tables with no
      // import around it (tableFloor), and the import's time over that floor.
      tableFloorSeconds: round(floorSeconds), overFloor: round(importSeconds / floorSeconds),
      status: report.status, rowsImported: report.rowsImported, rowsFailed: report.rowsFailed, debtors: report.created.debtors, contactPoints: report.created.contactPoints,
      instalments: generated.instalments, fileMB: round(statSync(file).size / 1048576, 1),
      // Each file row becomes a debtor (or part of one), its contact points and an account (its
      // schedule on the account row): rows written to indexed tables with foreign keys, against
      // one unindexed row.
      tableRows: tableRows, tableRowsPerSecond: Math.round(tableRows / importSeconds),
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
  const result = await benchImport({ db, accounts, ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}) });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
