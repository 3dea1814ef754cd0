import { z } from 'zod';
import { isKnownHolidayRegion } from './policy.holidays.ts';
import { TenantOverlay } from './policy.pack.types.ts';
import {
  Channel, DateOrInstant, FrequencyLimit, HoldKind, IsoDate, IsoInstant, Outcome, Purpose, TimeOfDay, TimeWindow,
  TimeZone, Weekday,
} from './policy.vocabulary.ts';

/**
 * The public document of `tacto policy evaluate` and `POST /api/v1/policy/evaluate`
 * (docs/policy.md describes every field). Optional fields accept `null` as well as absence, so
 * producers can serialise empty columns as they come.
 */

const Address = z.string().min(1).max(320);
const DebtIds = z.array(z.string().min(1)).nullish();

export const InconvenientTime = z.object({
  /** Weekdays the designation applies to; absent means every day. */
  weekdays: z.array(Weekday).min(1).nullish(),
  from: TimeOfDay,
  /** Inclusive to the minute: "23:59" blocks through 23:59:59.999. */
  to: TimeOfDay,
  since: IsoDate.nullish(),
  until: IsoDate.nullish(),
});

export const InconvenientPlace = z.object({
  /** The place as we reach it: a work phone number, a work e-mail, a postal address. */
  address: Address,
  channel: Channel.nullish(),
  since: IsoDate.nullish(),
  until: IsoDate.nullish(),
});

export const OptOut = z.object({ channel: Channel, address: Address.nullish(), at: DateOrInstant.nullish() });

export const Consent = z.object({
  channel: Channel,
  address: Address.nullish(),
  at: DateOrInstant.nullish(),
  revokedAt: DateOrInstant.nullish(),
});

export const Hold = z.object({
  kind: HoldKind,
  from: DateOrInstant.nullish(),
  until: DateOrInstant.nullish(),
  /** Absent or empty: the hold covers every debt of the debtor. */
  debtIds: DebtIds,
  reference: z.string().nullish(),
});

export const Preferences = z.object({
  channels: z.array(Channel).nullish(),
  hours: z.array(TimeWindow).min(1).nullish(),
  days: z.array(Weekday).min(1).nullish(),
  frequency: FrequencyLimit.nullish(),
  language: z.string().nullish(),
});

export const Vulnerability = z.object({
  drivers: z.array(z.enum(['health', 'life_events', 'resilience', 'capability'])).nullish(),
  channels: z.array(Channel).nullish(),
  hours: z.array(TimeWindow).min(1).nullish(),
  days: z.array(Weekday).min(1).nullish(),
  pauseUntil: DateOrInstant.nullish(),
  frequency: FrequencyLimit.nullish(),
  reviewAt: IsoDate.nullish(),
});

export const Debtor = z
  .object({
    /** Every zone the debtor may be in (phone area code, address, …): windows are intersected. */
    timezones: z.array(TimeZone).nullish(),
    /** ISO country and date-holidays region (e.g. "ES"/"MD") for public holidays. */
    country: z.string().regex(/^[A-Z]{2}$/).nullish(),
    region: z.string().min(1).max(10).nullish(),
    inconvenientTimes: z.array(InconvenientTime).nullish(),
    inconvenientPlaces: z.array(InconvenientPlace).nullish(),
    ceaseReceivedAt: DateOrInstant.nullish(),
    optOuts: z.array(OptOut).nullish(),
    consents: z.array(Consent).nullish(),
    holds: z.array(Hold).nullish(),
    preferences: Preferences.nullish(),
    vulnerability: Vulnerability.nullish(),
  })
  .superRefine((d, ctx) => {
    if (d.region && !d.country) ctx.addIssue({ code: 'custom', path: ['region'], message: 'region needs country' });
    else if (d.country && !isKnownHolidayRegion(d.country, d.region)) {
      ctx.addIssue({ code: 'custom', path: [d.region ? 'region' : 'country'], message: 'unknown country/region for public holidays' });
    }
  });

