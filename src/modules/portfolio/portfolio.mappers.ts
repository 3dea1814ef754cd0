import { currencyExponent, formatMinor } from '../../lib/money.ts';
import type { Account, AccountDetail, ContactPoint, Debtor } from './portfolio.types.ts';
import type { AccountRow, ContactPointRow, DebtorRow } from './portfolio.repo.ts';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export const toContactPoint = (r: ContactPointRow): ContactPoint => ({
  id: r.id,
  kind: r.kind,
  value: r.value,
  address: (r.address as ContactPoint['address']) ?? null,
  label: r.label,
  isPrimary: r.is_primary,
  consent: r.consent,
  consentAt: iso(r.consent_at),
  optedOutAt: iso(r.opted_out_at),
  optOutReason: r.opt_out_reason,
});

export const toDebtor = (r: DebtorRow, contacts: readonly ContactPointRow[]): Debtor => ({
  id: r.id,
  creditorId: r.creditor_id,
  externalRef: r.external_ref,
  kind: r.kind,
  givenName: r.given_name,
  familyName: r.family_name,
  companyName: r.company_name,
  nationalId: r.national_id,
  birthDate: r.birth_date,
  language: r.language,
  country: r.country,
  region: r.region,
  timezone: r.timezone,
  preferences: r.preferences,
  contactPoints: contacts.map(toContactPoint),
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
  version: r.version,
});

export const toAccount = (r: AccountRow): Account => {
  const total = r.principal_minor + r.interest_minor + r.fees_minor;
  return {
    id: r.id,
    creditorId: r.creditor_id,
    debtorId: r.debtor_id,
    externalRef: r.external_ref,
    product: r.product,
    currency: r.currency,
    originalPrincipalMinor: r.original_principal_minor,
    balance: {
      principalMinor: r.principal_minor,
      interestMinor: r.interest_minor,
      feesMinor: r.fees_minor,
      creditMinor: r.credit_minor,
      totalMinor: total,
      total: formatMinor(total, currencyExponent(r.currency)),
    },
    status: r.status,
    openedAt: r.opened_at,
    chargedOffAt: r.charged_off_at,
    daysPastDue: r.days_past_due,
    bucket: r.bucket,
    dpdAsOf: r.dpd_as_of,
    oldestUnpaidDueDate: r.oldest_unpaid_due_date,
    attributes: r.attributes,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    version: r.version,
  };
};

export const toAccountDetail = (r: AccountRow): AccountDetail => ({
  ...toAccount(r),
  schedule: r.schedule_due_dates.map((dueDate, i) => ({ seq: i + 1, dueDate, amountMinor: r.schedule_amounts_minor[i]!, paidMinor: r.schedule_paid_minor[i]! })),
});
