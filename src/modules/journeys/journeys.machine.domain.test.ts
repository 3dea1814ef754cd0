import { describe, expect, it, vi } from 'vitest';
import { factsOf } from './journeys.facts.testkit.ts';
import type { AccountFacts } from './journeys.facts.types.ts';
import { Journey } from './journeys.journey.domain.ts';
import { loadStrategies } from './journeys.library.ts';
import { advance } from './journeys.machine.domain.ts';
import type { AdvanceSubject, JourneyEvent, JourneyState } from './journeys.machine.types.ts';

const strategies = loadStrategies();
const journeyOf = (id: string): Journey => {
  for (const s of strategies) for (const j of s.journeys) if (j.id === id) return j;
  throw new Error(`no journey ${id}`);
};
const gentle = journeyOf('gentle-early');
const challenger = journeyOf('gentle-early-sms-first');
const hardship = journeyOf('hardship-care');
const subject: AdvanceSubject = { debtId: 'acc_1' };
const codes = (r: { explanation: { lines: readonly { code: string }[] } }) => r.explanation.lines.map((l) => l.code);
const ev = (type: JourneyEvent['type'], at: string, channel?: JourneyEvent['channel']): JourneyEvent =>
  (channel ? { type, at, channel } : { type, at });

/** Day n of March 2025 at 10:00 UTC. */
const day = (n: number, hh = 10): string => `2025-03-${String(n).padStart(2, '0')}T${String(hh).padStart(2, '0')}:00:00.000Z`;

describe('gentle early-arrears journey, end to end', () => {
  it('reminds before due, falls back on failure, follows DPD and exits on payment', () => {
    let state: JourneyState | null = null;
    let r = advance(gentle, state, factsOf({ daysToDue: 10 }), [], day(1), subject);
    expect(codes(r)).toEqual(['JOURNEY.STARTED', 'PRE_DUE.PENDING']);
    expect(r.action).toBeNull();
    state = r.state;

    r = advance(gentle, state, factsOf({ daysToDue: 3 }), [], day(8), subject);
    expect(r.action).toMatchObject({ kind: 'message', purpose: 'pre_due_reminder', channel: 'whatsapp', templateRef: 'pre_due_reminder', attempt: 1, debtId: 'acc_1', notBefore: day(8) });
    state = r.state;

    // The same run again: nothing new to send, the receipt is awaited.
    r = advance(gentle, state, factsOf({ daysToDue: 3 }), [], day(8, 12), subject);
    expect(r.action).toBeNull();
    expect(codes(r)).toEqual(['SEND.AWAITING_RECEIPT']);

    r = advance(gentle, state, factsOf({ daysToDue: 3 }), [ev('failed', day(8, 11), 'whatsapp')], day(8, 13), subject);
    expect(r.action).toMatchObject({ channel: 'sms', attempt: 2 });
    expect(codes(r)).toEqual(['SEND.FALLBACK', 'SEND.CHOSEN']);
    const smsKey = r.action?.idempotencyKey;
    state = r.state;

    r = advance(gentle, state, factsOf({ daysToDue: 2 }), [ev('delivered', day(8, 14), 'sms')], day(9), subject);
    expect(codes(r)).toEqual(['SEND.DELIVERED', 'WAIT.DPD_PENDING']);
    expect(r.state.stepId).toBe('until-day-1');
    state = r.state;

    r = advance(gentle, state, factsOf({ daysPastDue: 1, daysToDue: -1, overdueMinor: 5000 }), [], day(12), subject);
    expect(r.action).toMatchObject({ purpose: 'payment_link', channel: 'whatsapp', attempt: 1 });
    expect(r.action?.idempotencyKey).not.toBe(smsKey);
    state = r.state;

    r = advance(gentle, state, factsOf({ daysPastDue: 0, overdueMinor: 0 }), [ev('paid', day(12, 15))], day(12, 16), subject);
    expect(r.state).toMatchObject({ status: 'exited', statusReason: 'paid' });
    expect(r.action).toBeNull();
    expect(codes(advance(gentle, r.state, factsOf(), [], day(13), subject))).toEqual(['JOURNEY.FINISHED']);
  });

  it('skips the pre-due reminder when the account is already overdue', () => {
    const r = advance(gentle, null, factsOf({ daysPastDue: 2, daysToDue: -2, overdueMinor: 100 }), [], day(3), subject);
    expect(codes(r)).toEqual(['JOURNEY.STARTED', 'PRE_DUE.SKIPPED', 'WAIT.DONE', 'SEND.CHOSEN']);
    expect(r.action?.purpose).toBe('payment_link');
  });

  it('is deterministic: the same inputs give the same result, key included', () => {
    const f = factsOf({ daysToDue: 3 });
    expect(advance(gentle, null, f, [], day(8), subject)).toEqual(advance(gentle, null, f, [], day(8), subject));
  });
});