export const HistoryItem = z.object({
  at: IsoInstant,
  channel: Channel,
  direction: z.enum(['outbound', 'inbound']),
  debtIds: DebtIds,
  outcome: Outcome.nullish(),
  /** A conversation about the debt took place (for calls: a telephone conversation). */
  conversation: z.boolean().nullish(),
  address: Address.nullish(),
  /** The number turned out not to be the debtor's: the contact does not count towards them. */
  notDebtorsNumber: z.boolean().nullish(),
  /** The debtor consented, directly, to further calls until this date/instant (1006.14(b)(3)). */
  consentToCallUntil: DateOrInstant.nullish(),
  /** The debtor revoked earlier call consent in this contact. */
  consentRevoked: z.boolean().nullish(),
  purpose: Purpose.nullish(),
  /** Who was contacted; calls to the debtor's attorney, a bureau or the creditor do not count. */
  party: z.enum(['debtor', 'attorney', 'consumer_reporting_agency', 'creditor', 'other']).nullish(),
});

export const ProposedContact = z.object({
  at: IsoInstant,
  channel: Channel,
  debtId: z.string().min(1).nullish(),
  /** Several debts in one contact; absent `debtId` and `debtIds` means "about every debt". */
  debtIds: DebtIds,
  address: Address.nullish(),
  purpose: Purpose.nullish(),
  /** WhatsApp: free-form text is only allowed inside the debtor-opened service window. */
  messageType: z.enum(['template', 'free_form']).nullish(),
});

/** Built-in jurisdictions; `evaluateContact` also accepts any pack passed to it. */
export const JURISDICTIONS = ['US', 'CO', 'MX', 'PE', 'CL', 'BR', 'ES', 'UK'] as const;
export const Jurisdiction = z.enum(JURISDICTIONS);

const requestShape = {
  debtor: Debtor,
  history: z.array(HistoryItem).nullish(),
  proposed: ProposedContact,
  tenantOverlay: TenantOverlay.nullish(),
};

/** The evaluation request document (built-in jurisdictions). */
export const PolicyEvaluateRequest = z.object({ jurisdiction: Jurisdiction, ...requestShape });
export type PolicyEvaluateRequest = z.infer<typeof PolicyEvaluateRequest>;

/** The engine's input: as the document, but any jurisdiction a supplied pack covers. */
export type PolicyInput = Omit<PolicyEvaluateRequest, 'jurisdiction'> & { jurisdiction: string };
export type PolicyDebtor = z.infer<typeof Debtor>;
export type PolicyHistoryItem = z.infer<typeof HistoryItem>;
export type PolicyProposedContact = z.infer<typeof ProposedContact>;

export const PolicyReason = z.object({
  code: z.string(),
  /** `deny` reasons make the contact not allowed; `info` reasons explain what else applied. */
  effect: z.enum(['deny', 'info']),
  rule: z.string(),
  citation: z.string(),
  /** False for rules COMPLIANCE.md marks unverified (configurable defaults). */
  verified: z.boolean(),
  message: z.object({ es: z.string(), en: z.string() }),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
export type PolicyReason = z.infer<typeof PolicyReason>;

export const PolicyDecision = z.object({
  allowed: z.boolean(),
  reasons: z.array(PolicyReason),
  /** Earliest instant at or after the proposed one when the same contact is allowed; null when
   *  none within the horizon (permanent blocks: cease, opt-out, a hold without end, …). */
  nextAllowedAt: z.string().nullable(),
  jurisdiction: z.string(),
  packId: z.string(),
  packVersion: z.string(),
  overlay: z.object({ id: z.string(), version: z.string() }).nullable(),
  evaluatedAt: z.string(),
  timezones: z.array(z.string()),
});
export type PolicyDecision = z.infer<typeof PolicyDecision>;

export const AllowedWindow = z.object({ start: z.string(), end: z.string() });
/** An allowed window; both ends are allowed instants (millisecond precision). */
export type AllowedWindow = z.infer<typeof AllowedWindow>;
