import { JURISDICTIONS, allowedWindows, evaluateContact, holidayRegionOf } from '../policy/index.ts';
import type { PolicyInput, SharedWindows } from '../policy/index.ts';
import { line } from './journeys.explain.domain.ts';
import type { ExplanationLine } from './journeys.explain.domain.ts';
import { addressesOf, buildFacts } from './journeys.facts.domain.ts';
import type { Address, FactsAccountRow, FactsContactPoint, HistoryRow, ScheduleFacts } from './journeys.facts.domain.ts';
import type { AccountFacts, Channel } from './journeys.facts.types.ts';
import type { Journey } from './journeys.journey.domain.ts';
import { advance } from './journeys.machine.domain.ts';
import type { ChannelVerdict, JourneyAction, JourneyEvent, JourneyState, LastAction } from './journeys.machine.types.ts';
import { WEEKDAYS, chooseSendTime } from './journeys.sendtime.domain.ts';
import type { SendPreferences, SendTime, SendWindow } from './journeys.sendtime.domain.ts';
import type { Assigner } from './journeys.strategy.domain.ts';

/**
 * One account's decision in the daily run: facts → assignment → step machine → contact policy →
 * moment. No I/O: the rows come in, the state to write and the contact to schedule come out, so
 * the same inputs always give the same decision (what makes a restarted run finish exactly as
 * an uninterrupted one would). Not a `.domain.ts` file only because it calls the policy module.
 */

/** How many days of allowed windows are asked for (covers a long weekend or a holiday bridge). */
export const POLICY_HORIZON_DAYS = 4;
/** How far back the debtor's contacts are read for the policy's frequency rules. */
export const HISTORY_DAYS = 7;

/** The account's stored journey row (account_journeys), as the run reads it. */
export interface StoredJourney {
  readonly strategy_id: string | null;
  readonly strategy_version: number | null;
  readonly segment_id: string | null;
  readonly arm: string | null;
  readonly journey_id: string | null;
  readonly journey_version: number | null;
  readonly step_id: string | null;
  readonly entered_at: Date | null;
  readonly entered_step_at: Date | null;
  readonly attempts: number;
  readonly last_action: LastAction | null;
  readonly status: 'active' | 'paused' | 'exited' | 'completed' | 'unassigned';
  readonly status_reason: string | null;
  readonly episode: string | null;
  readonly last_contact_key: string | null;
  readonly pending_events: readonly JourneyEvent[];
  readonly last_run_date: string | null;
}

/** Receipt of the journey's last scheduled contact (its row in scheduled_contacts). */
export interface LastContactReceipt {
  readonly status: string;
  readonly channel: string | null;
  readonly at: Date;
}

export interface AccountInput {
  /** `region`: the debtor's stored region (its public holidays, when the holiday calendar knows it). */
  readonly account: FactsAccountRow & { readonly timezone: string; readonly preferences: Record<string, unknown> | null; readonly region?: string | null };
  readonly points: readonly FactsContactPoint[];
  readonly schedule: ScheduleFacts | null;
  /** The debtor's outbound contacts in the history window, plus what is scheduled. */
  readonly history: readonly HistoryRow[];
  readonly lastPaymentAt: Date | null;
  readonly stored: StoredJourney | null;
  readonly receipt: LastContactReceipt | null;
}

export interface RunContext {
  readonly assigner: Assigner;
  /** Journeys in force by id (the latest version among the strategies in force). */
  readonly journeys: ReadonlyMap<string, Journey>;
  readonly businessDate: string;
  /** The decision instant (ISO, UTC). */
  readonly at: string;
  readonly tenantCountry: string;
  readonly overlay: PolicyInput['tenantOverlay'];
  readonly bucketOf: (dpd: number) => string;
  /**
   * The run's memo of policy windows for debtors with nothing of their own (no history, opt-outs,
   * consents or holds): same answer as `allowedWindows`, computed once per jurisdiction, zone,
   * country, channel and address presence. Absent: every account asks `allowedWindows`.
   */
  readonly windows?: SharedWindows | undefined;
}

