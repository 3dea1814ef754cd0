import { line } from './journeys.explain.domain.ts';
import type { ExplanationLine } from './journeys.explain.domain.ts';
import { firstExit, reachableChannels } from './journeys.exits.domain.ts';
import type { AccountFacts, Channel } from './journeys.facts.types.ts';
import { compileJourney } from './journeys.journey.domain.ts';
import type { CompiledJourney, Journey } from './journeys.journey.domain.ts';
import type {
  ActionKind, AdvanceResult, AdvanceSubject, JourneyAction, JourneyEvent, JourneyState, LastAction, RecordedOutcome,
} from './journeys.machine.types.ts';
import type { BranchOutcome, SendStep, Step } from './journeys.steps.domain.ts';

/**
 * The step machine. `advance` is pure: the same journey, state, facts, events and `now` give
 * the same result, which is what makes the daily run restartable and `tacto explain` honest.
 *
 * Rules, in order (docs/journeys.md):
 *  1. Events since the last advance are folded into the last action's outcomes.
 *  2. Exit conditions apply first: an `exit` ends the journey, a `pause` holds it at its step.
 *  3. Steps then run until one produces an action or has to wait. At most one action per call.
 *  4. A send step stays current after sending until the contact is known delivered (then moves
 *     on), failed or unconfirmed past its deadline (then falls back to the next channel), or —
 *     when no receipt is awaited — until the next advance.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// A daily run advances a million accounts at one instant: the last conversion is remembered
// (formatting and parsing dates dominated the machine's own cost).
let lastParsed = '';
let lastParsedMs = 0;
const toMs = (t: Date | string): number => {
  if (typeof t !== 'string') return t.getTime();
  if (t !== lastParsed) {
    lastParsedMs = Date.parse(t);
    lastParsed = t;
  }
  return lastParsedMs;
};
let lastIsoMs = Number.NaN;
let lastIso = '';
const iso = (ms: number): string => {
  if (ms !== lastIsoMs) {
    lastIso = new Date(ms).toISOString();
    lastIsoMs = ms;
  }
  return lastIso;
};

/** Outcomes that show the contact reached the debtor. */
const REACHED: readonly RecordedOutcome[] = ['delivered', 'read', 'replied', 'clicked', 'paid', 'promised'];
/** Outcomes that count as a response for `no_response`. */
const RESPONSES: readonly RecordedOutcome[] = ['replied', 'clicked', 'paid', 'promised'];
const CHANNEL_BOUND = new Set(['delivered', 'read', 'failed']);

/** Adds the events that concern the last contact to its outcomes (rule 1). */
function foldEvents(last: LastAction | null, events: readonly JourneyEvent[]): LastAction | null {
  if (!last) return last;
  const since = Date.parse(last.at);
  let outcomes: RecordedOutcome[] | null = null;
  for (const e of events) {
    if (Date.parse(e.at) < since) continue;
    if (!(CHANNEL_BOUND.has(e.type) || RESPONSES.includes(e.type as RecordedOutcome))) continue;
    if (CHANNEL_BOUND.has(e.type) && e.channel !== undefined && e.channel !== last.channel) continue;
    const o = e.type as RecordedOutcome;
    if (!(outcomes ?? last.outcomes).includes(o)) (outcomes ??= [...last.outcomes]).push(o);
  }
  return outcomes ? { ...last, outcomes } : last;
}

function outcomeHolds(wanted: BranchOutcome, last: LastAction | null): boolean {
  const got = last?.outcomes ?? [];
  if (wanted === 'no_response') return !got.some((o) => RESPONSES.includes(o));
  return got.includes(wanted);
}

const KIND: Record<SendStep['type'], ActionKind> = { pre_due: 'message', message: 'message', offer: 'offer', lesson: 'lesson' };

interface Run {
  readonly c: CompiledJourney;
  readonly facts: AccountFacts;
  readonly events: readonly JourneyEvent[];
  readonly now: number;
  readonly subject: AdvanceSubject;
  readonly lines: ExplanationLine[];
  state: JourneyState;
}

