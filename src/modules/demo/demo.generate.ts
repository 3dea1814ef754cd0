/**
 * A seeded, realistic portfolio: Spanish and Latin-American debtors (names, national ids, E.164
 * phones, e-mails, addresses, time zones, languages), accounts with instalment schedules, a
 * spread of days past due, and the payment history that produced it. The same seed always
 * yields the same portfolio, so demos, benchmarks and tests can rely on it.
 */
import { Faker, es, es_MX, pt_BR, en_US, base, en } from '@faker-js/faker';
import { addDays } from '../../lib/clock.ts';
import { buildSchedule, type Frequency } from '../ledger/index.ts';
import { normalisePhone } from '../portfolio/index.ts';
import { holidayRegions } from '../policy/index.ts';

export interface DemoCountry {
  country: string;
  weight: number;
  currency: string;
  language: 'es' | 'en' | 'pt';
  zones: string[];
  /** Builds a valid national mobile number in E.164 from a random digit source. */
  mobile: (digits: (n: number) => string) => string;
  products: { product: string; min: number; max: number }[];
}

export const DEMO_COUNTRIES: DemoCountry[] = [
  { country: 'ES', weight: 40, currency: 'EUR', language: 'es', zones: ['Europe/Madrid', 'Europe/Madrid', 'Europe/Madrid', 'Atlantic/Canary'], mobile: (d) => `+346${d(8)}`, products: [{ product: 'personal_loan', min: 1500, max: 15000 }, { product: 'credit_card', min: 300, max: 6000 }, { product: 'consumer_finance', min: 400, max: 3500 }, { product: 'utility_bill', min: 60, max: 600 }] },
  { country: 'MX', weight: 20, currency: 'MXN', language: 'es', zones: ['America/Mexico_City', 'America/Mexico_City', 'America/Monterrey', 'America/Tijuana', 'America/Cancun'], mobile: (d) => `+5255${d(8)}`, products: [{ product: 'personal_loan', min: 5000, max: 120000 }, { product: 'credit_card', min: 3000, max: 60000 }, { product: 'microcredit', min: 1000, max: 15000 }] },
  { country: 'CO', weight: 15, currency: 'COP', language: 'es', zones: ['America/Bogota'], mobile: (d) => `+573${['00', '01', '02', '04', '05', '10', '11', '12', '13', '14', '15', '16', '17', '18', '20', '50'][Number(d(2)) % 16]}${d(7)}`, products: [{ product: 'personal_loan', min: 1_000_000, max: 30_000_000 }, { product: 'credit_card', min: 500_000, max: 12_000_000 }, { product: 'microcredit', min: 300_000, max: 3_000_000 }] },
  { country: 'PE', weight: 8, currency: 'PEN', language: 'es', zones: ['America/Lima'], mobile: (d) => `+519${d(8)}`, products: [{ product: 'personal_loan', min: 800, max: 25000 }, { product: 'microcredit', min: 300, max: 5000 }] },
  { country: 'CL', weight: 7, currency: 'CLP', language: 'es', zones: ['America/Santiago'], mobile: (d) => `+569${String(Number(d(1)) % 7 + 3)}${d(7)}`, products: [{ product: 'personal_loan', min: 300_000, max: 8_000_000 }, { product: 'credit_card', min: 100_000, max: 3_000_000 }] },
  { country: 'BR', weight: 7, currency: 'BRL', language: 'pt', zones: ['America/Sao_Paulo', 'America/Sao_Paulo', 'America/Manaus', 'America/Recife'], mobile: (d) => `+55119${d(8)}`, products: [{ product: 'personal_loan', min: 1000, max: 40000 }, { product: 'credit_card', min: 500, max: 15000 }] },
  { country: 'US', weight: 3, currency: 'USD', language: 'en', zones: ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles'], mobile: (d) => `+1${['212', '305', '713', '213', '312'][Number(d(1)) % 5]}555${d(4)}`, products: [{ product: 'credit_card', min: 500, max: 12000 }, { product: 'auto_loan', min: 4000, max: 30000 }] },
];

const NATIONAL_ID_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

export interface DemoPayment {
  externalId: string;
  amountMinor: number;
  occurredAt: string;
}

export interface DemoAccount {
  creditorRef: string;
  creditorName: string;
  debtorRef: string;
  givenName: string;
  familyName: string;
  nationalId: string;
  birthDate: string;
  language: 'es' | 'en' | 'pt';
  country: string;
  region: string | null;
  timezone: string;
  phone: string;
  email: string;
  whatsapp: string | null;
  addressLine1: string;
  postalCode: string;
  city: string;
  accountRef: string;
  product: string;
  currency: string;
  originalPrincipalMinor: number;
  principalMinor: number;
  interestMinor: number;
  feesMinor: number;
  openedAt: string;
  firstDueDate: string;
  instalmentCount: number;
  instalmentAmountMinor: number;
  frequency: Frequency;
  amountPaidMinor: number;
  /** Days past due the generator aimed for, as of `asOf`. */
  targetDaysPastDue: number;
  payments: DemoPayment[];
}

export const DEMO_CREDITORS = [
  { ref: 'BANCO-AURORA', name: 'Banco Aurora' },
  { ref: 'FINANCIERA-SOL', name: 'Financiera del Sol' },
  { ref: 'ENERGIA-VERDE', name: 'Energía Verde Comercializadora' },
];

// Delinquency mix of a typical early-and-mid arrears placement.
const DPD_BANDS: [weight: number, min: number, max: number][] = [
  [22, 0, 0], [28, 1, 30], [16, 31, 60], [11, 61, 90], [8, 91, 120], [7, 121, 180], [8, 181, 540],
];

const fakers: Record<string, Faker> = {
  es: new Faker({ locale: [es, en, base] }),
  es_MX: new Faker({ locale: [es_MX, es, en, base] }),
  pt_BR: new Faker({ locale: [pt_BR, en, base] }),
  en_US: new Faker({ locale: [en_US, en, base] }),
};

const pick = <T>(f: Faker, items: readonly T[], weight: (t: T) => number): T => {
  const total = items.reduce((s, t) => s + weight(t), 0);
  let r = f.number.float({ min: 0, max: total });
  for (const t of items) {
    r -= weight(t);
    if (r <= 0) return t;
  }
  return items[items.length - 1]!;
};

/** Draws numbers until one is valid under libphonenumber's metadata for the country. */
const validMobile = (c: DemoCountry, digits: (n: number) => string): string => {
  for (let i = 0; i < 20; i++) {
    const n = normalisePhone(c.mobile(digits), c.country);
    if (n.ok) return n.value;
  }
  throw new Error(`could not draw a valid mobile number for ${c.country}`);
};

const regionCache = new Map<string, string[]>();
const regionsOf = (country: string): string[] => {
  let r = regionCache.get(country);
  if (!r) regionCache.set(country, (r = holidayRegions(country)));
  return r;
};

const regionFor = (f: Faker, country: string): string | null => {
  const known = regionsOf(country);
  return known.length > 0 && f.number.float() < Math.min(1, known.length / 10) ? f.helpers.arrayElement(known) : null;
};

const ascii = (s: string): string => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-zA-Z]/g, '').toLowerCase();