/** The row written to account_journeys. */
export interface StateRow {
  readonly account_id: string;
  readonly debtor_id: string;
  readonly strategy_id: string | null;
  readonly strategy_version: number | null;
  readonly segment_id: string | null;
  readonly arm: string | null;
  readonly journey_id: string | null;
  readonly journey_version: number | null;
  readonly step_id: string | null;
  readonly entered_at: string | null;
  readonly entered_step_at: string | null;
  readonly attempts: number;
  readonly last_action: LastAction | null;
  readonly status: StoredJourney['status'];
  readonly status_reason: string | null;
  readonly episode: string | null;
  readonly last_contact_key: string | null;
  /** How many of the stored pending events this decision consumed (removed on write). */
  readonly consumed_events: number;
  readonly explanation: readonly StoredLine[];
}

/** A contact to schedule (a row of scheduled_contacts without run and ids). */
export interface ContactDraft {
  readonly account_id: string;
  readonly debtor_id: string;
  readonly kind: JourneyAction['kind'];
  readonly channel: Channel | null;
  readonly purpose: string;
  readonly template_ref: string | null;
  readonly language: string;
  readonly contact_point_id: string | null;
  readonly destination: string | null;
  readonly send_at: string;
  readonly window_end: string | null;
  readonly idempotency_key: string;
  readonly journey_id: string;
  readonly journey_version: number;
  readonly step_id: string;
  readonly arm: string | null;
  readonly content: Record<string, unknown>;
  readonly explanation: Record<string, unknown>;
}

export interface PolicyNote {
  readonly channel: Channel;
  readonly allowed: boolean;
  readonly windows: readonly SendWindow[];
  readonly reasons: readonly { code: string; citation: string; message: { es: string; en: string } }[];
}

