import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { evaluateContact } from './index.ts';
import type { Channel, Outcome, PolicyInput } from './index.ts';

/** Frequency rules: US 1006.14(b)(2) per debt with its exclusions, CO art. 3, CL art. 37, caps. */

type Item = NonNullable<PolicyInput['history']>[number];
const wall = (zone: string) => (s: string): string => DateTime.fromISO(s, { zone }).toUTC().toISO({ suppressMilliseconds: true }) as string;
const ny = wall('America/New_York');
const bog = wall('America/Bogota');
const scl = wall('America/Santiago');
const day = (d: number): string => `2026-03-${String(d).padStart(2, '0')}`;

const call = (at: string, outcome: Outcome = 'no_answer', extra: Partial<Item> = {}): Item =>
  ({ at, channel: 'call', direction: 'outbound', debtIds: ['A'], outcome, ...extra });
const msg = (at: string, channel: Channel, outcome: Outcome = 'delivered', extra: Partial<Item> = {}): Item =>
  ({ at, channel, direction: 'outbound', debtIds: ['A'], outcome, ...extra });

function us(at: string, history: Item[], proposed: Partial<PolicyInput['proposed']> = {}, extra: Partial<PolicyInput> = {}): PolicyInput {
  return {
    jurisdiction: 'US',
    debtor: { timezones: ['America/New_York'], consents: [{ channel: 'sms' }] },
    history,
    proposed: { at, channel: 'call', debtId: 'A', ...proposed },
    ...extra,
  };
}

interface Row { name: string; input: PolicyInput; allowed: boolean; code?: string; next?: string }

/** Seven counted calls about debt A on 2 … 8 March, 10:00 New York. */
const seven = (outcome: Outcome = 'no_answer', extra: Partial<Item> = {}): Item[] =>
  [2, 3, 4, 5, 6, 7, 8].map((d) => call(ny(`${day(d)}T10:00:00`), outcome, extra));

