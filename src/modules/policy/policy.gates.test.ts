import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { evaluateContact } from './index.ts';
import type { Channel, PolicyInput } from './index.ts';

/**
 * Gates and designations: holds per debt and for every debt, cease and its notices, opt-outs per
 * channel and address with one confirmation, consent spans, designated inconvenient times and
 * places with the single reply, vulnerability adaptations and preferences.
 */

type Item = NonNullable<PolicyInput['history']>[number];
type Debtor = PolicyInput['debtor'];
const ny = (s: string): string => DateTime.fromISO(s, { zone: 'America/New_York' }).toUTC().toISO({ suppressMilliseconds: true }) as string;
const WED_NOON = ny('2026-03-11T12:00:00');

function us(debtor: Partial<Debtor>, proposed: Partial<PolicyInput['proposed']> = {}, history: Item[] = [], jurisdiction = 'US'): PolicyInput {
  return {
    jurisdiction,
    debtor: { timezones: [jurisdiction === 'UK' ? 'Europe/London' : 'America/New_York'], ...debtor },
    history,
    proposed: { at: WED_NOON, channel: 'call', debtId: 'A', address: '+12125550100', ...proposed },
  };
}

interface Row { name: string; input: PolicyInput; allowed: boolean; code?: string; next?: string | null }

