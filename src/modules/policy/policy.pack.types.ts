import { z } from 'zod';
import {
  Channel, HOLD_KINDS, HoldKind, Outcome, Purpose, Sender, TimeZone, Weekday, WeekWindows,
} from './policy.vocabulary.ts';

/**
 * Policy packs are data: one JSON file per jurisdiction in `packs/`, validated here when loaded.
 * A rule names its legal basis and citation; `verified: false` marks a rule COMPLIANCE.md calls
 * unverified — shipped with the stated default and configurable by a tenant overlay in both
 * directions, while verified rules can only be made stricter.
 */

const RuleId = z.string().regex(/^[a-z0-9]+(?:[.-][a-z0-9]+)+$/, 'rule ids look like "us.calls.7-in-7"');

const RuleBase = {
  id: RuleId,
  title: z.string().min(1),
  citation: z.string().min(1),
  /** law: statute or regulation; benchmark: a legal standard applied by analogy; provider: a
   *  channel provider's terms (they bind like law: breaking them loses the channel); baseline:
   *  Tacto's own conservative default where the law is silent. */
  basis: z.enum(['law', 'benchmark', 'provider', 'baseline']),
  verified: z.boolean(),
  note: z.string().optional(),
};

const Channels = z.array(Channel).min(1);

export const HoursRule = z.object({
  ...RuleBase,
  kind: z.literal('hours'),
  channels: Channels,
  windows: WeekWindows,
  /** Whether the `to` instant itself is allowed (US: 21:00 is allowed; PE: 20:00 is not). */
  endInclusive: z.boolean(),
});
export const HolidaysRule = z.object({ ...RuleBase, kind: z.literal('holidays'), channels: Channels });
export const LocationRule = z.object({
  ...RuleBase,
  kind: z.literal('location'),
  /** Zones intersected when the debtor's zone is unknown: the conservative default. */
  fallbackTimezones: z.array(TimeZone).min(1),
});
export const DesignationsRule = z.object({
  ...RuleBase,
  kind: z.literal('designations'),
  /** One reply on the same channel to a contact the debtor started in a designated time/place. */
  replyOnce: z.boolean(),
});
export const CeaseRule = z.object({
  ...RuleBase,
  kind: z.literal('cease'),
  noticePurposes: z.array(Purpose),
  noticeChannels: z.array(Channel),
});
export const OptOutRule = z.object({ ...RuleBase, kind: z.literal('opt_out'), confirmations: z.int().min(0).max(1) });
export const HoldRule = z.object({
  ...RuleBase,
  kind: z.literal('hold'),
  hold: HoldKind,
  allowedPurposes: z.array(Purpose),
  allowedChannels: z.array(Channel),
});
export const ChannelProhibitedRule = z.object({ ...RuleBase, kind: z.literal('channel_prohibited'), channels: Channels });
export const ConsentRequiredRule = z.object({ ...RuleBase, kind: z.literal('consent_required'), channels: Channels });
export const SenderChannelRule = z.object({
  ...RuleBase,
  kind: z.literal('sender_channel'),
  channels: Channels,
  allowedSenders: z.array(Sender),
});
export const ChannelEnablementRule = z.object({ ...RuleBase, kind: z.literal('channel_enablement'), channels: Channels });
export const ServiceWindowRule = z.object({
  ...RuleBase,
  kind: z.literal('service_window'),
  channels: Channels,
  hours: z.int().min(1).max(168),
});
export const CallConsentWindowRule = z.object({
  ...RuleBase,
  kind: z.literal('call_consent_window'),
  /** Longest window a debtor's direct consent can open, in consecutive local days. */
  maxDays: z.int().min(1).max(31),
});
export const CapRule = z.object({
  ...RuleBase,
  kind: z.literal('cap'),
  channels: Channels,
  max: z.int().min(0).max(1000),
  windowDays: z.int().min(1).max(31),
  /** Minimum difference between the local dates of two counted contacts (2: Mon then Wed). */
  minDayGap: z.int().min(0).max(31).default(0),
  period: z.enum(['rolling', 'calendar_week']),
  weekStart: Weekday.default('MON'),
  scope: z.enum(['debt', 'debtor']),
  countedOutcomes: z.array(Outcome),
  /** Count contacts whose outcome is not known yet (conservative). */
  countUnknownOutcome: z.boolean().default(true),
  consentWindowsExempt: z.boolean().default(false),
  code: z.enum(['FREQUENCY.CALLS_7_IN_7_DAYS', 'FREQUENCY.CAP_EXCEEDED']).default('FREQUENCY.CAP_EXCEEDED'),
});
export const AfterConversationRule = z.object({
  ...RuleBase,
  kind: z.literal('after_conversation'),
  channels: Channels,
  /** Days blocked counting the conversation's local date as day 1. */
  days: z.int().min(1).max(31),
  consentWindowsExempt: z.boolean(),
});
export const AfterDirectContactRule = z.object({
  ...RuleBase,
  kind: z.literal('after_direct_contact'),
  channels: Channels,
  directContact: z.enum(['every_attempt', 'reached', 'conversation']),
  weekStart: Weekday,
});
export const PreferencesRule = z.object({ ...RuleBase, kind: z.literal('preferences') });
export const VulnerabilityRule = z.object({ ...RuleBase, kind: z.literal('vulnerability') });

