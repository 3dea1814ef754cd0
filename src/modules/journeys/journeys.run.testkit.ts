import type { Database } from '../../db/db.ts';
import type { Clock } from '../../lib/clock.ts';
import { addDays, isoDate } from '../../lib/clock.ts';
import type { IdFactory } from '../../lib/ids.ts';
import { createPortfolioService } from '../portfolio/index.ts';

/**
 * A small portfolio for the daily run's integration tests (tests only): Spanish debtors in
 * Madrid with a mobile and an e-mail, accounts with monthly schedules whose first unpaid
 * instalment fell due `dpd` days ago (or falls due in `-dpd` days), and a reason for arrears.
 */
export interface PortfolioCase {
  dpd: number;
  reason?: 'forgetful' | 'hardship' | 'unknown';
  email?: boolean;
  phone?: boolean;
  country?: string;
  timezone?: string;
  brokenPromises?: number;
}

export const SPREAD: readonly PortfolioCase[] = [
  { dpd: -3 }, { dpd: -2, reason: 'forgetful' }, { dpd: 0 }, { dpd: 1 }, { dpd: 2, reason: 'forgetful' }, { dpd: 5 }, { dpd: 9, phone: false },
  { dpd: 12, reason: 'hardship' }, { dpd: 20 }, { dpd: 25, email: false }, { dpd: 40, reason: 'hardship' }, { dpd: 45 }, { dpd: 70, reason: 'hardship' },
  { dpd: 3, country: 'MX', timezone: 'America/Mexico_City' }, { dpd: 15, reason: 'hardship', country: 'CO', timezone: 'America/Bogota' },
  { dpd: 2, country: 'BR', timezone: 'America/Sao_Paulo' }, { dpd: 33, brokenPromises: 2 },
];

export const givenPortfolio = async (
  deps: { db: Database; clock: Clock; newId: IdFactory },
  tenant: { tenantId: string; creditorRef: string },
  cases: readonly PortfolioCase[],
): Promise<{ accountIds: string[]; debtorIds: string[] }> => {
  const portfolio = createPortfolioService(deps);
  const today = isoDate(deps.clock.now());
  const accountIds: string[] = [];
  const debtorIds: string[] = [];
  let n = 0;
  for (const c of cases) {
    n++;
    const country = c.country ?? 'ES';
    const phone = country === 'ES' ? `+3461200${String(1000 + n).slice(-4)}` : country === 'MX' ? `+52551234${String(1000 + n).slice(-4)}` : country === 'CO' ? `+573001234${String(100 + n).slice(-3)}` : `+55119876${String(10000 + n).slice(-5)}`;
    const debtor = await portfolio.createDebtor(tenant.tenantId, {
      creditorRef: tenant.creditorRef, externalRef: `D-${n}`, kind: 'person', givenName: 'Ana', familyName: `Prueba ${n}`, country,
      language: country === 'BR' ? 'pt' : 'es', timezone: c.timezone ?? 'Europe/Madrid',
      contactPoints: [
        ...(c.phone === false ? [] : [{ kind: 'phone' as const, value: phone, isPrimary: true }]),
        ...(c.email === false ? [] : [{ kind: 'email' as const, value: `deudor${n}@example.com` }]),
      ],
    });
    const firstDue = addDays(today, -c.dpd);
    const account = await portfolio.createAccount(tenant.tenantId, {
      creditorRef: tenant.creditorRef, debtorId: debtor.id, externalRef: `A-${n}`, product: 'personal_loan', currency: country === 'ES' ? 'EUR' : country === 'MX' ? 'MXN' : country === 'CO' ? 'COP' : 'BRL',
      originalPrincipalMinor: 120_000, principalMinor: 120_000, interestMinor: 0, feesMinor: 0,
      attributes: { reasonForArrears: c.reason ?? 'unknown', ...(c.brokenPromises ? { brokenPromises: c.brokenPromises } : {}) },
      schedule: { firstDueDate: firstDue, count: 6, amountMinor: 20_000, frequency: 'monthly' },
    });
    accountIds.push(account.id);
    debtorIds.push(debtor.id);
  }
  return { accountIds, debtorIds };
};