const rows: Row[] = [
  // Holds
  { name: 'a dispute on debt B leaves debt A alone', input: us({ holds: [{ kind: 'dispute', from: '2026-03-01', debtIds: ['B'] }] }), allowed: true },
  { name: 'a dispute on debt B blocks debt B', input: us({ holds: [{ kind: 'dispute', from: '2026-03-01', debtIds: ['B'] }] }, { debtId: 'B' }), allowed: false, code: 'HOLD.DISPUTE', next: null },
  { name: 'a hold without debts covers every debt', input: us({ holds: [{ kind: 'bankruptcy', from: '2026-03-01' }] }, { debtId: 'Z' }), allowed: false, code: 'HOLD.BANKRUPTCY' },
  { name: 'a contact about every debt meets a hold on one of them', input: us({ holds: [{ kind: 'pause', debtIds: ['B'] }] }, { debtId: null }), allowed: false, code: 'HOLD.PAUSE' },
  { name: 'a contact about A and B meets a hold on B', input: us({ holds: [{ kind: 'pause', debtIds: ['B'] }] }, { debtId: null, debtIds: ['A', 'B'] }), allowed: false },
  { name: 'a hold that starts tomorrow does not block today', input: us({ holds: [{ kind: 'pause', from: '2026-03-12' }] }), allowed: true },
  { name: 'a hold with an end: next allowed after it (local day inclusive)', input: us({ holds: [{ kind: 'pause', from: '2026-03-01', until: '2026-03-13' }] }), allowed: false, next: ny('2026-03-14T08:00:00') },
  { name: 'a disputed debt may receive the verification by letter', input: us({ holds: [{ kind: 'dispute', debtIds: ['A'] }] }, { channel: 'letter', purpose: 'dispute_verification' }), allowed: true, code: 'HOLD.PURPOSE_ALLOWED' },
  { name: 'but not by phone', input: us({ holds: [{ kind: 'dispute', debtIds: ['A'] }] }, { purpose: 'dispute_verification' }), allowed: false, code: 'HOLD.DISPUTE' },
  { name: 'UK breathing space: contact the debtor asked for', input: us({ holds: [{ kind: 'breathing_space', from: '2026-03-01' }] }, { purpose: 'debtor_requested', at: '2026-03-11T12:00:00Z' }, [], 'UK'), allowed: true },
  { name: 'UK breathing space: collection contact', input: us({ holds: [{ kind: 'breathing_space', from: '2026-03-01' }] }, { at: '2026-03-11T12:00:00Z' }, [], 'UK'), allowed: false, code: 'HOLD.BREATHING_SPACE' },

  // Cease (1006.6(c))
  { name: 'cease received today at 09:00 blocks noon', input: us({ ceaseReceivedAt: ny('2026-03-11T09:00:00') }), allowed: false, code: 'CEASE.RECEIVED', next: null },
  { name: 'cease received at 13:00 does not block noon', input: us({ ceaseReceivedAt: ny('2026-03-11T13:00:00') }), allowed: true },
  { name: 'cease: a 6(c)(2) notice by e-mail', input: us({ ceaseReceivedAt: '2026-03-01' }, { channel: 'email', purpose: 'cease_notice' }), allowed: true, code: 'CEASE.NOTICE_ALLOWED' },
  { name: 'cease: not as a phone call', input: us({ ceaseReceivedAt: '2026-03-01' }, { purpose: 'cease_notice' }), allowed: false },

  // Opt-outs
  { name: 'opt-out of one number leaves another', input: us({ optOuts: [{ channel: 'call', address: '+1 212 555 0199' }] }), allowed: true },
  { name: 'opt-out of this number, whatever its formatting', input: us({ optOuts: [{ channel: 'call', address: '+1 (212) 555-0100' }] }), allowed: false, code: 'OPT_OUT.ADDRESS', next: null },
  { name: 'opt-out of a channel altogether', input: us({ optOuts: [{ channel: 'call' }] }), allowed: false, code: 'OPT_OUT.CHANNEL' },
  { name: 'opt-out of some address when the contact names none', input: us({ optOuts: [{ channel: 'call', address: '+12125550100' }] }, { address: null }), allowed: false, code: 'OPT_OUT.ADDRESS_UNKNOWN' },
  { name: 'opt-out of e-mail does not stop calls', input: us({ optOuts: [{ channel: 'email', address: '+12125550100' }] }), allowed: true },
  { name: 'opt-out received later than the contact', input: us({ optOuts: [{ channel: 'call', at: '2026-03-12' }] }), allowed: true },
  {
    name: 'one confirmation of the opt-out is allowed',
    input: us({ optOuts: [{ channel: 'email', address: 'ana@example.com', at: '2026-03-10' }] }, { channel: 'email', address: 'ana@example.com', purpose: 'opt_out_confirmation' }),
    allowed: true, code: 'OPT_OUT.CONFIRMATION_ALLOWED',
  },
  {
    name: 'a second confirmation is not',
    input: us(
      { optOuts: [{ channel: 'email', address: 'ana@example.com', at: '2026-03-10' }] }, { channel: 'email', address: 'ana@example.com', purpose: 'opt_out_confirmation' },
      [{ at: ny('2026-03-10T12:00:00'), channel: 'email', direction: 'outbound', address: 'ANA@example.com', purpose: 'opt_out_confirmation', outcome: 'delivered' }],
    ),
    allowed: false, code: 'OPT_OUT.ADDRESS',
  },

  // Consent spans (CO art. 2)
  { name: 'CO consent revoked yesterday', input: { ...us({ timezones: ['America/Bogota'], consents: [{ channel: 'call', revokedAt: '2026-03-10' }] }, {}, [], 'CO') }, allowed: false, code: 'CONSENT.CHANNEL_NOT_AUTHORISED', next: null },
  { name: 'CO consent for another number', input: { ...us({ timezones: ['America/Bogota'], consents: [{ channel: 'call', address: '+573001112233' }] }, {}, [], 'CO') }, allowed: false },
  { name: 'CO consent given tomorrow: allowed from then', input: { ...us({ timezones: ['America/Bogota'], consents: [{ channel: 'call', at: '2026-03-12T15:00:00Z' }] }, {}, [], 'CO') }, allowed: false, next: '2026-03-12T15:00:00Z' },

  // Designated inconvenient times (1006.6(b)(1)(i))
  { name: 'Tuesdays all day until 2020-12-31 does not cover 2026', input: us({ inconvenientTimes: [{ weekdays: ['WED'], from: '00:00', to: '23:59', until: '2020-12-31' }] }), allowed: true },
  { name: 'a designation blocks to the end of its "to" minute', input: us({ inconvenientTimes: [{ from: '09:00', to: '11:59' }] }, { at: ny('2026-03-11T11:59:59') }), allowed: false, code: 'INCONVENIENT.TIME', next: ny('2026-03-11T12:00:00') },
  { name: 'an overnight designation wraps past midnight', input: us({ inconvenientTimes: [{ weekdays: ['TUE'], from: '20:00', to: '12:29' }] }, { at: ny('2026-03-11T12:00:00') }), allowed: false, next: ny('2026-03-11T12:30:00') },
  { name: 'since: not before the designation was made', input: us({ inconvenientTimes: [{ from: '11:00', to: '13:00', since: '2026-03-12' }] }), allowed: true },
  {
    name: 'US: the debtor called during a designated time: one reply on the same channel',
    input: us({ inconvenientTimes: [{ weekdays: ['WED'], from: '09:00', to: '17:00' }] }, {}, [{ at: ny('2026-03-11T11:30:00'), channel: 'call', direction: 'inbound', outcome: 'answered' }]),
    allowed: true, code: 'INCONVENIENT.REPLY_ALLOWED',
  },
  {
    name: 'US: the reply is on the same channel only',
    input: us({ inconvenientTimes: [{ weekdays: ['WED'], from: '09:00', to: '17:00' }] }, { channel: 'email' }, [{ at: ny('2026-03-11T11:30:00'), channel: 'call', direction: 'inbound', outcome: 'answered' }]),
    allowed: false, code: 'INCONVENIENT.TIME', next: ny('2026-03-11T17:01:00'),
  },
  {
    name: 'US: only once',
    input: us({ inconvenientTimes: [{ weekdays: ['WED'], from: '09:00', to: '17:00' }] }, {}, [
      { at: ny('2026-03-11T11:00:00'), channel: 'call', direction: 'inbound', outcome: 'answered' },
      { at: ny('2026-03-11T11:30:00'), channel: 'call', direction: 'outbound', outcome: 'answered' },
    ]),
    allowed: false, code: 'INCONVENIENT.TIME',
  },
  {
    name: 'CO has no reply exemption (baseline designations)',
    input: { ...us({ timezones: ['America/Bogota'], consents: [{ channel: 'call' }], inconvenientTimes: [{ weekdays: ['WED'], from: '09:00', to: '17:00' }] }, { at: '2026-03-11T17:00:00Z' }, [{ at: '2026-03-11T16:30:00Z', channel: 'call', direction: 'inbound', outcome: 'answered' }], 'CO') },
    allowed: false, code: 'INCONVENIENT.TIME',
  },
  {
    name: 'US: designated place (work number) — one reply after the debtor calls from it',
    input: us({ inconvenientPlaces: [{ address: '+12125550100', channel: 'call' }] }, {}, [{ at: ny('2026-03-11T11:00:00'), channel: 'call', direction: 'inbound', address: '+12125550100', outcome: 'answered' }]),
    allowed: true, code: 'INCONVENIENT.REPLY_ALLOWED',
  },
  { name: 'designated place: another number is fine', input: us({ inconvenientPlaces: [{ address: '+12125550199' }] }), allowed: true },

  // Vulnerability adaptations (FG21/1) and preferences narrow only
  { name: 'vulnerability: only letters', input: us({ vulnerability: { drivers: ['capability'], channels: ['letter'] } }), allowed: false, code: 'VULNERABILITY.CHANNEL', next: null },
  { name: 'vulnerability: mornings only', input: us({ vulnerability: { hours: [{ from: '09:00', to: '11:00' }] } }), allowed: false, code: 'VULNERABILITY.HOURS', next: ny('2026-03-12T09:00:00') },
  { name: 'vulnerability: review date passed is reported', input: us({ vulnerability: { drivers: ['health'], reviewAt: '2026-03-01' } }), allowed: true, code: 'VULNERABILITY.REVIEW_DUE' },
  { name: 'preference: evenings', input: us({ preferences: { hours: [{ from: '18:00', to: '20:00' }] } }), allowed: false, code: 'PREFERENCE.HOURS', next: ny('2026-03-11T18:00:00') },
  { name: 'preference: weekends only', input: us({ preferences: { days: ['SAT', 'SUN'] } }), allowed: false, code: 'PREFERENCE.DAY', next: ny('2026-03-14T08:00:00') },
  { name: 'preference hours cannot widen the law (07:00–23:00 asked)', input: us({ preferences: { hours: [{ from: '07:00', to: '23:00' }] } }, { at: ny('2026-03-11T22:00:00') }), allowed: false, code: 'HOURS.OUTSIDE_WINDOW' },
];

