import { daysBetween } from '../../lib/clock.ts';
import {
  CHANNELS, CONTACT_OUTCOMES, HOLD_KINDS, LANGUAGES, PLAN_STATES, PROMISE_STATES, REASONS_FOR_ARREARS,
} from './journeys.facts.types.ts';
import type { AccountFacts, Channel, ContactOutcome, HoldKind, Language } from './journeys.facts.types.ts';

/**
 * Builds `AccountFacts` (and the contact addresses) from the rows the daily run reads for one
 * account. Pure: rows, the business date and the decision instant in, facts out.
 *
 * Facts that later capabilities will own (score band, reason for arrears, promise and plan
 * state, holds, disputes) are read today from the account's `attributes` document, where an
 * import, the API or an agent can set them; unknown values fall back to the neutral default.
 */

export interface FactsAccountRow {
  readonly id: string;
  readonly debtor_id: string;
  readonly product: string;
  readonly currency: string;
  readonly balance_minor: number;
  readonly days_past_due: number;
  readonly bucket: string;
  readonly oldest_unpaid_due_date: string | null;
  readonly attributes: Record<string, unknown> | null;
  readonly language: string;
  readonly country: string;
  readonly vulnerable: boolean;
  /** The creditor's allowed channels (null: no restriction). */
  readonly allowed_channels: readonly string[] | null;
}

export interface FactsContactPoint {
  readonly id: string;
  readonly kind: string;
  readonly value: string;
  readonly is_primary: boolean;
  readonly consent: string;
  readonly consent_at: Date | string | null;
  readonly opted_out_at: Date | string | null;
  readonly not_debtors: boolean;
}

/** Schedule facts of one account (see the repo's `loadScheduleFacts`). */
export interface ScheduleFacts {
  readonly next_due_date: string | null;
  readonly next_due_minor: number | null;
  readonly overdue_minor: number;
}

/** One outbound contact of the debtor from scheduled_contacts (sent, or still scheduled). */
export interface HistoryRow {
  readonly account_id: string;
  readonly channel: string | null;
  readonly status: string;
  readonly at: Date | string;
  readonly destination: string | null;
  readonly kind: string;
}

export interface Address { readonly contactPointId: string; readonly value: string }

const CHANNELS_OF_KIND: Record<string, readonly Channel[]> = {
  phone: ['sms', 'call'],
  whatsapp: ['whatsapp'],
  email: ['email'],
  address: ['letter', 'visit'],
};

const oneOf = <T extends string>(values: readonly T[], v: unknown, fallback: T): T =>
  typeof v === 'string' && (values as readonly string[]).includes(v) ? (v as T) : fallback;

const ms = (t: Date | string): number => (typeof t === 'string' ? Date.parse(t) : t.getTime());

/** The channels a contact point serves (a phone: SMS and calls; an address: letters and visits). */
export const channelsOfKind = (kind: string): readonly Channel[] => CHANNELS_OF_KIND[kind] ?? [];

/**
 * The address to use per channel: the primary usable contact point of a kind that serves it,
 * else the earliest one. Opted-out and not-the-debtor's points are never chosen.
 */
export function addressesOf(points: readonly FactsContactPoint[]): Map<Channel, Address> {
  const out = new Map<Channel, Address>();
  const primaryFirst = [...points].sort((a, b) => Number(b.is_primary) - Number(a.is_primary));
  for (const p of primaryFirst) {
    if (p.opted_out_at !== null || p.not_debtors) continue;
    for (const c of channelsOfKind(p.kind)) if (!out.has(c)) out.set(c, { contactPointId: p.id, value: p.value });
  }
  return out;
}

const STATUS_OUTCOME: Record<string, ContactOutcome | null> = {
  sent: null, delivered: 'delivered', read: 'read', failed: 'failed',
};

export interface FactsInput {
  readonly account: FactsAccountRow;
  readonly points: readonly FactsContactPoint[];
  readonly schedule: ScheduleFacts | null;
  readonly history: readonly HistoryRow[];
  readonly lastPaymentAt: Date | string | null;
  /** The journey's own last contact, when later than anything in the history window. */
  readonly lastActionAt: string | null;
  readonly businessDate: string;
  readonly at: string;
  readonly bucketOf: (dpd: number) => string;
}

