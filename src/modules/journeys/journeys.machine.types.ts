import { z } from 'zod';
import { CHANNELS } from './journeys.facts.types.ts';
import type { Channel } from './journeys.facts.types.ts';
import type { ExplanationLine } from './journeys.explain.domain.ts';

/** The data the step machine reads and writes (docs/journeys.md, "The step machine"). */

/**
 * What happened since the last advance. Contact outcomes (`delivered`, `read`, `failed`) are
 * matched to the journey's last contact by channel; `replied`, `clicked`, `paid` and `promised`
 * count whatever channel they came by. The rest feed the exit conditions.
 */
export const JOURNEY_EVENT_TYPES = [
  'delivered', 'read', 'failed', 'replied', 'clicked', 'paid', 'promised', 'plan_agreed', 'opted_out', 'dispute', 'hold',
] as const;
export type JourneyEventType = (typeof JOURNEY_EVENT_TYPES)[number];

export const JourneyEvent = z.strictObject({
  type: z.enum(JOURNEY_EVENT_TYPES),
  at: z.iso.datetime({ offset: true }),
  channel: z.enum(CHANNELS).optional(),
});
export type JourneyEvent = z.infer<typeof JourneyEvent>;

export type ActionKind = 'message' | 'offer' | 'lesson' | 'agent_task';

/** Outcomes remembered on the last action, read by outcome branches. */
export type RecordedOutcome = 'delivered' | 'read' | 'failed' | 'replied' | 'clicked' | 'paid' | 'promised';

export interface LastAction {
  readonly stepId: string;
  readonly kind: ActionKind;
  readonly channel: Channel | null;
  /** When the action was decided (its `notBefore` is when it may go). */
  readonly at: string;
  readonly attempt: number;
  /** Channels tried at this step so far, in order. */
  readonly tried: readonly Channel[];
  readonly outcomes: readonly RecordedOutcome[];
}

export type JourneyStatus = 'active' | 'paused' | 'exited' | 'completed';

export interface JourneyState {
  readonly journeyId: string;
  readonly version: number;
  readonly stepId: string;
  readonly enteredStepAt: string;
  /** Sends made at the current step (1 after the first channel, 2 after one fallback…). */
  readonly attempts: number;
  readonly lastAction: LastAction | null;
  readonly status: JourneyStatus;
  /** The exit or pause condition (its `on`) that set the status. */
  readonly statusReason: string | null;
}

export interface JourneyAction {
  readonly kind: ActionKind;
  readonly purpose: string;
  /** null for a review task, which is not a contact. */
  readonly channel: Channel | null;
  readonly templateRef: string | null;
  readonly debtId: string;
  /** The earliest instant it may go; the send-time choice picks the moment from here. */
  readonly notBefore: string;
  readonly journeyId: string;
  readonly journeyVersion: number;
  readonly stepId: string;
  readonly attempt: number;
  /**
   * Same decision, same key: a re-run of the same day or a restart after a crash produces the
   * key again, and the unique index on scheduled contacts absorbs it.
   */
  readonly idempotencyKey: string;
  readonly lessonRef?: string;
  readonly offers?: readonly string[];
  readonly task?: { readonly type: 'call' | 'review'; readonly queue: string; readonly priority: number };
}

export interface Explanation {
  readonly journeyId: string;
  readonly version: number;
  readonly stepId: string;
  readonly status: JourneyStatus;
  readonly lines: readonly ExplanationLine[];
}

export interface AdvanceResult {
  readonly state: JourneyState;
  readonly action: JourneyAction | null;
  readonly explanation: Explanation;
}

/** The policy's answer for one channel, as the daily run learns it from `allowedWindows`. */
export interface ChannelVerdict { readonly allowed: boolean; readonly detail?: string }

export interface AdvanceSubject {
  readonly debtId: string;
  /**
   * Asked lazily, only for channels a step wants to use: is this channel allowed for this debt
   * within the run's horizon (a non-empty `allowedWindows`)? Absent: every channel is allowed.
   */
  readonly channelAllowed?: (channel: Channel) => ChannelVerdict;
}
