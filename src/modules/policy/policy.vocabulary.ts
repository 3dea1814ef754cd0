import { z } from 'zod';
import { isValidTimeZone } from './policy.time.ts';

/** The words shared by the input document, the packs and the tenant overlays. */

export const CHANNELS = ['call', 'sms', 'whatsapp', 'email', 'letter', 'visit'] as const;
export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;

export const OUTCOMES = [
  'answered', 'answered_dropped', 'no_answer', 'voicemail', 'ringless_voicemail', 'busy', 'not_in_service',
  'delivered', 'read', 'received', 'failed',
] as const;
export const Outcome = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof Outcome>;

export const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
export const Weekday = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof Weekday>;

/** `cease` as a hold is a cease request scoped to some debts; `litigation` covers CL art. 37. */
export const HOLD_KINDS = ['dispute', 'bankruptcy', 'deceased', 'breathing_space', 'pause', 'cease', 'litigation'] as const;
export const HoldKind = z.enum(HOLD_KINDS);
export type HoldKind = z.infer<typeof HoldKind>;

/**
 * Why a contact is made. Only a few purposes open a gate another rule closes: the notices of
 * 12 CFR 1006.6(c)(2) after a cease request, the verification of a disputed debt
 * (1006.38(d)(2)), the single opt-out confirmation, and UK breathing-space contacts required by
 * law or requested by the debtor (SI 2020/1311).
 */
export const PURPOSES = [
  'collection', 'cease_notice', 'dispute_verification', 'opt_out_confirmation', 'required_notice', 'debtor_requested',
] as const;
export const Purpose = z.enum(PURPOSES);
export type Purpose = z.infer<typeof Purpose>;

/** Who sends: the creditor itself (first party) or a collection agency (third party). */
export const Sender = z.enum(['creditor', 'agency']);
export type Sender = z.infer<typeof Sender>;

export const TimeOfDay = z
  .string()
  .regex(/^(?:(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?|24:00)$/, 'expected HH:MM (00:00–24:00)');

/** A window of local time; `to` earlier than `from` wraps past midnight. */
export const TimeWindow = z.object({ from: TimeOfDay, to: TimeOfDay });
export type TimeWindow = z.infer<typeof TimeWindow>;

/** Allowed windows per weekday; a missing weekday is unrestricted, an empty list closes it. */
export const WeekWindows = z.partialRecord(Weekday, z.array(TimeWindow));
export type WeekWindows = z.infer<typeof WeekWindows>;

export const IsoDate = z.iso.date();
export const IsoInstant = z.iso.datetime({ offset: true });
/** A calendar date (read in the debtor's local zone) or an exact instant. */
export const DateOrInstant = z.union([IsoDate, IsoInstant], { error: 'expected YYYY-MM-DD or an ISO-8601 instant' });

export const TimeZone = z.string().refine(isValidTimeZone, { message: 'unknown IANA time zone' });

/** A simple frequency limit: at most `max` contacts in any `days` consecutive local days. */
export const FrequencyLimit = z.object({ max: z.int().min(0).max(1000), days: z.int().min(1).max(31) });
export type FrequencyLimit = z.infer<typeof FrequencyLimit>;