describe('channel fallback', () => {
  const at = day(8);
  it('skips unavailable and opted-out channels, saying why', () => {
    const f = factsOf({ daysToDue: 3, channelsAvailable: ['sms', 'email'], optedOutChannels: ['sms'] });
    const r = advance(gentle, null, f, [], at, subject);
    expect(r.action?.channel).toBe('email');
    expect(r.explanation.lines.filter((l) => l.code === 'CHANNEL.SKIPPED').map((l) => l.params)).toEqual([
      { channel: 'whatsapp', reason: 'unavailable' }, { channel: 'sms', reason: 'opted_out' },
    ]);
    expect(r.explanation.lines.at(-1)?.text.es).toContain('por email');
  });

  it('asks policy lazily, only about the channels it would use', () => {
    const channelAllowed = vi.fn((c: string) => (c === 'whatsapp' ? { allowed: false, detail: 'REG.FREQUENCY' } : { allowed: true }));
    const r = advance(gentle, null, factsOf({ daysToDue: 3 }), [], at, { debtId: 'acc_1', channelAllowed });
    expect(r.action?.channel).toBe('sms');
    expect(channelAllowed.mock.calls.map((c) => c[0])).toEqual(['whatsapp', 'sms']);
    expect(r.explanation.lines[1]?.params).toEqual({ channel: 'whatsapp', reason: 'policy', detail: 'REG.FREQUENCY' });
  });

  it('falls back when no receipt arrives in time, and moves on when every channel is spent', () => {
    let r = advance(gentle, null, factsOf({ daysToDue: 3, channelsAvailable: ['whatsapp', 'sms'] }), [], day(8, 8), subject);
    r = advance(gentle, r.state, factsOf({ daysToDue: 3 }), [], day(8, 13), subject); // 5 h < 6 h
    expect(r.action).toBeNull();
    r = advance(gentle, r.state, factsOf({ daysToDue: 3, channelsAvailable: ['whatsapp', 'sms'] }), [], day(8, 14), subject);
    expect(r.action?.channel).toBe('sms');
    r = advance(gentle, r.state, factsOf({ daysToDue: 3, channelsAvailable: ['whatsapp', 'sms'] }), [ev('failed', day(8, 15), 'sms')], day(8, 16), subject);
    expect(codes(r)).toEqual(['SEND.FALLBACK', 'CHANNEL.SKIPPED', 'SEND.NO_CHANNEL', 'WAIT.DPD_PENDING']); // e-mail: no address
  });

  it('ignores receipts for another channel or from before the send', () => {
    let r = advance(gentle, null, factsOf({ daysToDue: 3 }), [], day(8), subject);
    r = advance(gentle, r.state, factsOf({ daysToDue: 3 }), [ev('delivered', day(8, 11), 'sms'), ev('delivered', day(7), 'whatsapp')], day(8, 12), subject);
    expect(codes(r)).toEqual(['SEND.AWAITING_RECEIPT']);
  });

  it('gives the step up instead of falling back when the journey says so', () => {
    const j = Journey.parse({
      id: 'strict', version: 1, name: { es: 'x', en: 'x', pt: 'x' }, exits: [{ on: 'paid', then: 'exit' }],
      steps: [
        { id: 'a', type: 'message', purpose: 'payment_link', channels: ['whatsapp', 'sms'], fallback: { onOptedOut: false } },
        { id: 'e', type: 'end' },
      ],
    });
    const r = advance(j, null, factsOf({ optedOutChannels: ['whatsapp'] }), [], day(1), subject);
    expect(codes(r)).toEqual(['JOURNEY.STARTED', 'CHANNEL.SKIPPED', 'SEND.NO_CHANNEL', 'JOURNEY.COMPLETED']);
  });

  it('moves on at the next advance when the step awaits no receipt', () => {
    const f = factsOf({ daysPastDue: 40, reasonForArrears: 'hardship', overdueMinor: 100 });
    let r = advance(hardship, null, f, [], day(1), subject); // check-in (awaits 12 h)
    r = advance(hardship, r.state, f, [ev('read', day(1, 11), 'whatsapp')], day(1, 12), subject);
    expect(codes(r)).toEqual(['SEND.DELIVERED', 'WAIT.PENDING']);
    r = advance(hardship, r.state, f, [], day(4, 12), subject); // offers
    expect(r.action).toMatchObject({ kind: 'offer', purpose: 'plan_offer', offers: ['plan', 'pause', 'promise'] });
    r = advance(hardship, r.state, f, [ev('delivered', day(4, 13), 'whatsapp')], day(5), subject);
    r = advance(hardship, r.state, f, [], day(10, 12), subject); // no response: lesson
    expect(r.action).toMatchObject({ kind: 'lesson', lessonRef: 'budgeting-basics', purpose: 'lesson' });
    r = advance(hardship, r.state, f, [], day(11), subject);
    expect(codes(r)).toEqual(['SEND.SENT', 'WAIT.PENDING']);
  });
});