const finish = (r: Run, action: JourneyAction | null): AdvanceResult => ({
  state: r.state,
  action,
  explanation: {
    journeyId: r.state.journeyId, version: r.state.version, stepId: r.state.stepId, status: r.state.status, lines: r.lines,
  },
});

function moveTo(r: Run, stepId: string): void {
  r.state = { ...r.state, stepId, enteredStepAt: iso(r.now), attempts: 0 };
}

/** The initial state of an account entering a journey at `now`. */
export function startState(journey: Journey, now: Date | string): JourneyState {
  const first = journey.steps[0];
  if (!first) throw new Error(`journey ${journey.id} has no steps`);
  return {
    journeyId: journey.id, version: journey.version, stepId: first.id, enteredStepAt: iso(toMs(now)),
    attempts: 0, lastAction: null, status: 'active', statusReason: null,
  };
}

/**
 * Advances one account's journey: returns the new state, at most one action and the
 * explanation. `state` null starts the journey. The journey must have passed `Journey` validation.
 */
export function advance(
  journey: Journey,
  state: JourneyState | null,
  facts: AccountFacts,
  events: readonly JourneyEvent[],
  now: Date | string,
  subject: AdvanceSubject,
): AdvanceResult {
  const c = compileJourney(journey);
  const r: Run = { c, facts, events, now: toMs(now), subject, lines: [], state: state ?? startState(journey, now) };
  if (!state) r.lines.push(line('JOURNEY.STARTED', { journey: journey.id, version: journey.version, step: r.state.stepId }));
  else if (state.journeyId !== journey.id) throw new Error(`state is for journey ${state.journeyId}, not ${journey.id}`);

  if (r.state.status === 'exited' || r.state.status === 'completed') {
    r.lines.push(line('JOURNEY.FINISHED', { status: r.state.status }));
    return finish(r, null);
  }
  if (r.state.version !== journey.version) migrate(r);
  r.state = { ...r.state, lastAction: foldEvents(r.state.lastAction, events) };

  const hit = firstExit(c, facts, events);
  if (hit) {
    const status = hit.exit.then === 'exit' ? 'exited' : 'paused';
    r.state = { ...r.state, status, statusReason: hit.exit.on };
    r.lines.push(line(status === 'exited' ? 'EXIT.EXITED' : 'EXIT.PAUSED', { on: hit.exit.on }));
    return finish(r, null);
  }
  if (r.state.status === 'paused') {
    // Resuming restarts the step's clock: a wait interrupted by a pause is waited in full again,
    // so nobody is contacted the moment a hold lifts.
    r.state = { ...r.state, status: 'active', statusReason: null, enteredStepAt: iso(r.now) };
    r.lines.push(line('EXIT.RESUMED', { step: r.state.stepId }));
  }

  // Validation guarantees every cycle holds a timed wait, which cannot elapse within one call;
  // the bound is a guard against a journey that skipped validation.
  for (let guard = 0; guard < journey.steps.length * 4 + 8; guard++) {
    const step = c.stepAt.get(r.state.stepId);
    if (!step) throw new Error(`journey ${journey.id} v${journey.version} has no step ${r.state.stepId}`);
    const outcome = runStep(r, step);
    if (outcome !== 'continue') return finish(r, outcome);
  }
  throw new Error(`journey ${journey.id}: no decision after ${journey.steps.length * 4 + 8} transitions (unvalidated cycle?)`);
}

/** Continues a state recorded under another version at the same step id, or restarts. */
function migrate(r: Run): void {
  const { journey } = r.c;
  const from = r.state.version;
  if (r.c.stepAt.has(r.state.stepId)) {
    r.lines.push(line('JOURNEY.VERSION_CHANGED', { from, to: journey.version, step: r.state.stepId }));
    r.state = { ...r.state, version: journey.version };
  } else {
    r.lines.push(line('JOURNEY.VERSION_RESTARTED', { from, to: journey.version, step: r.state.stepId }));
    r.state = { ...startState(journey, iso(r.now)), lastAction: r.state.lastAction };
  }
}