const usRows: Row[] = [
  { name: '7 unanswered calls in 7 days: an 8th the same day is presumed harassing', input: us(ny(`${day(8)}T15:00:00`), seven()), allowed: false, code: 'FREQUENCY.CALLS_7_IN_7_DAYS', next: ny(`${day(9)}T08:00:00`) },
  { name: 'the oldest call leaves the 7-day window on day 8', input: us(ny(`${day(9)}T08:00:00`), seven()), allowed: true },
  { name: '7 calls the same day block the next 6 days', input: us(ny(`${day(10)}T12:00:00`), [1, 2, 3, 4, 5, 6, 7].map((h) => call(ny(`${day(8)}T${String(8 + h).padStart(2, '0')}:00:00`)))), allowed: false, next: ny(`${day(15)}T08:00:00`) },
  { name: 'voicemails count', input: us(ny(`${day(8)}T15:00:00`), seven('voicemail')), allowed: false },
  { name: 'ringless voicemails count', input: us(ny(`${day(8)}T15:00:00`), seven('ringless_voicemail')), allowed: false },
  { name: 'answered-then-dropped calls count', input: us(ny(`${day(8)}T15:00:00`), seven('answered_dropped')), allowed: false },
  { name: 'busy signals do not count', input: us(ny(`${day(8)}T15:00:00`), seven('busy')), allowed: true },
  { name: 'numbers not in service do not count', input: us(ny(`${day(8)}T15:00:00`), seven('not_in_service')), allowed: true },
  { name: 'calls to a number later found not to be the debtor\'s do not count', input: us(ny(`${day(8)}T15:00:00`), seven('no_answer', { notDebtorsNumber: true })), allowed: true },
  { name: 'calls to the debtor\'s attorney do not count', input: us(ny(`${day(8)}T15:00:00`), seven('no_answer', { party: 'attorney' })), allowed: true },
  { name: 'inbound calls do not count', input: us(ny(`${day(8)}T15:00:00`), seven('no_answer', { direction: 'inbound' })), allowed: true },
  { name: 'calls about debt B do not count for debt A', input: us(ny(`${day(8)}T15:00:00`), seven('no_answer', { debtIds: ['B'] })), allowed: true },
  { name: 'a call about A and B counts for A', input: us(ny(`${day(8)}T15:00:00`), seven('no_answer', { debtIds: ['B', 'A'] })), allowed: false },
  { name: 'a call that named no debt counts for every debt', input: us(ny(`${day(8)}T15:00:00`), seven('no_answer', { debtIds: null })), allowed: false },
  { name: 'a contact about every debt meets debt B\'s calls', input: us(ny(`${day(8)}T15:00:00`), seven('no_answer', { debtIds: ['B'] }), { debtId: null }), allowed: false },
  { name: 'texts are not calls', input: us(ny(`${day(8)}T15:00:00`), seven(), { channel: 'email' }), allowed: true },

  // 1006.14(b)(2)(i)(B): the conversation's date is day 1
  { name: 'conversation on the 3rd: a call on the 9th (day 7) is blocked', input: us(ny(`${day(9)}T20:59:00`), [call(ny(`${day(3)}T11:00:00`), 'answered', { conversation: true })]), allowed: false, code: 'FREQUENCY.CALL_AFTER_CONVERSATION', next: ny(`${day(10)}T08:00:00`) },
  { name: 'conversation on the 3rd: a call on the 10th (day 8) is allowed', input: us(ny(`${day(10)}T08:00:00`), [call(ny(`${day(3)}T11:00:00`), 'answered', { conversation: true })]), allowed: true },
  { name: 'a call earlier the same day, before the conversation, is allowed', input: us(ny(`${day(3)}T09:00:00`), [call(ny(`${day(3)}T11:00:00`), 'answered', { conversation: true })]), allowed: true },
  { name: 'an inbound telephone conversation starts the 7 days too', input: us(ny(`${day(5)}T12:00:00`), [call(ny(`${day(3)}T11:00:00`), 'answered', { conversation: true, direction: 'inbound' })]), allowed: false },
  { name: 'a conversation about debt B does not block calls about debt A', input: us(ny(`${day(5)}T12:00:00`), [call(ny(`${day(3)}T11:00:00`), 'answered', { conversation: true, debtIds: ['B'] })]), allowed: true },
  { name: 'e-mails are not blocked after a telephone conversation', input: us(ny(`${day(5)}T12:00:00`), [call(ny(`${day(3)}T11:00:00`), 'answered', { conversation: true })], { channel: 'email' }), allowed: true },

  // 1006.14(b)(3): direct prior consent
  {
    name: 'consent until the 6th: a call on the 6th is excluded', input: us(ny(`${day(6)}T20:00:00`), [call(ny(`${day(3)}T11:00:00`), 'answered', { conversation: true, consentToCallUntil: day(6) })]),
    allowed: true, code: 'FREQUENCY.CONSENT_WINDOW',
  },
  {
    name: 'consent until the 6th: on the 7th the conversation block is back', input: us(ny(`${day(7)}T09:00:00`), [call(ny(`${day(3)}T11:00:00`), 'answered', { conversation: true, consentToCallUntil: day(6) })]),
    allowed: false, code: 'FREQUENCY.CALL_AFTER_CONVERSATION', next: ny(`${day(10)}T08:00:00`),
  },
  {
    name: 'consent ends at the next conversation about the debt',
    input: us(ny(`${day(5)}T12:00:00`), [
      call(ny(`${day(3)}T11:00:00`), 'answered', { conversation: true, consentToCallUntil: day(9) }),
      call(ny(`${day(4)}T11:00:00`), 'answered', { conversation: true }),
    ]),
    allowed: false, code: 'FREQUENCY.CALL_AFTER_CONVERSATION',
  },
  {
    name: 'consent ends on revocation',
    input: us(ny(`${day(5)}T12:00:00`), [
      call(ny(`${day(3)}T11:00:00`), 'answered', { conversation: true, consentToCallUntil: day(9) }),
      msg(ny(`${day(4)}T11:00:00`), 'email', 'received', { direction: 'inbound', consentRevoked: true }),
    ]),
    allowed: false,
  },
  {
    name: 'calls inside a consent window are not counted afterwards',
    input: us(ny(`${day(7)}T12:00:00`), [
      msg(ny(`${day(3)}T09:00:00`), 'email', 'received', { direction: 'inbound', consentToCallUntil: day(6) }),
      ...[1, 2, 3, 4, 5, 6, 7].map((h) => call(ny(`${day(4)}T${String(9 + h).padStart(2, '0')}:00:00`))),
    ]),
    allowed: true,
  },
  {
    name: 'consent lasts at most 7 consecutive days',
    input: us(ny(`${day(10)}T18:00:00`), [
      msg(ny(`${day(3)}T09:00:00`), 'email', 'received', { direction: 'inbound', consentToCallUntil: day(20) }),
      ...[1, 2, 3, 4, 5, 6, 7].map((h) => call(ny(`${day(10)}T${String(9 + h).padStart(2, '0')}:00:00`))),
    ]),
    allowed: false, code: 'FREQUENCY.CALLS_7_IN_7_DAYS',
  },
  {
    name: 'consent about debt B does not exempt calls about debt A',
    input: us(ny(`${day(5)}T12:00:00`), [call(ny(`${day(3)}T11:00:00`), 'answered', { conversation: true, debtIds: ['A', 'B'] }), msg(ny(`${day(4)}T09:00:00`), 'email', 'received', { direction: 'inbound', debtIds: ['B'], consentToCallUntil: day(9) })]),
    allowed: false,
  },

  // Texts under 1006.14(a) (Tacto default 3 in 7 days)
  { name: 'failed texts do not count', input: us(ny(`${day(8)}T12:00:00`), [5, 6, 7].map((d) => msg(ny(`${day(d)}T12:00:00`), 'sms', 'failed')), { channel: 'sms' }, { tenantOverlay: { sender: 'creditor' } }), allowed: true },
  { name: 'a 4th delivered text in 7 days', input: us(ny(`${day(8)}T12:00:00`), [5, 6, 7].map((d) => msg(ny(`${day(d)}T12:00:00`), 'sms')), { channel: 'sms' }, { tenantOverlay: { sender: 'creditor' } }), allowed: false, code: 'FREQUENCY.CAP_EXCEEDED', next: ny(`${day(12)}T08:00:00`) },

  // Caps added by the tenant, the debtor and vulnerability adaptations
  { name: 'tenant cap: 2 calls a week', input: us(ny(`${day(8)}T12:00:00`), [call(ny(`${day(5)}T10:00:00`)), call(ny(`${day(6)}T10:00:00`))], {}, { tenantOverlay: { caps: [{ channels: ['call'], max: 2, days: 7 }] } }), allowed: false, code: 'FREQUENCY.CAP_EXCEEDED' },
  { name: 'debtor preference: one contact a week', input: us(ny(`${day(8)}T12:00:00`), [msg(ny(`${day(5)}T10:00:00`), 'email')], {}, { debtor: { timezones: ['America/New_York'], preferences: { frequency: { max: 1, days: 7 } } } }), allowed: false, code: 'PREFERENCE.FREQUENCY' },
  { name: 'vulnerability: one contact every 14 days', input: us(ny(`${day(16)}T12:00:00`), [msg(ny(`${day(5)}T10:00:00`), 'email')], {}, { debtor: { timezones: ['America/New_York'], vulnerability: { frequency: { max: 1, days: 14 } } } }), allowed: false, code: 'VULNERABILITY.FREQUENCY', next: ny(`${day(19)}T08:00:00`) },
];

