import type { Database } from '../../src/db/db.ts';
import type { createServices } from '../../src/services.ts';
import { givenTenant } from '../support/fixtures.ts';

/**
 * A small, realistic portfolio for the console's browser test (and for looking at the console by
 * hand): Spanish debtors at every delinquency bucket, one Mexican account in MXN, one earlier
 * payment and one opted-out e-mail address. With the clock at 2026-03-15, A-1001 is 69 days past due.
 */
export interface Seeded {
  tenantId: string;
  apiKey: string;
  accountId: string;
}

export const seedConsolePortfolio = async (db: Database, services: ReturnType<typeof createServices>): Promise<Seeded> => {
  const { tenantId, apiKey } = await givenTenant(db, { creditorRef: 'BANCO-1' });
  const p = services.portfolio;
  const debtor = async (ref: string, givenName: string, familyName: string, extra: Partial<Parameters<typeof p.createDebtor>[1]> = {}) =>
    p.createDebtor(tenantId, {
      creditorRef: 'BANCO-1',
      externalRef: ref,
      kind: 'person',
      givenName,
      familyName,
      country: 'ES',
      contactPoints: [
        { kind: 'phone', value: `+3461${ref.replace(/\D/g, '').padStart(7, '0')}`, consent: 'granted' },
        { kind: 'email', value: `${givenName}.${familyName.split(' ')[0]}@example.com`.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f\s]/g, '') },
      ],
      ...extra,
    });
  const account = async (debtorId: string, ref: string, product: string, principal: number, schedule: { firstDueDate: string; count: number; amountMinor: number }, more: { currency?: string; interest?: number; fees?: number } = {}) =>
    p.createAccount(tenantId, {
      creditorRef: 'BANCO-1',
      debtorId,
      externalRef: ref,
      product,
      currency: more.currency ?? 'EUR',
      originalPrincipalMinor: principal,
      principalMinor: principal,
      interestMinor: more.interest ?? 0,
      feesMinor: more.fees ?? 0,
      openedAt: '2025-01-10',
      schedule: { ...schedule, frequency: 'monthly' },
    });

  const lucia = await debtor('D-1001', 'Lucía', 'Fernández Núñez', { nationalId: '12345678Z', birthDate: '1988-04-12' });
  const a1 = await account(lucia.id, 'A-1001', 'personal_loan', 300000, { firstDueDate: '2026-01-05', count: 12, amountMinor: 25000 }, { interest: 1500, fees: 3000 });
  const javier = await debtor('D-1002', 'Javier', 'Moreno Ruiz');
  const a2 = await account(javier.id, 'A-1002', 'credit_card', 45000, { firstDueDate: '2026-02-01', count: 3, amountMinor: 15000 });
  await services.ledger.recordPayment(tenantId, a2.id, { amount: '150.00', externalId: 'BANK-REF-1', method: 'bank_transfer' });
  const carmen = await debtor('D-1003', 'Carmen', 'Ortega Gil');
  await account(carmen.id, 'A-1003', 'consumer_finance', 120000, { firstDueDate: '2026-04-05', count: 10, amountMinor: 12000 });
  const miguel = await debtor('D-1004', 'Miguel Ángel', 'Torres Vega');
  await account(miguel.id, 'A-1004', 'personal_loan', 640000, { firstDueDate: '2025-11-20', count: 24, amountMinor: 26700 }, { interest: 8200, fees: 4500 });
  const ana = await debtor('D-1005', 'Ana Belén', 'Castro Prieto');
  await account(ana.id, 'A-1005', 'utility_bill', 18990, { firstDueDate: '2025-09-30', count: 1, amountMinor: 18990 }, { fees: 1500 });
  const rafael = await debtor('D-1006', 'Rafael', 'Domínguez Sáez');
  await account(rafael.id, 'A-1006', 'credit_card', 289000, { firstDueDate: '2025-06-01', count: 12, amountMinor: 24100 }, { interest: 31200, fees: 6000 });
  const pablo = await debtor('D-1007', 'Pablo', 'Jiménez Lora');
  await account(pablo.id, 'A-1007', 'credit_card', 86000, { firstDueDate: '2026-02-23', count: 6, amountMinor: 14400 });
  const elena = await debtor('D-1008', 'Elena', 'Vidal Marín');
  await account(elena.id, 'A-1008', 'personal_loan', 412000, { firstDueDate: '2026-02-03', count: 18, amountMinor: 22900 }, { interest: 2100 });
  const sofia = await debtor('D-2001', 'Sofía', 'Herrera Campos', { country: 'MX', language: 'es', contactPoints: [{ kind: 'phone', value: '+525512345678' }] });
  await account(sofia.id, 'A-2001', 'personal_loan', 3500000, { firstDueDate: '2026-01-29', count: 12, amountMinor: 291700 }, { currency: 'MXN' });
  // One opted-out address, to show the opt-out state on the debtor panel.
  const luciaEmail = lucia.contactPoints.find((c) => c.kind === 'email')!;
  await p.optOut(tenantId, lucia.id, luciaEmail.id, 'Solicitud del deudor por teléfono');
  return { tenantId, apiKey, accountId: a1.id };
};
