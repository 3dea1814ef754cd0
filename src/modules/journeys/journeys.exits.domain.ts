import type { CompiledJourney } from './journeys.journey.domain.ts';
import type { AccountFacts, Channel } from './journeys.facts.types.ts';
import type { JourneyEvent } from './journeys.machine.types.ts';
import type { ExitCondition, ExitKind } from './journeys.steps.domain.ts';

/**
 * Exit and pause conditions. Each kind reads the facts (the state of the books at the start of
 * the run) and the events since the last advance (what happened in between and may not be in
 * the facts yet), so a payment at 10:02 stops the 10:05 event-driven advance without waiting
 * for the nightly facts.
 */

/** Channels the debtor can still be reached on: available, and not opted out (by fact or event). */
export function reachableChannels(facts: AccountFacts, events: readonly JourneyEvent[]): Channel[] {
  const out: Channel[] = [];
  for (const c of facts.channelsAvailable) {
    if (facts.optedOutChannels.includes(c)) continue;
    if (events.some((e) => e.type === 'opted_out' && (e.channel === undefined || e.channel === c))) continue;
    out.push(c);
  }
  return out;
}

const has = (events: readonly JourneyEvent[], type: JourneyEvent['type']): boolean => events.some((e) => e.type === type);

function holds(kind: ExitKind, facts: AccountFacts, events: readonly JourneyEvent[]): boolean {
  switch (kind) {
    // Paid off, or a payment since the last advance left nothing overdue (a cure). A payment
    // that leaves arrears is progress, not an exit: the journey goes on.
    case 'paid': return facts.balanceMinor <= 0 || (has(events, 'paid') && facts.overdueMinor <= 0);
    case 'plan_agreed': return facts.planState === 'active' || has(events, 'plan_agreed');
    case 'promise_active': return facts.promiseState === 'active' || has(events, 'promised');
    case 'dispute': return facts.disputed || facts.holds.includes('dispute') || has(events, 'dispute');
    // An opt-out without a channel is an opt-out of everything (seed 002: STOP/BAJA by reply).
    case 'opted_out_all': return reachableChannels(facts, events).length === 0;
    case 'hold': return facts.holds.length > 0 || has(events, 'hold');
    case 'vulnerable': return facts.vulnerable;
    case 'condition': return false; // evaluated by its compiled predicate
  }
}

export interface ExitHit { readonly index: number; readonly exit: ExitCondition }

/** The first exit condition that holds, in the journey's order, or null. */
export function firstExit(compiled: CompiledJourney, facts: AccountFacts, events: readonly JourneyEvent[]): ExitHit | null {
  const exits = compiled.journey.exits;
  for (let i = 0; i < exits.length; i++) {
    const exit = exits[i] as ExitCondition;
    const test = compiled.exitTests[i];
    const hit = exit.on === 'condition' ? (test ? test(facts) : false) : holds(exit.on, facts, events);
    if (hit) return { index: i, exit };
  }
  return null;
}
