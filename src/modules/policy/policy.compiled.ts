import type { IntervalSet } from './policy.intervals.ts';
import type { PolicyPack } from './policy.pack.types.ts';
import type { Finding, RuleRef } from './policy.reasons.ts';
import { CHANNELS } from './policy.vocabulary.ts';
import type { Channel, HoldKind, Outcome, Purpose, Sender } from './policy.vocabulary.ts';

/**
 * The compiled form of a pack plus a tenant overlay: what the evaluator reads. Channel and
 * outcome lists become bit masks and hour windows become time-of-day interval sets, once per
 * (pack, overlay) pair, so a decision never re-reads the JSON.
 */

// Switches rather than lookup tables: string literals are interned, so these compile to a few
// pointer comparisons, cheaper than a keyed property load in the per-contact hot loop.
export function channelBit(c: Channel): number {
  switch (c) {
    case 'call': return 1;
    case 'sms': return 2;
    case 'whatsapp': return 4;
    case 'email': return 8;
    case 'letter': return 16;
    case 'visit': return 32;
  }
}
export const ALL_CHANNELS = (1 << CHANNELS.length) - 1;
export const channelMask = (cs: readonly Channel[] | null | undefined): number =>
  cs ? cs.reduce((m, c) => m | channelBit(c), 0) : 0;

export function outcomeBit(o: Outcome): number {
  switch (o) {
    case 'answered': return 1;
    case 'answered_dropped': return 2;
    case 'no_answer': return 4;
    case 'voicemail': return 8;
    case 'ringless_voicemail': return 16;
    case 'busy': return 32;
    case 'not_in_service': return 64;
    case 'delivered': return 128;
    case 'read': return 256;
    case 'received': return 512;
    case 'failed': return 1024;
  }
}
export const outcomeMask = (os: readonly Outcome[]): number => os.reduce((m, o) => m | outcomeBit(o), 0);

/** Attempts that reached a line or an inbox: what a generic contact cap counts. */
export const ATTEMPT_OUTCOMES = outcomeMask([
  'answered', 'answered_dropped', 'no_answer', 'voicemail', 'ringless_voicemail', 'busy', 'delivered', 'read', 'received',
]);

/** Channel codes of a mask, comma-separated (for reason details). */
export const channelList = (mask: number): string => CHANNELS.filter((c) => mask & channelBit(c)).join(',');

export type ReasonCodeForDays = 'DAYS.WEEKDAY_BLOCKED' | 'PREFERENCE.DAY' | 'VULNERABILITY.DAY';
export type ReasonCodeForHours = 'HOURS.OUTSIDE_WINDOW' | 'PREFERENCE.HOURS' | 'VULNERABILITY.HOURS';

/** Allowed local times per weekday (Monday = 0); `null` leaves that weekday unrestricted. */
export interface CompiledHours {
  readonly ref: RuleRef;
  readonly mask: number;
  readonly windows: readonly (IntervalSet | null)[];
  readonly closedCode: ReasonCodeForDays;
  readonly outsideCode: ReasonCodeForHours;
}

export interface CompiledHolidays {
  readonly ref: RuleRef;
  readonly mask: number;
}

export type CapCode = 'FREQUENCY.CALLS_7_IN_7_DAYS' | 'FREQUENCY.CAP_EXCEEDED' | 'PREFERENCE.FREQUENCY' | 'VULNERABILITY.FREQUENCY';

export interface CompiledCap {
  readonly ref: RuleRef;
  readonly mask: number;
  readonly max: number;
  readonly windowDays: number;
  readonly minDayGap: number;
  readonly period: 'rolling' | 'calendar_week';
  /** Monday = 0. */
  readonly weekStart: number;
  readonly scope: 'debt' | 'debtor';
  readonly counted: number;
  readonly countUnknown: boolean;
  readonly consentExempt: boolean;
  readonly code: CapCode;
}

export interface CompiledAfterConversation {
  readonly ref: RuleRef;
  readonly mask: number;
  readonly days: number;
  readonly consentExempt: boolean;
}

export interface CompiledDirectContact {
  readonly ref: RuleRef;
  readonly mask: number;
  readonly directContact: 'every_attempt' | 'reached' | 'conversation';
  readonly weekStart: number;
}

export interface CompiledGate {
  readonly ref: RuleRef;
  readonly mask: number;
}

export interface CompiledHold {
  readonly ref: RuleRef;
  readonly purposes: ReadonlySet<Purpose>;
  readonly channels: number;
}

export interface CompiledPolicy {
  readonly pack: PolicyPack;
  readonly packVersion: string;
  readonly overlay: { readonly id: string; readonly version: string } | null;
  readonly location: { readonly ref: RuleRef; readonly fallback: readonly string[] };
  readonly hours: readonly CompiledHours[];
  readonly holidays: readonly CompiledHolidays[];
  readonly designations: { readonly ref: RuleRef; readonly replyOnce: boolean };
  readonly cease: { readonly ref: RuleRef; readonly purposes: ReadonlySet<Purpose>; readonly channels: number };
  readonly optOut: { readonly ref: RuleRef; readonly confirmations: number };
  readonly holds: Readonly<Record<HoldKind, CompiledHold>>;
  readonly prohibited: readonly CompiledGate[];
  readonly consentRequired: readonly CompiledGate[];
  readonly senderRules: readonly (CompiledGate & { readonly allowed: ReadonlySet<Sender> })[];
  readonly enablement: readonly CompiledGate[];
  readonly serviceWindows: readonly (CompiledGate & { readonly hours: number })[];
  readonly consentWindow: { readonly ref: RuleRef; readonly maxDays: number } | null;
  readonly caps: readonly CompiledCap[];
  readonly afterConversation: readonly CompiledAfterConversation[];
  readonly directContact: readonly CompiledDirectContact[];
  readonly preferences: RuleRef;
  readonly vulnerability: RuleRef;
  readonly tenant: {
    readonly ref: RuleRef;
    readonly sender: Sender;
    /** Channels the tenant may use; ALL_CHANNELS when the overlay does not restrict them. */
    readonly channels: number;
    readonly enabled: number;
  };
  /** Info findings about the overlay (clamped or ignored settings), repeated on every decision. */
  readonly adjustments: readonly Finding[];
  /** What each rule family derives per channel, filled lazily (see `perChannel`). */
  readonly derived: Readonly<Record<DerivedFamily, unknown[]>>;
}

export type DerivedFamily = 'calendar' | 'frequency' | 'gates';

/**
 * Per-channel data a rule family derives from the compiled policy (rules that apply to the
 * channel, combined windows, fixed gates), computed on first use and kept with the policy.
 * Indexed by channel bit, so a decision reads it with one array load.
 */
export function perChannel<T>(policy: CompiledPolicy, family: DerivedFamily, bit: number, make: () => T): T {
  const slots = policy.derived[family];
  let v = slots[bit] as T | undefined;
  if (v === undefined) slots[bit] = v = make();
  return v;
}