const monthsBack = (date: string, months: number): string => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const idx = y * 12 + (m - 1) - months;
  const year = Math.floor(idx / 12);
  const month = (idx % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
};

/** Yields `count` accounts (one debtor each; some debtors hold two) as of `asOf`. */
export function* generateDemoPortfolio(opts: { seed: number; accounts: number; asOf: string }): Generator<DemoAccount> {
  const f = fakers.es!;
  f.seed(opts.seed);
  for (const k of Object.values(fakers)) k.seed(opts.seed);
  let debtorNo = 0;
  let previous: DemoAccount | null = null;
  for (let i = 0; i < opts.accounts; i++) {
    const c = pick(f, DEMO_COUNTRIES, (x) => x.weight);
    const lf = fakers[c.country === 'MX' ? 'es_MX' : c.country === 'BR' ? 'pt_BR' : c.country === 'US' ? 'en_US' : 'es']!;
    const creditor = DEMO_CREDITORS[i % DEMO_CREDITORS.length]!;
    // One debtor in twelve holds a second account with the same creditor.
    const sameDebtor = previous !== null && previous.creditorRef === creditor.ref && f.number.int({ min: 1, max: 12 }) === 1;
    if (!sameDebtor) debtorNo++;
    const digits = (n: number) => f.string.numeric({ length: n, allowLeadingZeros: true });
    const givenName = sameDebtor ? previous!.givenName : lf.person.firstName();
    // Faker's Spanish-language locales already give both surnames ("Parra Muñiz").
    const familyName = sameDebtor ? previous!.familyName : lf.person.lastName();
    const dniNumber = f.number.int({ min: 10_000_000, max: 99_999_999 });
    const product = pick(f, c.products, () => 1);
    const exponent = c.currency === 'CLP' || c.currency === 'COP' ? (c.currency === 'CLP' ? 0 : 2) : 2;
    const scale = 10 ** exponent;
    const principalUnits = f.number.int({ min: product.min, max: product.max });
    const originalPrincipalMinor = principalUnits * scale;
    const frequency: Frequency = f.number.int({ min: 1, max: 10 }) === 1 ? 'fortnightly' : 'monthly';
    const count = pick(f, [6, 12, 18, 24, 36], () => 1);
    const rate = f.number.float({ min: 0.04, max: 0.32 });
    const instalment = Math.round((originalPrincipalMinor * (1 + rate * (count / 12))) / count);
    const band = pick(f, DPD_BANDS, (b) => b[0]);
    const dpd = f.number.int({ min: band[1], max: band[2] });
    // Instalments paid so far; the first unpaid one fell due `dpd` days ago (or is still ahead).
    const periodDays = frequency === 'monthly' ? 30 : 14;
    const missed = dpd === 0 ? 0 : Math.min(count, Math.ceil(dpd / periodDays));
    const paidCount = Math.max(0, f.number.int({ min: 0, max: Math.max(0, count - missed - 1) }));
    const firstUnpaid = dpd === 0 ? addDays(opts.asOf, f.number.int({ min: 1, max: 25 })) : addDays(opts.asOf, -dpd);
    const firstDueDate = frequency === 'monthly' ? monthsBack(firstUnpaid, paidCount) : addDays(firstUnpaid, -14 * paidCount);
    const schedule = buildSchedule(firstDueDate, count, instalment, frequency);
    const payments: DemoPayment[] = schedule.slice(0, paidCount).map((s, n) => ({
      externalId: `${creditor.ref}-PAY-${i + 1}-${n + 1}`,
      amountMinor: s.amount,
      occurredAt: `${addDays(s.dueDate, f.number.int({ min: -3, max: 12 }))}T${String(f.number.int({ min: 8, max: 20 })).padStart(2, '0')}:${String(f.number.int({ min: 0, max: 59 })).padStart(2, '0')}:00Z`,
    }));
    const amountPaidMinor = paidCount * instalment;
    const principalPaid = Math.min(originalPrincipalMinor, Math.round((originalPrincipalMinor / count) * paidCount));
    const lateFee = Math.round((c.currency === 'EUR' || c.currency === 'USD' ? 25 : c.currency === 'BRL' || c.currency === 'PEN' ? 40 : c.currency === 'MXN' ? 350 : c.currency === 'COP' ? 45_000 : 20_000) * scale);
    const account: DemoAccount = {
      creditorRef: creditor.ref,
      creditorName: creditor.name,
      debtorRef: sameDebtor ? previous!.debtorRef : `CLI-${String(debtorNo).padStart(7, '0')}`,
      givenName,
      familyName,
      nationalId: sameDebtor
        ? previous!.nationalId
        : c.country === 'ES'
          ? `${dniNumber}${NATIONAL_ID_LETTERS[dniNumber % 23]}`
          : digits(c.country === 'BR' ? 11 : c.country === 'MX' ? 10 : 9),
      birthDate: sameDebtor ? previous!.birthDate : f.date.birthdate({ mode: 'age', min: 19, max: 78, refDate: new Date(`${opts.asOf}T00:00:00Z`) }).toISOString().slice(0, 10),
      language: c.language === 'en' && f.number.int({ min: 1, max: 3 }) === 1 ? 'es' : c.language,
      country: c.country,
      // A subdivision the holiday calendar knows (ISO 3166-2: MD, CT, SP…); where it knows only a
      // few (Cusco for Peru), most debtors live elsewhere (no region: national holidays).
      region: sameDebtor ? previous!.region : regionFor(f, c.country),
      timezone: sameDebtor ? previous!.timezone : f.helpers.arrayElement(c.zones),
      phone: sameDebtor ? previous!.phone : validMobile(c, digits),
      email: sameDebtor ? previous!.email : `${ascii(givenName)}.${ascii(familyName.split(' ')[0] ?? 'x')}${f.number.int({ min: 1, max: 999 })}@${f.helpers.arrayElement(['example.com', 'example.net', 'example.org'])}`,
      whatsapp: null,
      addressLine1: lf.location.streetAddress(),
      postalCode: lf.location.zipCode(),
      city: lf.location.city(),
      accountRef: `${creditor.ref.slice(0, 3)}-${String(i + 1).padStart(8, '0')}`,
      product: product.product,
      currency: c.currency,
      originalPrincipalMinor,
      principalMinor: originalPrincipalMinor - principalPaid,
      interestMinor: Math.round(((instalment * count - originalPrincipalMinor) / count) * (count - paidCount) * 0.3),
      feesMinor: missed * lateFee,
      openedAt: monthsBack(firstDueDate, 1),
      firstDueDate,
      instalmentCount: count,
      instalmentAmountMinor: instalment,
      frequency,
      amountPaidMinor,
      targetDaysPastDue: dpd,
      payments,
    };
    account.whatsapp = c.country !== 'ES' && f.number.int({ min: 1, max: 3 }) > 1 ? account.phone : null;
    previous = account;
    yield account;
  }
}
