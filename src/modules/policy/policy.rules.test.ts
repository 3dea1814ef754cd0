import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_PACKS, evaluateContact } from './index.ts';
import type { Channel, PolicyInput } from './index.ts';

/**
 * Table-driven cases for every rule of every pack: the jurisdiction-specific rules by hand, the
 * rules every pack carries (designations, cease, opt-out, holds, provider rules, preferences,
 * vulnerability) generated per pack. The last test checks that together they exercise every
 * rule id of every pack, so a rule added to a pack without a case fails the suite.
 */

const ZONE: Record<string, string> = {
  US: 'America/New_York', CO: 'America/Bogota', MX: 'America/Mexico_City', PE: 'America/Lima',
  CL: 'America/Santiago', BR: 'America/Sao_Paulo', ES: 'Europe/Madrid', UK: 'Europe/London',
};
const ALL: Channel[] = ['call', 'sms', 'whatsapp', 'email', 'letter', 'visit'];

/** UTC instant of a local wall-clock time (luxon, independent of the engine's arithmetic). */
const local = (zone: string, wall: string): string =>
  DateTime.fromISO(wall, { zone }).toUTC().toISO({ suppressMilliseconds: true }) as string;

interface Case {
  name: string;
  input: PolicyInput;
  allowed: boolean;
  /** Deny codes expected, exactly. */
  deny?: string[];
  /** A rule id that must appear among the reasons (deny or info). */
  rule: string;
  verified?: boolean;
}

type Tweak = {
  at: string;
  channel?: Channel;
  proposed?: Partial<PolicyInput['proposed']>;
  debtor?: Partial<PolicyInput['debtor']>;
  history?: PolicyInput['history'];
  overlay?: PolicyInput['tenantOverlay'];
  debtId?: string;
};

/** A debtor in the pack's main zone, who authorised every channel (so CO art. 2 stays quiet). */
function input(j: string, t: Tweak): PolicyInput {
  return {
    jurisdiction: j,
    debtor: { timezones: [ZONE[j] as string], consents: ALL.map((channel) => ({ channel })), ...t.debtor },
    history: t.history ?? [],
    proposed: {
      at: local(ZONE[j] as string, t.at), channel: t.channel ?? 'call', debtId: t.debtId ?? 'A', address: '+10000000000', ...t.proposed,
    },
    tenantOverlay: t.overlay ?? null,
  };
}

const call = (at: string, extra: Partial<NonNullable<PolicyInput['history']>[number]> = {}) => ({
  at, channel: 'call' as const, direction: 'outbound' as const, debtIds: ['A'], outcome: 'no_answer' as const, ...extra,
});
const message = (at: string, channel: Channel, extra: Partial<NonNullable<PolicyInput['history']>[number]> = {}) => ({
  at, channel, direction: 'outbound' as const, debtIds: ['A'], outcome: 'delivered' as const, ...extra,
});

const US = ZONE['US'] as string;
const creditorSms = { sender: 'creditor' as const };