function co(at: string, channel: Channel, history: Item[], overlay?: PolicyInput['tenantOverlay']): PolicyInput {
  return {
    jurisdiction: 'CO',
    debtor: { timezones: ['America/Bogota'], consents: (['call', 'sms', 'email', 'whatsapp'] as const).map((c) => ({ channel: c })) },
    history,
    proposed: { at, channel, debtId: 'A' },
    tenantOverlay: overlay ?? null,
  };
}

const coRows: Row[] = [
  { name: 'CO a failed SMS is an attempt: no call the same day', input: co(bog(`${day(11)}T16:00:00`), 'call', [msg(bog(`${day(11)}T09:00:00`), 'sms', 'failed')]), allowed: false, code: 'FREQUENCY.SAME_DAY_AFTER_DIRECT_CONTACT' },
  { name: 'CO the same channel the next day', input: co(bog(`${day(12)}T09:00:00`), 'call', [call(bog(`${day(11)}T09:00:00`))]), allowed: true },
  { name: 'CO another channel later that week waits for Monday', input: co(bog(`${day(12)}T09:00:00`), 'sms', [call(bog(`${day(11)}T09:00:00`))]), allowed: false, code: 'FREQUENCY.OTHER_CHANNEL_SAME_WEEK', next: bog(`${day(16)}T07:00:00`) },
  { name: 'CO week starting Saturday (tenant setting)', input: co(bog(`${day(14)}T09:00:00`), 'sms', [call(bog(`${day(11)}T09:00:00`))], { rules: { 'co.direct-contact': { weekStart: 'SAT' } } }), allowed: true },
  { name: 'CO week starting Monday (default) for the same case', input: co(bog(`${day(14)}T09:00:00`), 'sms', [call(bog(`${day(11)}T09:00:00`))]), allowed: false },
  { name: 'CO "direct contact = conversation": an unanswered call does not count', input: co(bog(`${day(11)}T16:00:00`), 'sms', [call(bog(`${day(11)}T09:00:00`))], { rules: { 'co.direct-contact': { directContact: 'conversation' } } }), allowed: true },
  { name: 'CO "direct contact = conversation": a conversation does', input: co(bog(`${day(11)}T16:00:00`), 'sms', [call(bog(`${day(11)}T09:00:00`), 'answered', { conversation: true })], { rules: { 'co.direct-contact': { directContact: 'conversation' } } }), allowed: false },
  { name: 'CO "direct contact = reached": a failed SMS does not count', input: co(bog(`${day(11)}T16:00:00`), 'call', [msg(bog(`${day(11)}T09:00:00`), 'sms', 'failed')], { rules: { 'co.direct-contact': { directContact: 'reached' } } }), allowed: true },
];