/** Runs the current step: an action or null ends this advance, 'continue' moves on. */
function runStep(r: Run, step: Step): JourneyAction | null | 'continue' {
  const next = r.c.nextOf.get(step.id) as string;
  switch (step.type) {
    case 'end':
      r.state = { ...r.state, status: 'completed', statusReason: null };
      r.lines.push(line('JOURNEY.COMPLETED', { step: step.id }));
      return null;
    case 'wait': {
      if (step.untilDaysPastDue !== undefined) {
        if (r.facts.daysPastDue < step.untilDaysPastDue) {
          r.lines.push(line('WAIT.DPD_PENDING', { step: step.id, target: step.untilDaysPastDue, dpd: r.facts.daysPastDue }));
          return null;
        }
      } else {
        const until = Date.parse(r.state.enteredStepAt) + (step.days ?? 0) * DAY + (step.hours ?? 0) * HOUR;
        if (r.now < until) {
          r.lines.push(line('WAIT.PENDING', { step: step.id, until: iso(until) }));
          return null;
        }
      }
      r.lines.push(line('WAIT.DONE', { step: step.id }));
      moveTo(r, next);
      return 'continue';
    }
    case 'branch': {
      const tests = r.c.branchTests.get(step.id) ?? [];
      for (let i = 0; i < step.cases.length; i++) {
        const kase = step.cases[i] as (typeof step.cases)[number];
        const test = tests[i];
        const ok = 'when' in kase
          ? (test ? test(r.facts) : false)
          : (Array.isArray(kase.outcome) ? kase.outcome : [kase.outcome]).some((o) => outcomeHolds(o, r.state.lastAction));
        if (ok) {
          const what = 'when' in kase ? 'condition' : `outcome ${[kase.outcome].flat().join('|')}`;
          r.lines.push(line('BRANCH.TAKEN', { step: step.id, case: i, test: what, next: kase.next }));
          moveTo(r, kase.next);
          return 'continue';
        }
      }
      r.lines.push(line('BRANCH.OTHERWISE', { step: step.id, next: step.otherwise }));
      moveTo(r, step.otherwise);
      return 'continue';
    }
    case 'agent_task': {
      const action = makeAction(r, step.id, 'agent_task', step.purpose, step.task === 'call' ? 'call' : null, null, 1, {
        task: { type: step.task, queue: step.queue, priority: step.priority },
      });
      r.lines.push(line('AGENT.TASK', { step: step.id, task: step.task, queue: step.queue, priority: step.priority }));
      r.state = { ...r.state, lastAction: lastActionOf(action, r.now, []) };
      moveTo(r, next);
      return action;
    }
    default:
      return runSend(r, step, next);
  }
}

function runSend(r: Run, step: SendStep, next: string): JourneyAction | null | 'continue' {
  const last = r.state.lastAction;
  const awaiting = r.state.attempts > 0 && last !== null && last.stepId === step.id;
  if (awaiting) {
    const reached = REACHED.find((o) => last.outcomes.includes(o));
    if (reached) {
      r.lines.push(line('SEND.DELIVERED', { step: step.id, channel: last.channel ?? '-', outcome: reached, next }));
      moveTo(r, next);
      return 'continue';
    }
    const hours = step.fallback.notDeliveredWithinHours;
    if (!last.outcomes.includes('failed')) {
      if (hours === undefined) {
        r.lines.push(line('SEND.SENT', { step: step.id, channel: last.channel ?? '-', next }));
        moveTo(r, next);
        return 'continue';
      }
      const until = Date.parse(last.at) + hours * HOUR;
      if (r.now < until) {
        r.lines.push(line('SEND.AWAITING_RECEIPT', { channel: last.channel ?? '-', until: iso(until) }));
        return null;
      }
    }
    r.lines.push(line('SEND.FALLBACK', { channel: last.channel ?? '-', why: last.outcomes.includes('failed') ? 'failed' : 'timeout', hours: hours ?? 0 }));
    return send(r, step, next, last.tried);
  }
  if (step.type === 'pre_due') {
    const { daysToDue, daysPastDue } = r.facts;
    if (daysPastDue > 0 || daysToDue === null || daysToDue < 0) {
      r.lines.push(line('PRE_DUE.SKIPPED', { step: step.id, why: daysPastDue > 0 || (daysToDue ?? 0) < 0 ? 'overdue' : 'no instalment due' }));
      moveTo(r, next);
      return 'continue';
    }
    if (daysToDue > step.daysBeforeDue) {
      r.lines.push(line('PRE_DUE.PENDING', { step: step.id, daysBeforeDue: step.daysBeforeDue, daysToDue }));
      return null;
    }
  }
  return send(r, step, next, []);
}

