/**
 * Strategies and journeys (issue 4, capability 5): the pure core. Segments as rules over account
 * facts, journeys as versioned data, the step machine, the send-time choice and
 * champion/challenger assignment. The daily run (I/O) builds on these. See docs/journeys.md.
 */
export {
  FACTS, FACT_NAMES, CHANNELS, LANGUAGES, HOLD_KINDS, REASONS_FOR_ARREARS, PROMISE_STATES, PLAN_STATES, CONTACT_OUTCOMES,
} from './journeys.facts.types.ts';
export type { AccountFacts, FactName, FactKind, FactSpec, Channel, Language, ReasonForArrears } from './journeys.facts.types.ts';

export { OPERATORS, ExpressionSchema, compileExpression, formatPath, describeIssues } from './journeys.expression.domain.ts';
export type { Expression, Condition, Operator, Predicate } from './journeys.expression.domain.ts';

export { Segment, Segments, compileSegments } from './journeys.segments.domain.ts';
export type { SegmentMatcher } from './journeys.segments.domain.ts';

export {
  Step, ExitCondition, Fallback, EXIT_KINDS, BRANCH_OUTCOMES, OFFER_KINDS,
} from './journeys.steps.domain.ts';
export type { ExitKind, BranchOutcome, SendStep } from './journeys.steps.domain.ts';
export { Journey, compileJourney } from './journeys.journey.domain.ts';
export type { CompiledJourney } from './journeys.journey.domain.ts';

export { advance, startState } from './journeys.machine.domain.ts';
export { JourneyEvent, JOURNEY_EVENT_TYPES } from './journeys.machine.types.ts';
export type {
  JourneyState, JourneyStatus, LastAction, JourneyAction, ActionKind, AdvanceResult, AdvanceSubject, ChannelVerdict,
  Explanation, JourneyEventType, RecordedOutcome,
} from './journeys.machine.types.ts';
export { EXPLAIN_CODES } from './journeys.explain.domain.ts';
export type { ExplanationLine, ExplainCode } from './journeys.explain.domain.ts';

export { chooseSendTime, WEEKDAYS } from './journeys.sendtime.domain.ts';
export type { SendTime, SendTimeReason, SendWindow, SendPreferences, SendTimeOptions, Weekday } from './journeys.sendtime.domain.ts';

export { Strategy, Arm, allocateArm, compileStrategies, parseStrategy } from './journeys.strategy.domain.ts';
export type { Assignment, Assigner } from './journeys.strategy.domain.ts';
export { hash32, unitHash } from './journeys.hash.domain.ts';

export { loadStrategies, BUILT_IN_STRATEGY_DIR } from './journeys.library.ts';

// The daily run over the database, explain, strategies storage and event-driven cancellation.
export {
  createJourneysService, toRunSummary, toScheduledContact, DEFAULT_BATCH_SIZE, CANCELLING_EVENT_TYPES, REPORTED_EVENT_TYPES,
} from './journeys.service.ts';
export type { JourneysService, JourneysDeps, RunDailyOptions, RunSummary, RunProgress, ReportedEventType } from './journeys.service.ts';
export { decideAccount, POLICY_HORIZON_DAYS, HISTORY_DAYS } from './journeys.decide.ts';
export type { Decision, RunContext, AccountInput, StateRow, ContactDraft } from './journeys.decide.ts';
export { journeysRoutes } from './journeys.routes.ts';
export { JOURNEY_JOBS, registerJourneyJobs, type JourneyJobsOptions } from './journeys.jobs.ts';