describe('exits, pauses and branches', () => {
  const overdue = (over: Partial<AccountFacts> = {}) => factsOf({ daysPastDue: 3, overdueMinor: 5000, daysToDue: -3, ...over });

  it('applies exits before any step', () => {
    const r = advance(gentle, null, overdue(), [ev('dispute', day(3, 9))], day(3), subject);
    expect(r.action).toBeNull();
    expect(r.state).toMatchObject({ status: 'exited', statusReason: 'dispute' });
  });

  it('a channel-less opt-out (STOP to everything) ends the journey', () => {
    const r = advance(gentle, null, overdue(), [ev('opted_out', day(3, 9))], day(3), subject);
    expect(r.state.statusReason).toBe('opted_out_all');
  });

  it('a partial payment is not an exit', () => {
    const r = advance(gentle, null, overdue({ overdueMinor: 2000 }), [ev('paid', day(3, 9))], day(3), subject);
    expect(r.state.status).toBe('active');
    expect(r.action?.purpose).toBe('payment_link');
  });

  it('pauses while a promise is active and resumes with the step clock restarted', () => {
    const f = overdue({ daysPastDue: 40, reasonForArrears: 'hardship' });
    let r = advance(hardship, null, f, [], day(1), subject);
    r = advance(hardship, r.state, f, [ev('delivered', day(1, 11), 'whatsapp')], day(1, 12), subject); // at wait-3d
    r = advance(hardship, r.state, { ...f, promiseState: 'active' }, [], day(2), subject);
    expect(r.state).toMatchObject({ status: 'paused', statusReason: 'promise_active', stepId: 'wait-3d' });
    r = advance(hardship, r.state, { ...f, promiseState: 'broken' }, [], day(6), subject);
    expect(codes(r)).toEqual(['EXIT.RESUMED', 'WAIT.PENDING']);
    expect(r.state.enteredStepAt).toBe(day(6));
  });

  it('pauses the hardship journey on vulnerability', () => {
    const r = advance(hardship, null, overdue({ vulnerable: true }), [], day(1), subject);
    expect(r.state).toMatchObject({ status: 'paused', statusReason: 'vulnerable' });
  });

  it('branches on the outcome of the last contact', () => {
    const run = (events: JourneyEvent[]) => {
      let r = advance(challenger, null, overdue({ daysPastDue: 1 }), [], day(1), subject);
      expect(r.action).toMatchObject({ purpose: 'payment_link', channel: 'sms' });
      r = advance(challenger, r.state, overdue({ daysPastDue: 2 }), [ev('delivered', day(1, 11), 'sms'), ...events], day(2), subject);
      return advance(challenger, r.state, overdue({ daysPastDue: 5 }), [], day(5), subject);
    };
    const clicked = run([ev('clicked', day(1, 12))]);
    expect(clicked.action).toBeNull();
    expect(clicked.state.stepId).toBe('until-day-10');
    expect(clicked.explanation.lines.find((l) => l.code === 'BRANCH.TAKEN')?.params).toMatchObject({ test: 'outcome replied|clicked' });
    expect(run([]).action?.purpose).toBe('missed_payment_1');
  });

  it('branches on facts, and ends so the account can be re-segmented', () => {
    let r = advance(gentle, null, overdue({ daysPastDue: 10 }), [], day(10), subject);
    expect(r.action?.purpose).toBe('payment_link');
    r = advance(gentle, r.state, overdue({ daysPastDue: 10 }), [ev('delivered', day(10, 11), 'whatsapp')], day(10, 12), subject);
    expect(r.action?.purpose).toBe('missed_payment_1');
    r = advance(gentle, r.state, overdue({ daysPastDue: 10 }), [ev('delivered', day(10, 13), 'whatsapp')], day(10, 14), subject);
    expect(r.action?.purpose).toBe('hardship_check_in');
    r = advance(gentle, r.state, overdue({ daysPastDue: 11, reasonForArrears: 'hardship' }), [ev('replied', day(10, 15))], day(11), subject);
    expect(r.state).toMatchObject({ status: 'completed', stepId: 'handed-over' });
  });

  it('creates agent tasks and moves past them', () => {
    let r = advance(challenger, null, overdue({ daysPastDue: 20 }), [], day(20), subject);
    for (let i = 0; i < 5 && r.action?.kind !== 'agent_task'; i++) {
      r = advance(challenger, r.state, overdue({ daysPastDue: 20 }), [ev('delivered', day(20, 11 + i), r.action?.channel ?? 'sms')], day(20, 12 + i), subject);
    }
    expect(r.action).toMatchObject({ kind: 'agent_task', channel: null, purpose: 'agent_follow_up', task: { type: 'review', queue: 'early-arrears', priority: 5 } });
    expect(r.state.stepId).toBe('done');
  });
});