function cl(at: string, channel: Channel, history: Item[]): PolicyInput {
  return { jurisdiction: 'CL', debtor: { timezones: ['America/Santiago'] }, history, proposed: { at, channel, debtId: 'A' } };
}

const clRows: Row[] = [
  { name: 'CL a call 6 days ago blocks another phone contact', input: cl(scl(`${day(11)}T10:00:00`), 'call', [call(scl(`${day(5)}T10:00:00`))]), allowed: false, code: 'FREQUENCY.CAP_EXCEEDED', next: scl(`${day(12)}T08:00:00`) },
  { name: 'CL a call 7 days ago does not', input: cl(scl(`${day(11)}T10:00:00`), 'call', [call(scl(`${day(4)}T10:00:00`))]), allowed: true },
  { name: 'CL a visit counts with calls', input: cl(scl(`${day(11)}T10:00:00`), 'call', [{ ...call(scl(`${day(9)}T10:00:00`)), channel: 'visit', outcome: null }]), allowed: false },
  { name: 'CL a number not in service is not a phone contact', input: cl(scl(`${day(11)}T10:00:00`), 'call', [call(scl(`${day(9)}T10:00:00`), 'not_in_service')]), allowed: true },
  { name: 'CL written: Monday then Tuesday is too close', input: cl(scl(`${day(10)}T10:00:00`), 'email', [msg(scl(`${day(9)}T10:00:00`), 'sms')]), allowed: false, code: 'FREQUENCY.MIN_DAYS_BETWEEN', next: scl(`${day(11)}T08:00:00`) },
  { name: 'CL written: Monday then Wednesday', input: cl(scl(`${day(11)}T10:00:00`), 'email', [msg(scl(`${day(9)}T10:00:00`), 'sms')]), allowed: true },
  { name: 'CL written: a third within 7 days', input: cl(scl(`${day(13)}T10:00:00`), 'letter', [msg(scl(`${day(9)}T10:00:00`), 'sms'), msg(scl(`${day(11)}T10:00:00`), 'email')]), allowed: false, code: 'FREQUENCY.CAP_EXCEEDED', next: scl(`${day(16)}T00:00:00`) }, // letters keep no hours
];

describe('frequency rules', () => {
  it.each([...usRows, ...coRows, ...clRows].map((r) => [r.name, r] as const))('%s', (_, r) => {
    const d = evaluateContact(r.input);
    expect(d.allowed, JSON.stringify(d.reasons.map((x) => x.code))).toBe(r.allowed);
    if (r.code) expect(d.reasons.map((x) => x.code)).toContain(r.code);
    if (r.next) expect(d.nextAllowedAt).toBe(r.next);
  });

  it('cites the exact paragraph of Regulation F', () => {
    const d = evaluateContact(us(ny(`${day(8)}T15:00:00`), seven()));
    expect(d.reasons[0]).toMatchObject({ code: 'FREQUENCY.CALLS_7_IN_7_DAYS', rule: 'us.calls.7-in-7', citation: '12 CFR 1006.14(b)(2)(i)(A)', verified: true });
    expect(d.reasons[0]?.message.en).toContain('2026-03-02');
    expect(d.reasons[0]?.message.es).toContain('deuda A');
  });
});