export const PackRule = z.discriminatedUnion('kind', [
  HoursRule, HolidaysRule, LocationRule, DesignationsRule, CeaseRule, OptOutRule, HoldRule, ChannelProhibitedRule,
  ConsentRequiredRule, SenderChannelRule, ChannelEnablementRule, ServiceWindowRule, CallConsentWindowRule, CapRule,
  AfterConversationRule, AfterDirectContactRule, PreferencesRule, VulnerabilityRule,
]);
export type PackRule = z.infer<typeof PackRule>;
export type RuleOfKind<K extends PackRule['kind']> = Extract<PackRule, { kind: K }>;

const REQUIRED_KINDS = ['location', 'designations', 'cease', 'opt_out', 'preferences', 'vulnerability'] as const;

export const PolicyPack = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    version: z.string().regex(/^\d+\.\d+\.\d+$/, 'semantic version'),
    jurisdiction: z.string().regex(/^[A-Z]{2}$/),
    name: z.string().min(1),
    publishedAt: z.iso.date(),
    /** Country code for public holidays (date-holidays); the debtor's country/region overrides it. */
    holidayCountry: z.string().regex(/^[A-Z]{2}$/),
    citations: z.array(z.object({ source: z.string().min(1), url: z.url().optional() })).min(1),
    rules: z.array(PackRule).min(1),
  })
  .superRefine((pack, ctx) => {
    const seen = new Set<string>();
    pack.rules.forEach((r, i) => {
      if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id ${r.id}` });
      seen.add(r.id);
    });
    for (const kind of REQUIRED_KINDS) {
      const n = pack.rules.filter((r) => r.kind === kind).length;
      if (n !== 1) ctx.addIssue({ code: 'custom', path: ['rules'], message: `exactly one "${kind}" rule expected, found ${n}` });
    }
    if (pack.rules.filter((r) => r.kind === 'call_consent_window').length > 1) {
      ctx.addIssue({ code: 'custom', path: ['rules'], message: 'at most one "call_consent_window" rule' });
    }
    for (const hold of HOLD_KINDS) {
      if (!pack.rules.some((r) => r.kind === 'hold' && r.hold === hold)) {
        ctx.addIssue({ code: 'custom', path: ['rules'], message: `no rule for hold "${hold}"` });
      }
    }
    if (pack.rules.some((r) => (r.kind === 'cap' || r.kind === 'after_conversation') && r.consentWindowsExempt)
      && !pack.rules.some((r) => r.kind === 'call_consent_window')) {
      ctx.addIssue({ code: 'custom', path: ['rules'], message: 'consentWindowsExempt needs a call_consent_window rule' });
    }
  });
export type PolicyPack = z.infer<typeof PolicyPack>;
export type PolicyPackInput = z.input<typeof PolicyPack>;

/**
 * Settings a tenant may apply to a pack rule by id. On a verified rule each setting is merged
 * towards the stricter value (and the decision says when a request was clamped); on an
 * unverified rule it replaces the default, which is what "configurable" means in COMPLIANCE.md.
 */
export const RuleSettings = z.object({
  enabled: z.boolean().optional(),
  windows: WeekWindows.optional(),
  max: z.int().min(0).max(1000).optional(),
  windowDays: z.int().min(1).max(31).optional(),
  minDayGap: z.int().min(0).max(31).optional(),
  countedOutcomes: z.array(Outcome).optional(),
  days: z.int().min(1).max(31).optional(),
  directContact: z.enum(['every_attempt', 'reached', 'conversation']).optional(),
  weekStart: Weekday.optional(),
});
export type RuleSettings = z.infer<typeof RuleSettings>;

/**
 * A tenant's overlay on the pack of a jurisdiction. Everything here can only narrow: extra hour
 * windows are intersected, channel lists are allow-lists, caps are added. Settings on pack
 * rules are clamped as described on `RuleSettings`.
 */
export const TenantOverlay = z.object({
  id: z.string().min(1).nullish(),
  version: z.string().min(1).nullish(),
  /** First-party creditor or third-party agency; unknown means agency (the stricter case). */
  sender: Sender.nullish(),
  /** Channels this tenant may use at all. */
  channels: z.array(Channel).nullish(),
  /** Channels a provider restricts and this tenant has been cleared for (e.g. WhatsApp). */
  enabledChannels: z.array(Channel).nullish(),
  hours: z.array(z.object({ channels: z.array(Channel).nullish(), windows: WeekWindows })).nullish(),
  /** Close public holidays for these channels (all when `channels` is absent). */
  holidays: z.object({ channels: z.array(Channel).nullish() }).nullish(),
  caps: z
    .array(z.object({
      channels: Channels,
      max: z.int().min(0).max(1000),
      days: z.int().min(1).max(31),
      minDayGap: z.int().min(0).max(31).nullish(),
      scope: z.enum(['debt', 'debtor']).nullish(),
    }))
    .nullish(),
  rules: z.record(z.string(), RuleSettings).nullish(),
});
export type TenantOverlay = z.infer<typeof TenantOverlay>;