const JURISDICTION_CASES: Case[] = [
  // United States — Regulation F
  { name: 'US 21:00:01 is after hours', input: input('US', { at: '2026-03-11T21:00:01' }), allowed: false, deny: ['HOURS.OUTSIDE_WINDOW'], rule: 'us.hours' },
  { name: 'US 21:00 itself is allowed', input: input('US', { at: '2026-03-11T21:00:00' }), allowed: true, rule: 'us.hours', verified: true },
  {
    name: 'US no zone: every mainland zone, Alaska and Hawaii intersect (09:00 New York is 03:00 Honolulu)',
    input: input('US', { at: '2026-03-11T09:00:00', debtor: { timezones: [] } }), allowed: false, deny: ['HOURS.OUTSIDE_WINDOW'], rule: 'us.location',
  },
  {
    name: 'US 7 counted calls in the last 7 days about debt A',
    input: input('US', { at: '2026-03-11T12:00:00', history: [5, 6, 7, 8, 9, 10].map((d) => call(local(US, `2026-03-${String(d).padStart(2, '0')}T10:00:00`))).concat([call(local(US, '2026-03-10T15:00:00'))]) }),
    allowed: false, deny: ['FREQUENCY.CALLS_7_IN_7_DAYS'], rule: 'us.calls.7-in-7',
  },
  {
    name: 'US call within 7 days after a telephone conversation',
    input: input('US', { at: '2026-03-11T12:00:00', history: [call(local(US, '2026-03-05T10:00:00'), { outcome: 'answered', conversation: true })] }),
    allowed: false, deny: ['FREQUENCY.CALL_AFTER_CONVERSATION'], rule: 'us.calls.after-conversation',
  },
  {
    name: 'US call inside a consent window the debtor gave is not presumed harassing',
    input: input('US', { at: '2026-03-11T12:00:00', history: [call(local(US, '2026-03-11T10:00:00'), { outcome: 'answered', conversation: true, consentToCallUntil: '2026-03-12' })] }),
    allowed: true, rule: 'us.calls.consent-window',
  },
  {
    name: 'US texts: a fourth in 7 days (Tacto default, unverified)',
    input: input('US', {
      at: '2026-03-11T12:00:00', channel: 'sms', overlay: creditorSms,
      history: ['2026-03-06', '2026-03-08', '2026-03-10'].map((d) => message(local(US, `${d}T12:00:00`), 'sms')),
    }),
    allowed: false, deny: ['FREQUENCY.CAP_EXCEEDED'], rule: 'us.texts.cap', verified: false,
  },
  {
    name: 'US e-mails: an eighth in 7 days (Tacto default, unverified)',
    input: input('US', { at: '2026-03-11T12:00:00', channel: 'email', history: [5, 6, 7, 8, 9, 10, 11].map((d) => message(local(US, `2026-03-${String(d).padStart(2, '0')}T09:00:00`), 'email')) }),
    allowed: false, deny: ['FREQUENCY.CAP_EXCEEDED'], rule: 'us.emails.cap', verified: false,
  },
  { name: 'US SMS by an agency (A2P 10DLC)', input: input('US', { at: '2026-03-11T12:00:00', channel: 'sms' }), allowed: false, deny: ['CHANNEL.SENDER_NOT_PERMITTED'], rule: 'us.sms.sender' },
  {
    name: 'US SMS by the creditor without opt-in',
    input: input('US', { at: '2026-03-11T12:00:00', channel: 'sms', overlay: creditorSms, debtor: { consents: [] } }),
    allowed: false, deny: ['CONSENT.CHANNEL_NOT_AUTHORISED'], rule: 'us.sms.opt-in',
  },

  // Colombia — Ley 2300
  { name: 'CO weekday 06:59 is before 07:00', input: input('CO', { at: '2026-03-11T06:59:00' }), allowed: false, deny: ['HOURS.OUTSIDE_WINDOW'], rule: 'co.hours' },
  { name: 'CO weekday 19:00 allowed', input: input('CO', { at: '2026-03-11T19:00:00' }), allowed: true, rule: 'co.hours' },
  { name: 'CO Saturday 15:00:01 is after 15:00', input: input('CO', { at: '2026-03-14T15:00:01' }), allowed: false, deny: ['HOURS.OUTSIDE_WINDOW'], rule: 'co.hours' },
  { name: 'CO never on Sunday', input: input('CO', { at: '2026-03-15T10:00:00' }), allowed: false, deny: ['DAYS.WEEKDAY_BLOCKED'], rule: 'co.hours' },
  { name: 'CO festivo: Reyes Magos moved to Monday 2026-01-12', input: input('CO', { at: '2026-01-12T10:00:00' }), allowed: false, deny: ['DAYS.PUBLIC_HOLIDAY'], rule: 'co.holidays' },
  { name: 'CO no zone: Bogotá is the only zone', input: input('CO', { at: '2026-03-11T10:00:00', debtor: { timezones: null } }), allowed: true, rule: 'co.location' },
  { name: 'CO only authorised channels', input: input('CO', { at: '2026-03-11T10:00:00', channel: 'email', debtor: { consents: [{ channel: 'call' }] } }), allowed: false, deny: ['CONSENT.CHANNEL_NOT_AUTHORISED'], rule: 'co.authorised-channels' },
  { name: 'CO no visits', input: input('CO', { at: '2026-03-11T10:00:00', channel: 'visit' }), allowed: false, deny: ['CHANNEL.PROHIBITED'], rule: 'co.visits' },
  {
    name: 'CO after a direct contact: not twice the same day, not another channel that week',
    input: input('CO', { at: '2026-03-11T16:00:00', channel: 'sms', history: [call(local('America/Bogota', '2026-03-11T09:00:00'))] }),
    allowed: false, deny: ['FREQUENCY.OTHER_CHANNEL_SAME_WEEK', 'FREQUENCY.SAME_DAY_AFTER_DIRECT_CONTACT'], rule: 'co.direct-contact',
  },

  // Mexico — CONDUSEF
  { name: 'MX 22:00 allowed', input: input('MX', { at: '2026-03-11T22:00:00' }), allowed: true, rule: 'mx.hours' },
  { name: 'MX 22:00:01 is after hours', input: input('MX', { at: '2026-03-11T22:00:01' }), allowed: false, deny: ['HOURS.OUTSIDE_WINDOW'], rule: 'mx.hours' },
  { name: 'MX no zone: Cancún to Tijuana intersect (07:30 Mexico City is 05:30 Tijuana)', input: input('MX', { at: '2026-03-11T07:30:00', debtor: { timezones: [] } }), allowed: false, rule: 'mx.location' },

  // Peru — Ley 29571 art. 62
  { name: 'PE call at 20:00 is inside the prohibited range', input: input('PE', { at: '2026-03-11T20:00:00' }), allowed: false, deny: ['HOURS.OUTSIDE_WINDOW'], rule: 'pe.hours' },
  { name: 'PE call at 07:00 allowed', input: input('PE', { at: '2026-03-11T07:00:00' }), allowed: true, rule: 'pe.hours' },
  { name: 'PE no visits on Saturday', input: input('PE', { at: '2026-03-14T10:00:00', channel: 'visit' }), allowed: false, deny: ['DAYS.WEEKDAY_BLOCKED'], rule: 'pe.hours' },
  { name: 'PE no calls on a public holiday (2026-07-29)', input: input('PE', { at: '2026-07-29T10:00:00' }), allowed: false, deny: ['DAYS.PUBLIC_HOLIDAY'], rule: 'pe.holidays' },
  { name: 'PE e-mail on Saturday night is not restricted by art. 62', input: input('PE', { at: '2026-03-14T22:00:00', channel: 'email', debtor: { timezones: null } }), allowed: true, rule: 'pe.location' },

  // Chile — Ley 19.496 art. 37
  { name: 'CL 20:00:01 is after hours', input: input('CL', { at: '2026-03-11T20:00:01' }), allowed: false, deny: ['HOURS.OUTSIDE_WINDOW'], rule: 'cl.hours' },
  { name: 'CL Saturday blocked by default (unverified)', input: input('CL', { at: '2026-03-14T10:00:00' }), allowed: false, deny: ['DAYS.WEEKDAY_BLOCKED'], rule: 'cl.hours.saturday', verified: false },
  { name: 'CL not on a public holiday (2026-09-18)', input: input('CL', { at: '2026-09-18T10:00:00', channel: 'email' }), allowed: false, deny: ['DAYS.PUBLIC_HOLIDAY'], rule: 'cl.holidays' },
  { name: 'CL no zone: Santiago, Punta Arenas and Easter Island intersect', input: input('CL', { at: '2026-03-11T08:30:00', debtor: { timezones: null } }), allowed: false, rule: 'cl.location' },
  {
    name: 'CL one phone contact a week',
    input: input('CL', { at: '2026-03-11T10:00:00', history: [call(local('America/Santiago', '2026-03-06T10:00:00'))] }),
    allowed: false, deny: ['FREQUENCY.CAP_EXCEEDED'], rule: 'cl.calls-visits.weekly',
  },
  {
    name: 'CL written messages at least 2 days apart',
    input: input('CL', { at: '2026-03-11T10:00:00', channel: 'email', history: [message(local('America/Santiago', '2026-03-10T10:00:00'), 'sms')] }),
    allowed: false, deny: ['FREQUENCY.MIN_DAYS_BETWEEN'], rule: 'cl.written.weekly',
  },
  {
    name: 'CL at most 2 written messages a week',
    input: input('CL', { at: '2026-03-11T10:00:00', channel: 'letter', history: [message(local('America/Santiago', '2026-03-05T10:00:00'), 'email'), message(local('America/Santiago', '2026-03-09T10:00:00'), 'sms')] }),
    allowed: false, deny: ['FREQUENCY.CAP_EXCEEDED'], rule: 'cl.written.weekly',
  },

  // Brazil — CDC + state-hours overlay (unverified)
  { name: 'BR Saturday 14:00:01 is after state hours', input: input('BR', { at: '2026-03-14T14:00:01' }), allowed: false, deny: ['HOURS.OUTSIDE_WINDOW'], rule: 'br.hours.state', verified: false },
  { name: 'BR weekday 20:00 allowed', input: input('BR', { at: '2026-03-11T20:00:00' }), allowed: true, rule: 'br.hours.state' },
  { name: 'BR no zone: Noronha to Rio Branco intersect', input: input('BR', { at: '2026-03-11T08:30:00', debtor: { timezones: [] } }), allowed: false, rule: 'br.location' },

  // Spain — TRLGDCU art. 96.2 benchmark for calls
  { name: 'ES call at 08:59 is before 09:00', input: input('ES', { at: '2026-03-11T08:59:00' }), allowed: false, deny: ['HOURS.OUTSIDE_WINDOW'], rule: 'es.calls.hours' },
  { name: 'ES SMS at 08:59 is not a call (no zone: Madrid and Canarias)', input: input('ES', { at: '2026-03-11T08:59:00', channel: 'sms', debtor: { timezones: [] } }), allowed: true, rule: 'es.location' },
  { name: 'ES no calls on Saturday', input: input('ES', { at: '2026-03-14T12:00:00' }), allowed: false, deny: ['DAYS.WEEKDAY_BLOCKED'], rule: 'es.calls.hours' },
  { name: 'ES no calls on Epiphany (2026-01-06)', input: input('ES', { at: '2026-01-06T12:00:00' }), allowed: false, deny: ['DAYS.PUBLIC_HOLIDAY'], rule: 'es.calls.holidays' },
  {
    name: 'ES-MD regional holiday: Jueves Santo 2026-04-02 in Madrid',
    input: input('ES', { at: '2026-04-02T12:00:00', debtor: { country: 'ES', region: 'MD' } }), allowed: false, deny: ['DAYS.PUBLIC_HOLIDAY'], rule: 'es.calls.holidays',
  },

  // United Kingdom — CONC 7 benchmark hours, breathing space
  { name: 'UK 21:00:01 is after reasonable hours', input: input('UK', { at: '2026-03-11T21:00:01' }), allowed: false, deny: ['HOURS.OUTSIDE_WINDOW'], rule: 'uk.hours' },
  { name: 'UK 08:00 allowed on Sunday', input: input('UK', { at: '2026-03-15T08:00:00', debtor: { timezones: [] } }), allowed: true, rule: 'uk.location' },
];

