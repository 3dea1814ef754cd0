import { z } from 'zod';
import { ExpressionSchema } from './journeys.expression.domain.ts';
import { CHANNELS } from './journeys.facts.types.ts';

/**
 * The shapes of a journey's steps and exit conditions (docs/journeys.md, "Journeys"). Graph
 * rules — targets exist, every step reachable, no cycle without a wait — are checked in
 * journeys.graph.domain.ts over these shapes.
 */

export const StepId = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, _ and -; up to 63 characters');
export const JourneyId = StepId;

/** Same spelling rule as messaging's template purposes, so a purpose is a template id as well. */
export const PurposeRef = z.string().regex(/^[a-z][a-z0-9_]{2,60}$/, 'lower-case letters, digits and _');

export const Channel = z.enum(CHANNELS);
export const Localised3 = z.strictObject({ es: z.string().min(1).max(120), en: z.string().min(1).max(120), pt: z.string().min(1).max(120) });

/**
 * When a message step moves to the next channel in its list. A channel the debtor has no
 * address for, opted out of, or that policy does not allow is never used; the flags only decide
 * whether the step falls back to the next channel (true) or gives up and moves on (false).
 */
export const Fallback = z.strictObject({
  /** No delivery receipt (or a failure) this many hours after the send. Absent: no receipts awaited. */
  notDeliveredWithinHours: z.number().positive().max(168).optional(),
  onUnavailable: z.boolean().default(true),
  onOptedOut: z.boolean().default(true),
  onPolicyBlocked: z.boolean().default(true),
});
export type Fallback = z.infer<typeof Fallback>;

const base = {
  id: StepId,
  /** The step that follows; absent means the next one in the list. */
  next: StepId.optional(),
  /** A note for the people who read the journey and for `tacto explain`. */
  note: z.string().max(300).optional(),
};

const send = {
  ...base,
  /** Template purpose (messaging's starter library or the tenant's own). */
  purpose: PurposeRef,
  /** A specific template id when the tenant keeps several for one purpose; defaults to the purpose. */
  template: PurposeRef.optional(),
  /** Preference order: the first usable channel is tried first. */
  channels: z.array(Channel).min(1).max(CHANNELS.length).refine((cs) => new Set(cs).size === cs.length, 'a channel is listed twice'),
  fallback: Fallback.default({ onUnavailable: true, onOptedOut: true, onPolicyBlocked: true }),
};

export const MessageStep = z.strictObject({ ...send, type: z.literal('message') });

/** A message sent `daysBeforeDue` days before the next instalment; skipped once it is overdue. */
export const PreDueStep = z.strictObject({ ...send, type: z.literal('pre_due'), daysBeforeDue: z.int().min(0).max(30) });

export const OFFER_KINDS = ['pay_in_full', 'settlement', 'plan', 'pause', 'promise'] as const;
/** Sends the debtor's current offers (the offers module computes them) with the portal link. */
export const OfferStep = z.strictObject({ ...send, type: z.literal('offer'), offers: z.array(z.enum(OFFER_KINDS)).min(1) });

/** Sends one lesson of the education library (referenced by id) in the debtor's language. */
export const LessonStep = z.strictObject({ ...send, type: z.literal('lesson'), lesson: z.string().regex(/^[a-z0-9][a-z0-9_-]{1,80}$/) });

export const AgentTaskStep = z.strictObject({
  ...base,
  type: z.literal('agent_task'),
  task: z.enum(['call', 'review']),
  queue: z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/),
  /** 1 is the most urgent; the agent worklist sorts by it. */
  priority: z.int().min(1).max(9),
  purpose: PurposeRef.default('agent_follow_up'),
});

/**
 * Waits measure from the moment the step is entered. `untilDaysPastDue` waits for the account's
 * DPD instead, which keeps day-anchored journeys ("second reminder on day 5") on schedule when a
 * run is missed; it is not a wait for the purpose of breaking cycles (DPD may never move).
 */
export const WaitStep = z
  .strictObject({
    ...base,
    type: z.literal('wait'),
    days: z.number().positive().max(365).optional(),
    hours: z.number().positive().max(24 * 365).optional(),
    untilDaysPastDue: z.int().min(0).max(3650).optional(),
  })
  .refine((w) => [w.days, w.hours, w.untilDaysPastDue].filter((x) => x !== undefined).length === 1, {
    message: 'a wait has exactly one of days, hours or untilDaysPastDue',
  });

export const BRANCH_OUTCOMES = ['delivered', 'read', 'replied', 'clicked', 'paid', 'promised', 'failed', 'no_response'] as const;
export type BranchOutcome = (typeof BRANCH_OUTCOMES)[number];

export const BranchCase = z.union([
  z.strictObject({ when: ExpressionSchema, next: StepId }),
  z.strictObject({ outcome: z.union([z.enum(BRANCH_OUTCOMES), z.array(z.enum(BRANCH_OUTCOMES)).min(1)]), next: StepId }),
]);

/** First matching case wins; conditions read the facts, outcomes the journey's last contact. */
export const BranchStep = z.strictObject({
  id: StepId,
  type: z.literal('branch'),
  cases: z.array(BranchCase).min(1),
  otherwise: StepId,
  note: base.note,
});

export const EndStep = z.strictObject({ id: StepId, type: z.literal('end'), note: base.note });

export const Step = z.discriminatedUnion('type', [
  PreDueStep, MessageStep, OfferStep, LessonStep, AgentTaskStep, WaitStep, BranchStep, EndStep,
]);
export type Step = z.infer<typeof Step>;
export type SendStep = Extract<Step, { channels: unknown }>;

export const EXIT_KINDS = [
  'paid', 'plan_agreed', 'promise_active', 'dispute', 'opted_out_all', 'hold', 'vulnerable', 'condition',
] as const;
export type ExitKind = (typeof EXIT_KINDS)[number];

/**
 * Checked before any step, on every advance. `exit` ends the journey; `pause` holds it at its
 * step, sending nothing, while the condition lasts (the step's clock restarts on resume).
 */
export const ExitCondition = z
  .strictObject({ on: z.enum(EXIT_KINDS), when: ExpressionSchema.optional(), then: z.enum(['exit', 'pause']) })
  .refine((e) => (e.on === 'condition') === (e.when !== undefined), {
    message: '"when" is required with on: "condition" and only there', path: ['when'],
  });
export type ExitCondition = z.infer<typeof ExitCondition>;