export interface Decision {
  readonly facts: AccountFacts;
  /** Null when nothing changed (nothing is written). */
  readonly state: StateRow | null;
  readonly contact: ContactDraft | null;
  readonly assigned: boolean;
  readonly advanced: boolean;
  readonly lines: readonly ExplanationLine[];
  readonly policy: readonly PolicyNote[];
  readonly sendTime: SendTime | null;
  readonly jurisdiction: string;
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** A stored explanation line: the code and its parameters (the sentences are rendered on read). */
export interface StoredLine { readonly code: string; readonly params: Readonly<Record<string, string | number>> }
const compact = (lines: readonly ExplanationLine[]): StoredLine[] => lines.map((l) => ({ code: l.code, params: l.params }));

const HHMM = /^([01]\d|2[0-4]):[0-5]\d$/;

/** The debtor's soft time preferences, when the stored document has a usable shape. */
export function softPreferences(p: Record<string, unknown> | null): SendPreferences | null {
  if (!p) return null;
  const hours = Array.isArray(p.hours)
    ? (p.hours as unknown[]).filter((h): h is { from: string; to: string } => typeof h === 'object' && h !== null
      && HHMM.test(String((h as { from?: unknown }).from)) && HHMM.test(String((h as { to?: unknown }).to)))
    : [];
  const days = Array.isArray(p.days) ? (p.days as unknown[]).filter((d): d is (typeof WEEKDAYS)[number] => (WEEKDAYS as readonly unknown[]).includes(d)) : [];
  if (hours.length === 0 && days.length === 0) return null;
  return { hours: hours.length ? hours : null, days: days.length ? days : null };
}

/** The delinquency episode a journey is entered for. */
const episodeOf = (a: FactsAccountRow, s: ScheduleFacts | null): string | null =>
  a.oldest_unpaid_due_date ? `overdue:${a.oldest_unpaid_due_date}` : s?.next_due_date ? `due:${s.next_due_date}` : null;

const toOutcome = (status: string): 'delivered' | 'read' | 'failed' | null =>
  status === 'delivered' ? 'delivered' : status === 'read' ? 'read' : status === 'failed' || status === 'suppressed' ? 'failed' : null;

/** The policy input for a debtor: zone, country, opt-outs, consents, holds and the contact history. */
export function policyInputOf(
  input: AccountInput,
  jurisdiction: string,
  overlay: PolicyInput['tenantOverlay'],
  holds: readonly string[],
): Omit<PolicyInput, 'proposed'> {
  const a = input.account;
  const optOuts: { channel: Channel; address: string; at: string }[] = [];
  const consents: { channel: Channel; address: string; at: string | null }[] = [];
  for (const p of input.points) {
    const chans: Channel[] = p.kind === 'phone' ? ['sms', 'call'] : p.kind === 'whatsapp' ? ['whatsapp'] : p.kind === 'email' ? ['email'] : [];
    for (const c of chans) {
      if (p.opted_out_at !== null) optOuts.push({ channel: c, address: p.value, at: new Date(p.opted_out_at).toISOString() });
      if (p.consent === 'granted') consents.push({ channel: c, address: p.value, at: p.consent_at === null ? null : new Date(p.consent_at).toISOString() });
    }
  }
  const region = holidayRegionOf(a.country, a.region);
  const history = input.history.filter((h) => h.channel !== null && h.kind !== 'agent_task').map((h) => ({
    at: new Date(h.at).toISOString(),
    channel: h.channel as Channel,
    direction: 'outbound' as const,
    debtIds: [h.account_id],
    outcome: toOutcome(h.status) === 'failed' ? ('failed' as const) : h.status === 'delivered' || h.status === 'read' ? (h.status as 'delivered' | 'read') : null,
    address: h.destination,
  }));
  return {
    jurisdiction,
    debtor: {
      timezones: [a.timezone],
      country: a.country,
      ...(region ? { region } : {}),
      optOuts,
      consents,
      holds: holds.map((kind) => ({ kind: kind as never, debtIds: [a.id] })),
    },
    history,
    tenantOverlay: overlay ?? null,
  };
}

export function jurisdictionFor(country: string, tenantCountry: string): string {
  if ((JURISDICTIONS as readonly string[]).includes(country)) return country;
  if ((JURISDICTIONS as readonly string[]).includes(tenantCountry)) return tenantCountry;
  return 'ES';
}

/** Decides one account. */
export function decideAccount(ctx: RunContext, input: AccountInput): Decision {
  const a = input.account;
  const stored = input.stored;
  const lines: ExplanationLine[] = [];
  const facts = buildFacts({
    account: a, points: input.points, schedule: input.schedule, history: input.history, lastPaymentAt: input.lastPaymentAt,
    lastActionAt: stored?.last_action?.at ?? null, businessDate: ctx.businessDate, at: ctx.at, bucketOf: ctx.bucketOf,
  });
  const jurisdiction = jurisdictionFor(a.country, ctx.tenantCountry);
  const nothing = (more: Partial<Decision> = {}): Decision => ({
    facts, state: null, contact: null, assigned: false, advanced: false, lines, policy: [], sendTime: null, jurisdiction, ...more,
  });

  const episode = episodeOf(a, input.schedule);
  let journey: Journey | null = null;
  let state: JourneyState | null = null;
  let assignment = stored && (stored.status === 'active' || stored.status === 'paused')
    ? { strategyId: stored.strategy_id, strategyVersion: stored.strategy_version, segmentId: stored.segment_id, arm: stored.arm }
    : null;
  let assigned = false;
  let enteredAt: string | null = stored ? iso(stored.entered_at) : null;

  if (stored && assignment && stored.journey_id) {
    journey = ctx.journeys.get(stored.journey_id) ?? null;
    if (journey) {
      state = {
        journeyId: stored.journey_id, version: stored.journey_version ?? journey.version, stepId: stored.step_id ?? journey.steps[0]!.id,
        enteredStepAt: iso(stored.entered_step_at) ?? ctx.at, attempts: stored.attempts, lastAction: stored.last_action,
        status: stored.status as JourneyState['status'], statusReason: stored.status_reason,
      };
    } else {
      lines.push(line('ASSIGN.JOURNEY_RETIRED', { journey: stored.journey_id }));
      assignment = null;
    }
  }

  if (!journey) {
    const found = ctx.assigner.assign(facts, a.id);
    if (!found) {
      lines.push(line('ASSIGN.NONE'));
      // Only a journey that was running (now retired) leaves a row to update; accounts that match
      // nothing are not written at all.
      if (!stored || stored.status !== 'active' && stored.status !== 'paused') return nothing();
      return nothing({ state: unassignedRow(a, null, null, null, lines, stored) });
    }
    if (!found.journey) {
      lines.push(line('ASSIGN.SUPPRESSED', { segment: found.segmentId, strategy: found.strategyId }));
      if (!stored || stored.status !== 'active' && stored.status !== 'paused') return nothing();
      return nothing({ state: unassignedRow(a, found.strategyId, found.strategyVersion, found.segmentId, lines, stored) });
    }
    if (stored && stored.status !== 'active' && stored.status !== 'paused' && stored.journey_id === found.journey.id && stored.episode === episode) {
      // Finished for this episode: starting it again would repeat its messages.
      lines.push(line('ASSIGN.EPISODE_DONE', { journey: found.journey.id, status: stored.status === 'unassigned' ? 'exited' : stored.status, episode: episode ?? '-' }));
      return nothing();
    }
    journey = found.journey;
    assignment = { strategyId: found.strategyId, strategyVersion: found.strategyVersion, segmentId: found.segmentId, arm: found.arm };
    assigned = true;
    enteredAt = ctx.at;
    lines.push(line('ASSIGN.SEGMENT', { segment: found.segmentId, strategy: found.strategyId, version: found.strategyVersion, arm: found.arm ?? '-', journey: journey.id }));
  }

  // Events: what was recorded since the last run, and the receipt of the last contact.
  const events: JourneyEvent[] = assigned ? [] : [...(stored?.pending_events ?? [])];
  if (!assigned && input.receipt && state?.lastAction) {
    const type = toOutcome(input.receipt.status);
    if (type) {
      const at = new Date(Math.max(input.receipt.at.getTime(), Date.parse(state.lastAction.at))).toISOString();
      events.push({ type, at, ...(input.receipt.channel ? { channel: input.receipt.channel as Channel } : {}) });
    }
  }

  // The policy, asked lazily per channel the machine wants to use.
  const addresses = addressesOf(input.points);
  let policyInput: Omit<PolicyInput, 'proposed'> | null = null;
  const notes = new Map<Channel, PolicyNote>();
  const windowsFor = (channel: Channel): PolicyNote => {
    let note = notes.get(channel);
    if (note) return note;
    policyInput ??= policyInputOf(input, jurisdiction, ctx.overlay, facts.holds);
    const address = addresses.get(channel)?.value ?? null;
    const spec = { channel, debtId: a.id, address, purpose: 'collection' as const };
    const windows = (ctx.windows ?? allowedWindows)(policyInput, { ...spec, from: ctx.at, days: POLICY_HORIZON_DAYS });
    let reasons: PolicyNote['reasons'] = [];
    if (windows.length === 0) {
      const d = evaluateContact({ ...policyInput, proposed: { ...spec, at: ctx.at } });
      reasons = d.reasons.filter((r) => r.effect === 'deny').map((r) => ({ code: r.code, citation: r.citation, message: r.message }));
    }
    note = { channel, allowed: windows.length > 0, windows, reasons };
    notes.set(channel, note);
    return note;
  };
  const channelAllowed = (channel: Channel): ChannelVerdict => {
    const n = windowsFor(channel);
    return n.allowed ? { allowed: true } : { allowed: false, detail: n.reasons.map((r) => r.code).join(', ') || 'no window' };
  };

  const result = advance(journey, state, facts, events, ctx.at, { debtId: a.id, channelAllowed });
  lines.push(...result.explanation.lines);
  for (const n of notes.values()) {
    lines.push(n.allowed
      ? line('POLICY.WINDOWS', { jurisdiction, channel: n.channel, count: n.windows.length, days: POLICY_HORIZON_DAYS, first: n.windows[0]!.start })
      : line('POLICY.BLOCKED', { jurisdiction, channel: n.channel, days: POLICY_HORIZON_DAYS, reasons: n.reasons.map((r) => r.code).join(', ') || 'no window' }));
  }
  if (jurisdiction !== a.country && notes.size > 0) lines.push(line('POLICY.JURISDICTION_FALLBACK', { country: a.country, jurisdiction }));
  if (a.region && notes.size > 0 && !holidayRegionOf(a.country, a.region)) lines.push(line('POLICY.REGION_UNKNOWN', { country: a.country, region: a.region }));

  let contact: ContactDraft | null = null;
  let sendTime: SendTime | null = null;
  const action = result.action;
  if (action) {
    let sendAt = ctx.at;
    let windowEnd: string | null = null;
    if (action.channel) {
      const note = windowsFor(action.channel);
      sendTime = chooseSendTime(note.windows, softPreferences(a.preferences), a.timezone, ctx.at, { seed: a.id });
      lines.push(sendTime.explanation);
      if (sendTime.at) {
        sendAt = sendTime.at;
        const t = Date.parse(sendAt);
        windowEnd = note.windows.find((w) => Date.parse(w.start) <= t && t <= Date.parse(w.end))?.end ?? null;
      }
    }
    // A send step only emits on an allowed channel; a call task without a window still goes to
    // the agents' queue (the agent's dialer re-checks), a message never does.
    if (!action.channel || sendTime?.at || action.kind === 'agent_task') {
      const address = action.channel ? addresses.get(action.channel) ?? null : null;
      const policyNote = action.channel ? notes.get(action.channel) : undefined;
      contact = {
        account_id: a.id, debtor_id: a.debtor_id, kind: action.kind, channel: action.channel, purpose: action.purpose,
        template_ref: action.templateRef, language: facts.language, contact_point_id: address?.contactPointId ?? null,
        destination: address?.value ?? null, send_at: sendAt, window_end: windowEnd, idempotency_key: action.idempotencyKey,
        journey_id: action.journeyId, journey_version: action.journeyVersion, step_id: action.stepId, arm: assignment?.arm ?? null,
        content: {
          ...(action.offers ? { offers: action.offers } : {}),
          ...(action.lessonRef ? { lesson: action.lessonRef } : {}),
          ...(action.task ? { task: action.task } : {}),
          attempt: action.attempt,
        },
        explanation: {
          lines: compact(lines),
          sendTime: sendTime ? { at: sendTime.at, reason: sendTime.reason } : null,
          policy: policyNote ? { jurisdiction, channel: policyNote.channel, allowed: policyNote.allowed, windows: policyNote.windows.slice(0, 3), reasons: policyNote.reasons } : null,
        },
      };
    }
  }

  const s = result.state;
  const row: StateRow = {
    account_id: a.id, debtor_id: a.debtor_id,
    strategy_id: assignment?.strategyId ?? null, strategy_version: assignment?.strategyVersion ?? null, segment_id: assignment?.segmentId ?? null,
    arm: assignment?.arm ?? null, journey_id: s.journeyId, journey_version: s.version, step_id: s.stepId, entered_at: enteredAt,
    entered_step_at: s.enteredStepAt, attempts: s.attempts, last_action: s.lastAction, status: s.status, status_reason: s.statusReason,
    episode: assigned ? episode : (stored?.episode ?? episode),
    last_contact_key: contact ? contact.idempotency_key : (stored?.last_contact_key ?? null),
    consumed_events: stored?.pending_events.length ?? 0,
    explanation: compact(lines),
  };
  const changed = assigned || contact !== null || !stored || (stored.pending_events.length > 0) || stateDiffers(stored, row);
  return {
    facts, state: changed ? row : null, contact, assigned, advanced: true, lines, policy: [...notes.values()], sendTime, jurisdiction,
  };
}

function unassignedRow(
  a: FactsAccountRow, strategyId: string | null, strategyVersion: number | null, segmentId: string | null,
  lines: readonly ExplanationLine[], stored: StoredJourney | null,
): StateRow {
  return {
    account_id: a.id, debtor_id: a.debtor_id, strategy_id: strategyId, strategy_version: strategyVersion, segment_id: segmentId, arm: null,
    // A finished journey is remembered so the same episode does not start it again.
    journey_id: stored?.journey_id ?? null, journey_version: stored?.journey_version ?? null, step_id: null, entered_at: null, entered_step_at: null,
    attempts: 0, last_action: stored?.last_action ?? null, status: 'unassigned', status_reason: null, episode: stored?.episode ?? null,
    last_contact_key: stored?.last_contact_key ?? null, consumed_events: stored?.pending_events.length ?? 0, explanation: compact(lines),
  };
}

function stateDiffers(s: StoredJourney, r: StateRow): boolean {
  return s.status !== r.status || s.status_reason !== r.status_reason || s.step_id !== r.step_id || s.attempts !== r.attempts
    || s.journey_id !== r.journey_id || s.journey_version !== r.journey_version || iso(s.entered_step_at) !== r.entered_step_at
    || JSON.stringify(s.last_action) !== JSON.stringify(r.last_action);
}

export type { Address };