describe('versions', () => {
  const v2 = Journey.parse({ ...gentle, version: 2 });
  it('continues at the same step id in a new version', () => {
    const r1 = advance(gentle, null, factsOf({ daysToDue: 10 }), [], day(1), subject);
    const r2 = advance(v2, r1.state, factsOf({ daysToDue: 3 }), [], day(8), subject);
    expect(codes(r2)[0]).toBe('JOURNEY.VERSION_CHANGED');
    expect(r2.action).toMatchObject({ journeyVersion: 2, stepId: 'pre-due' });
  });

  it('restarts when the step is gone', () => {
    const state: JourneyState = { journeyId: 'gentle-early', version: 1, stepId: 'removed', enteredStepAt: day(1), attempts: 0, lastAction: null, status: 'active', statusReason: null };
    const r = advance(v2, state, factsOf({ daysToDue: 10 }), [], day(2), subject);
    expect(codes(r)).toEqual(['JOURNEY.VERSION_RESTARTED', 'PRE_DUE.PENDING']);
  });

  it('refuses a state of another journey (a bug in the caller)', () => {
    const r = advance(gentle, null, factsOf(), [], day(1), subject);
    expect(() => advance(hardship, r.state, factsOf(), [], day(2), subject)).toThrow(/not hardship-care/);
  });
});