export function buildFacts(i: FactsInput): AccountFacts {
  const a = i.account;
  const attrs = a.attributes ?? {};
  // Days past due move with the calendar: derived from the oldest unpaid due date for the
  // business date, so a run does not depend on the nightly refresh having run first.
  const dpd = a.oldest_unpaid_due_date ? Math.max(0, daysBetween(a.oldest_unpaid_due_date, i.businessDate)) : a.days_past_due;
  const bucket = dpd === a.days_past_due ? a.bucket : i.bucketOf(dpd);

  const allowed = a.allowed_channels ? new Set(a.allowed_channels) : null;
  const usable = new Set<Channel>();
  const present = new Set<Channel>();
  for (const p of i.points) {
    if (p.not_debtors) continue;
    for (const c of channelsOfKind(p.kind)) {
      if (allowed && !allowed.has(c)) continue;
      present.add(c);
      if (p.opted_out_at === null) usable.add(c);
    }
  }
  const channelsAvailable = CHANNELS.filter((c) => present.has(c));
  const optedOutChannels = CHANNELS.filter((c) => present.has(c) && !usable.has(c));

  const holdsRaw = Array.isArray(attrs.holds) ? attrs.holds : [];
  const holds = HOLD_KINDS.filter((h) => holdsRaw.some((x) => (typeof x === 'string' ? x : (x as { kind?: unknown } | null)?.kind) === h)) as HoldKind[];
  const disputed = attrs.disputed === true || holds.includes('dispute');

  let lastAt: number | null = null;
  let lastOutcome: ContactOutcome | null = null;
  for (const h of i.history) {
    if (h.account_id !== a.id || h.kind === 'agent_task' || !(h.status in STATUS_OUTCOME)) continue;
    const t = ms(h.at);
    if (lastAt === null || t > lastAt) {
      lastAt = t;
      lastOutcome = STATUS_OUTCOME[h.status] ?? null;
    }
  }
  if (i.lastActionAt && (lastAt === null || Date.parse(i.lastActionAt) > lastAt)) {
    lastAt = Date.parse(i.lastActionAt);
    lastOutcome = null;
  }
  const nowMs = Date.parse(i.at);
  const days = (t: number): number => Math.max(0, Math.floor((nowMs - t) / 86_400_000));
  const brokenRaw = Number(attrs.brokenPromises ?? 0);

  return {
    daysPastDue: dpd,
    daysToDue: i.schedule?.next_due_date ? daysBetween(i.businessDate, i.schedule.next_due_date) : null,
    bucket,
    balanceMinor: a.balance_minor,
    overdueMinor: dpd > 0 ? (i.schedule?.overdue_minor ?? 0) : 0,
    currency: a.currency,
    product: a.product,
    scoreBand: typeof attrs.scoreBand === 'string' ? attrs.scoreBand : null,
    reasonForArrears: oneOf(REASONS_FOR_ARREARS, attrs.reasonForArrears, 'unknown'),
    promiseState: oneOf(PROMISE_STATES, attrs.promiseState, 'none'),
    planState: oneOf(PLAN_STATES, attrs.planState, 'none'),
    brokenPromises: Number.isFinite(brokenRaw) && brokenRaw > 0 ? Math.floor(brokenRaw) : 0,
    vulnerable: a.vulnerable,
    holds,
    disputed,
    language: oneOf<Language>(LANGUAGES, a.language, 'es'),
    country: a.country,
    channelsAvailable,
    optedOutChannels,
    lastContactOutcome: lastOutcome !== null && (CONTACT_OUTCOMES as readonly string[]).includes(lastOutcome) ? lastOutcome : null,
    daysSinceLastContact: lastAt === null ? null : days(lastAt),
    daysSinceLastPayment: i.lastPaymentAt === null ? null : days(ms(i.lastPaymentAt)),
  };
}