const PREFIX: Record<string, string> = { US: 'us', CO: 'co', MX: 'mx', PE: 'pe', CL: 'cl', BR: 'br', ES: 'es', UK: 'uk' };
const NOON = '2026-03-11T12:00:00'; // a Wednesday, no public holiday in any pack's country

/** The rules every pack carries, one table per pack. */
function commonCases(j: string): Case[] {
  const p = PREFIX[j] as string;
  const zone = ZONE[j] as string;
  const whatsapp = { enabledChannels: ['whatsapp' as const] };
  const cases: Case[] = [
    {
      name: `${j} designated inconvenient time blocks every channel`,
      input: input(j, { at: NOON, channel: 'email', debtor: { inconvenientTimes: [{ weekdays: ['WED'], from: '11:00', to: '12:59' }] } }),
      allowed: false, deny: ['INCONVENIENT.TIME'], rule: `${p}.designations`,
    },
    {
      name: `${j} designated inconvenient place (work number)`,
      input: input(j, { at: NOON, debtor: { inconvenientPlaces: [{ address: '+1 (000) 000-0000' }] } }),
      allowed: false, deny: ['INCONVENIENT.PLACE'], rule: `${p}.designations`,
    },
    { name: `${j} cease received`, input: input(j, { at: NOON, debtor: { ceaseReceivedAt: '2026-03-01' } }), allowed: false, deny: ['CEASE.RECEIVED'], rule: `${p}.cease` },
    {
      name: `${j} cease: the notice that collection stops may still be sent by letter`,
      input: input(j, { at: NOON, channel: 'letter', proposed: { purpose: 'cease_notice' }, debtor: { ceaseReceivedAt: '2026-03-01' } }),
      allowed: true, rule: `${p}.cease`,
    },
    {
      name: `${j} opt-out of that address`,
      input: input(j, { at: NOON, channel: 'email', proposed: { address: 'Ana@Example.com' }, debtor: { optOuts: [{ channel: 'email', address: 'ana@example.com' }] } }),
      allowed: false, deny: ['OPT_OUT.ADDRESS'], rule: `${p}.opt-out`,
    },
    { name: `${j} WhatsApp not enabled for the tenant`, input: input(j, { at: NOON, channel: 'whatsapp' }), allowed: false, deny: ['CHANNEL.NOT_ENABLED'], rule: `${p}.whatsapp.enablement` },
    {
      name: `${j} WhatsApp without the debtor's opt-in`,
      input: input(j, { at: NOON, channel: 'whatsapp', overlay: whatsapp, debtor: { consents: ALL.filter((c) => c !== 'whatsapp').map((channel) => ({ channel })) } }),
      allowed: false, rule: `${p}.whatsapp.opt-in`,
    },
    {
      name: `${j} free-form WhatsApp outside the 24-hour window`,
      input: input(j, { at: NOON, channel: 'whatsapp', overlay: whatsapp, proposed: { messageType: 'free_form' } }),
      allowed: false, deny: ['WHATSAPP.OUTSIDE_SERVICE_WINDOW'], rule: `${p}.whatsapp.service-window`,
    },
    {
      name: `${j} free-form WhatsApp inside the window the debtor opened`,
      input: input(j, {
        at: NOON, channel: 'whatsapp', overlay: whatsapp, proposed: { messageType: 'free_form' },
        history: [{ at: local(zone, '2026-03-11T10:00:00'), channel: 'whatsapp', direction: 'inbound', outcome: 'received' }],
      }),
      allowed: true, rule: `${p}.whatsapp.service-window`,
    },
    { name: `${j} debtor prefers letters`, input: input(j, { at: NOON, debtor: { preferences: { channels: ['letter'] } } }), allowed: false, deny: ['PREFERENCE.CHANNEL'], rule: `${p}.preferences` },
    { name: `${j} vulnerability pause`, input: input(j, { at: NOON, debtor: { vulnerability: { drivers: ['health'], pauseUntil: '2026-03-31' } } }), allowed: false, deny: ['VULNERABILITY.PAUSED'], rule: `${p}.vulnerability` },
  ];
  for (const kind of ['dispute', 'bankruptcy', 'deceased', 'breathing_space', 'pause', 'cease', 'litigation'] as const) {
    cases.push({
      name: `${j} hold ${kind} on every debt`,
      input: input(j, { at: NOON, debtor: { holds: [{ kind, from: '2026-03-01' }] } }),
      allowed: false, deny: [`HOLD.${kind.toUpperCase()}`], rule: `${p}.hold.${kind.replace('_', '-')}`,
    });
  }
  return cases;
}