/** Picks the first usable channel not yet tried at this step, and emits the send. */
function send(r: Run, step: SendStep, next: string, tried: readonly Channel[]): JourneyAction | 'continue' {
  const reachable = reachableChannels(r.facts, r.events);
  for (const channel of step.channels) {
    if (tried.includes(channel)) continue;
    let reason: 'unavailable' | 'opted_out' | 'policy' | null = null;
    let detail: string | undefined;
    if (!r.facts.channelsAvailable.includes(channel)) reason = 'unavailable';
    else if (!reachable.includes(channel)) reason = 'opted_out';
    else {
      const verdict = r.subject.channelAllowed?.(channel);
      if (verdict && !verdict.allowed) { reason = 'policy'; detail = verdict.detail; }
    }
    if (reason === null) {
      const attempt = r.state.attempts + 1;
      const kind = KIND[step.type];
      const action = makeAction(r, step.id, kind, step.purpose, channel, step.template ?? step.purpose, attempt, {
        ...(step.type === 'lesson' ? { lessonRef: step.lesson } : {}),
        ...(step.type === 'offer' ? { offers: step.offers } : {}),
      });
      r.lines.push(line('SEND.CHOSEN', { step: step.id, kind, purpose: step.purpose, channel, attempt }));
      r.state = { ...r.state, attempts: attempt, lastAction: lastActionOf(action, r.now, [...tried, channel]) };
      return action;
    }
    r.lines.push(line('CHANNEL.SKIPPED', detail === undefined ? { channel, reason } : { channel, reason, detail }));
    const fallsBack = reason === 'unavailable' ? step.fallback.onUnavailable
      : reason === 'opted_out' ? step.fallback.onOptedOut : step.fallback.onPolicyBlocked;
    if (!fallsBack) break;
  }
  r.lines.push(line('SEND.NO_CHANNEL', { step: step.id, next }));
  moveTo(r, next);
  return 'continue';
}

function makeAction(
  r: Run, stepId: string, kind: ActionKind, purpose: string, channel: Channel | null, templateRef: string | null,
  attempt: number, extra: Partial<Pick<JourneyAction, 'lessonRef' | 'offers' | 'task'>>,
): JourneyAction {
  const { journeyId, version, enteredStepAt } = r.state;
  return {
    kind, purpose, channel, templateRef, debtId: r.subject.debtId, notBefore: iso(r.now),
    journeyId, journeyVersion: version, stepId, attempt,
    // enteredStepAt tells apart two visits of one step (a loop); attempt tells apart fallbacks.
    idempotencyKey: `${r.subject.debtId}:${journeyId}:${version}:${stepId}:${enteredStepAt}:${attempt}`,
    ...extra,
  };
}

const lastActionOf = (a: JourneyAction, now: number, tried: readonly Channel[]): LastAction => ({
  stepId: a.stepId, kind: a.kind, channel: a.channel, at: iso(now), attempt: a.attempt, tried, outcomes: [],
});