describe('gates and designations', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_, r) => {
    const d = evaluateContact(r.input);
    expect(d.allowed, JSON.stringify(d.reasons.map((x) => x.code))).toBe(r.allowed);
    if (r.code) expect(d.reasons.map((x) => x.code)).toContain(r.code);
    if (r.next !== undefined) expect(d.nextAllowedAt).toBe(r.next);
  });

  it('reports every reason, not only the first', () => {
    const d = evaluateContact(us({
      ceaseReceivedAt: '2026-03-01', optOuts: [{ channel: 'call' }], holds: [{ kind: 'dispute' }],
    }, { at: ny('2026-03-11T22:00:00') }));
    expect(d.reasons.map((r) => r.code).sort()).toEqual(['CEASE.RECEIVED', 'HOLD.DISPUTE', 'HOURS.OUTSIDE_WINDOW', 'OPT_OUT.CHANNEL']);
    expect(d.nextAllowedAt).toBeNull();
  });

  it.each<Channel>(['call', 'sms', 'whatsapp', 'email', 'letter', 'visit'])('a designated time blocks %s too', (channel) => {
    const d = evaluateContact(us({ inconvenientTimes: [{ from: '11:00', to: '13:00' }], consents: [{ channel }] }, { channel }, [], 'US'));
    expect(d.reasons.map((r) => r.code)).toContain('INCONVENIENT.TIME');
  });
});