const ALL_CASES = [...JURISDICTION_CASES, ...Object.keys(ZONE).flatMap(commonCases)];

function check(c: Case): void {
  const d = evaluateContact(c.input);
  expect(d.allowed, JSON.stringify(d.reasons.map((r) => r.code))).toBe(c.allowed);
  if (c.deny) expect(d.reasons.filter((r) => r.effect === 'deny').map((r) => r.code).sort()).toEqual([...c.deny].sort());
  if (!c.allowed) expect(d.reasons.some((r) => r.rule === c.rule)).toBe(true);
  if (c.verified !== undefined && !c.allowed) expect(d.reasons.find((r) => r.rule === c.rule)?.verified).toBe(c.verified);
  for (const r of d.reasons) {
    expect(r.citation.length).toBeGreaterThan(0);
    expect(r.message.es.length).toBeGreaterThan(10);
    expect(r.message.en.length).toBeGreaterThan(10);
  }
}

describe('pack rules', () => {
  it.each(ALL_CASES.map((c) => [c.name, c] as const))('%s', (_, c) => check(c));

  it('every rule of every pack is exercised by a case above', () => {
    const seen = new Set<string>();
    for (const c of ALL_CASES) for (const r of evaluateContact(c.input).reasons) seen.add(r.rule);
    const missing = Object.values(BUILT_IN_PACKS).flatMap((pack) => pack.rules.map((r) => r.id)).filter((id) => !seen.has(id));
    expect(missing).toEqual([]);
  });

  it('the ES-MD regional holiday does not close Spain outside Madrid', () => {
    const d = evaluateContact(input('ES', { at: '2026-04-02T12:00:00', debtor: { country: 'ES', region: 'CT' } }));
    expect(d.allowed).toBe(true);
  });
});

