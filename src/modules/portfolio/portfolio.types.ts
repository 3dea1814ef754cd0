import { z } from 'zod';
import { isCurrency } from '../../lib/money.ts';

/**
 * API shapes for debtors, contact points and accounts. Response schemas name every field they
 * return: the serializer drops anything else, so a column added later cannot leak by accident.
 */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD').refine((s) => {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}, 'not a real calendar date');
const timezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'not an IANA time zone (e.g. Europe/Madrid)');
export const Language = z.enum(['es', 'en', 'pt']);
export const Country = z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 country code (e.g. ES)');
export const Currency = z.string().refine(isCurrency, 'not an ISO 4217 currency code (e.g. EUR)');

export const ContactPointKind = z.enum(['phone', 'email', 'whatsapp', 'address']);
export const Consent = z.enum(['granted', 'denied', 'unknown']);

export const PostalAddress = z.object({
  line1: z.string().min(1),
  line2: z.string().optional(),
  postalCode: z.string().optional(),
  city: z.string().optional(),
  region: z.string().optional(),
  country: Country.optional(),
});

export const ContactPointInput = z.object({
  kind: ContactPointKind,
  /** E.164 phone (or a national number read with the debtor's country), e-mail, or address text. */
  value: z.string().min(1).optional(),
  address: PostalAddress.optional(),
  label: z.string().max(40).optional(),
  isPrimary: z.boolean().optional(),
  consent: Consent.optional(),
});

export const ContactPoint = z.object({
  id: z.string(),
  kind: ContactPointKind,
  value: z.string(),
  address: PostalAddress.nullable(),
  label: z.string().nullable(),
  isPrimary: z.boolean(),
  consent: Consent,
  consentAt: z.string().nullable(),
  optedOutAt: z.string().nullable(),
  optOutReason: z.string().nullable(),
});

export const DebtorCreate = z.object({
  creditorRef: z.string().min(1),
  externalRef: z.string().min(1).max(100),
  kind: z.enum(['person', 'company']).default('person'),
  givenName: z.string().max(200).optional(),
  familyName: z.string().max(200).optional(),
  companyName: z.string().max(300).optional(),
  nationalId: z.string().max(40).optional(),
  birthDate: isoDate.optional(),
  language: Language.optional(),
  country: Country,
  region: z.string().max(10).optional(),
  timezone: timezone.optional(),
  preferences: z.record(z.string(), z.unknown()).optional(),
  contactPoints: z.array(ContactPointInput).max(50).default([]),
});

export const DebtorUpdate = DebtorCreate.omit({ creditorRef: true, externalRef: true, contactPoints: true, kind: true })
  .partial()
  .extend({ expectedVersion: z.number().int().positive().optional() });

export const Debtor = z.object({
  id: z.string(),
  creditorId: z.string(),
  externalRef: z.string(),
  kind: z.enum(['person', 'company']),
  givenName: z.string().nullable(),
  familyName: z.string().nullable(),
  companyName: z.string().nullable(),
  nationalId: z.string().nullable(),
  birthDate: z.string().nullable(),
  language: Language,
  country: z.string(),
  region: z.string().nullable(),
  timezone: z.string(),
  preferences: z.record(z.string(), z.unknown()),
  contactPoints: z.array(ContactPoint),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});

export const Frequency = z.enum(['weekly', 'fortnightly', 'monthly']);
export const InstalmentInput = z.object({ dueDate: isoDate, amountMinor: z.number().int().nonnegative(), paidMinor: z.number().int().nonnegative().default(0) });

export const AccountStatus = z.enum(['active', 'paid', 'settled', 'charged_off', 'closed', 'recalled']);

export const AccountCreate = z.object({
  creditorRef: z.string().min(1),
  debtorId: z.string().min(1),
  externalRef: z.string().min(1).max(100),
  product: z.string().min(1).max(60),
  currency: Currency,
  originalPrincipalMinor: z.number().int().nonnegative(),
  principalMinor: z.number().int().nonnegative(),
  interestMinor: z.number().int().nonnegative().default(0),
  feesMinor: z.number().int().nonnegative().default(0),
  openedAt: isoDate.optional(),
  chargedOffAt: isoDate.optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  schedule: z
    .union([
      z.object({ firstDueDate: isoDate, count: z.number().int().min(1).max(600), amountMinor: z.number().int().positive(), frequency: Frequency }),
      z.array(InstalmentInput).max(600),
    ])
    .optional(),
});

export const AccountUpdate = z
  .object({
    product: z.string().min(1).max(60),
    status: AccountStatus,
    chargedOffAt: isoDate.nullable(),
    attributes: z.record(z.string(), z.unknown()),
    expectedVersion: z.number().int().positive(),
  })
  .partial();

export const Instalment = z.object({ seq: z.number().int(), dueDate: z.string(), amountMinor: z.number().int(), paidMinor: z.number().int() });

export const BalanceBreakdown = z.object({
  principalMinor: z.number().int(),
  interestMinor: z.number().int(),
  feesMinor: z.number().int(),
  creditMinor: z.number().int(),
  totalMinor: z.number().int(),
  total: z.string(),
});

export const Account = z.object({
  id: z.string(),
  creditorId: z.string(),
  debtorId: z.string(),
  externalRef: z.string(),
  product: z.string(),
  currency: z.string(),
  originalPrincipalMinor: z.number().int(),
  balance: BalanceBreakdown,
  status: AccountStatus,
  openedAt: z.string().nullable(),
  chargedOffAt: z.string().nullable(),
  daysPastDue: z.number().int(),
  bucket: z.string(),
  dpdAsOf: z.string().nullable(),
  oldestUnpaidDueDate: z.string().nullable(),
  attributes: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});

export const AccountDetail = Account.extend({ schedule: z.array(Instalment) });

/** List rows name their debtor so a worklist needs no second request per row. */
export const DebtorSummary = z.object({ id: z.string(), externalRef: z.string(), name: z.string() });
export const AccountListItem = Account.extend({ debtor: DebtorSummary });

export const Cursor = z.object({
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const DebtorListQuery = Cursor.extend({
  creditorRef: z.string().optional(),
  externalRef: z.string().optional(),
  country: Country.optional(),
  language: Language.optional(),
  q: z.string().min(2).max(100).optional(),
});

export const AccountListQuery = Cursor.extend({
  creditorRef: z.string().optional(),
  debtorId: z.string().optional(),
  externalRef: z.string().optional(),
  status: AccountStatus.optional(),
  /** `true`: only accounts still being collected (active or charged off), as the summary counts them. */
  open: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  bucket: z.string().optional(),
  currency: z.string().optional(),
  product: z.string().optional(),
  minDaysPastDue: z.coerce.number().int().min(0).optional(),
  maxDaysPastDue: z.coerce.number().int().min(0).optional(),
});

export type DebtorCreate = z.infer<typeof DebtorCreate>;
export type DebtorUpdate = z.infer<typeof DebtorUpdate>;
export type Debtor = z.infer<typeof Debtor>;
export type ContactPoint = z.infer<typeof ContactPoint>;
export type ContactPointInput = z.infer<typeof ContactPointInput>;
export type AccountCreate = z.infer<typeof AccountCreate>;
export type AccountUpdate = z.infer<typeof AccountUpdate>;
export type Account = z.infer<typeof Account>;
export type AccountDetail = z.infer<typeof AccountDetail>;
export type AccountListItem = z.infer<typeof AccountListItem>;
export type DebtorListQuery = z.infer<typeof DebtorListQuery>;
export type AccountListQuery = z.infer<typeof AccountListQuery>;

export const page = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable() });
