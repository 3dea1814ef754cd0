import Holidays from 'date-holidays';
import type { PolicyInput } from './policy.types.ts';

/**
 * Test support (not imported by the engine): an independent auditor of contact histories. It
 * restates COMPLIANCE.md in the plainest code possible — local time from Intl, holidays straight
 * from date-holidays, counting by brute force over every window — and shares nothing with the
 * engine but the input types, so a bug in the engine's interval arithmetic cannot hide here.
 */

export type Contact = NonNullable<PolicyInput['history']>[number];

const FALLBACK: Record<string, string[]> = {
  US: ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Phoenix', 'America/Los_Angeles', 'America/Anchorage', 'Pacific/Honolulu'],
  CO: ['America/Bogota'], PE: ['America/Lima'], UK: ['Europe/London'], ES: ['Europe/Madrid', 'Atlantic/Canary'],
  MX: ['America/Mexico_City', 'America/Cancun', 'America/Chihuahua', 'America/Ciudad_Juarez', 'America/Mazatlan', 'America/Hermosillo', 'America/Tijuana'],
  CL: ['America/Santiago', 'America/Punta_Arenas', 'Pacific/Easter'],
  BR: ['America/Sao_Paulo', 'America/Bahia', 'America/Fortaleza', 'America/Recife', 'America/Belem', 'America/Manaus', 'America/Cuiaba', 'America/Porto_Velho', 'America/Boa_Vista', 'America/Rio_Branco', 'America/Noronha'],
};
const HOLIDAY_COUNTRY: Record<string, string> = { US: 'US', CO: 'CO', MX: 'MX', PE: 'PE', CL: 'CL', BR: 'BR', ES: 'ES', UK: 'GB' };

interface Local { date: string; day: number; weekday: number; ms: number }

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, Map<number, number>>();
const QUARTER = 900_000;

/** Local calendar date, weekday (Monday 0) and ms since local midnight, via Intl. */
export function localOf(zone: string, t: number): Local {
  // Offsets change only on quarter hours (UTC), so one Intl call per zone and quarter hour.
  const bucket = Math.floor(t / QUARTER);
  let byBucket = offsets.get(zone);
  if (!byBucket) offsets.set(zone, (byBucket = new Map()));
  let off = byBucket.get(bucket);
  if (off === undefined) {
    let f = formatters.get(zone);
    if (!f) {
      f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
      formatters.set(zone, f);
    }
    const p = Object.fromEntries(f.formatToParts(bucket * QUARTER).map((x) => [x.type, x.value]));
    off = Date.UTC(Number(p['year']), Number(p['month']) - 1, Number(p['day']), Number(p['hour']), Number(p['minute']), Number(p['second'])) - bucket * QUARTER;
    byBucket.set(bucket, off);
  }
  const wall = t + off;
  const day = Math.floor(wall / 86_400_000);
  let date = dates.get(day);
  if (date === undefined) dates.set(day, (date = new Date(day * 86_400_000).toISOString().slice(0, 10)));
  return { date, day, weekday: (day + 3) % 7, ms: wall - day * 86_400_000 };
}
const dates = new Map<number, string>();

const holidaySets = new Map<string, Set<string>>();
function isHoliday(country: string, region: string | null | undefined, date: string): boolean {
  const key = `${country}|${region ?? ''}|${date.slice(0, 4)}`;
  let set = holidaySets.get(key);
  if (!set) {
    const hd = region ? new Holidays(country, region) : new Holidays(country);
    set = new Set(hd.getHolidays(Number(date.slice(0, 4))).filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10)));
    holidaySets.set(key, set);
  }
  return set.has(date);
}

const H = (h: number, m = 0): number => (h * 60 + m) * 60_000;
const within = (ms: number, from: number, to: number, endInclusive: boolean): boolean => ms >= from && (endInclusive ? ms <= to : ms < to);
const CALL_COUNTED = new Set(['answered', 'answered_dropped', 'no_answer', 'voicemail', 'ringless_voicemail']);
const parsed = new Map<string, number>();
const parse = (s: string): number => {
  let t = parsed.get(s);
  if (t === undefined) {
    if (parsed.size > 1_000_000) parsed.clear();
    parsed.set(s, (t = Date.parse(s)));
  }
  return t;
};
const isDate = (s: string): boolean => s.length === 10;

/** Legal hours per jurisdiction, restated: is contact `c` at local time `l` inside them? */
function hoursOk(j: string, channel: string, l: Local, holiday: boolean): boolean {
  const wd = l.weekday;
  const weekday = wd <= 4;
  if (channel === 'letter') return true;
  switch (j) {
    case 'US': case 'UK': return within(l.ms, H(8), H(21), true);
    case 'MX': return within(l.ms, H(7), H(22), true);
    case 'CO': return !holiday && ((weekday && within(l.ms, H(7), H(19), true)) || (wd === 5 && within(l.ms, H(8), H(15), true)));
    case 'PE': return (channel !== 'call' && channel !== 'visit') || (!holiday && weekday && within(l.ms, H(7), H(20), false));
    case 'CL': return !holiday && weekday && within(l.ms, H(8), H(20), true);
    case 'BR': return (weekday && within(l.ms, H(8), H(20), true)) || (wd === 5 && within(l.ms, H(8), H(14), true));
    case 'ES': return channel !== 'call' || (!holiday && weekday && within(l.ms, H(9), H(21), true));
    default: throw new Error(j);
  }
}

/** Any `max + 1` of these local days within `span` consecutive days? */
function exceeds(days: number[], max: number, span: number): boolean {
  const s = [...days].sort((a, b) => a - b);
  for (let i = max; i < s.length; i++) if ((s[i] as number) - (s[i - max] as number) < span) return true;
  return false;
}

/**
 * Every violation in a debtor's history: only outbound collection contacts are audited (the
 * notices a purpose allows are out of the simulation's scope), under the default tenant settings.
 */
export function audit(input: Omit<PolicyInput, 'proposed'>, contacts: readonly Contact[]): string[] {
  const j = input.jurisdiction;
  const debtor = input.debtor;
  const zones = debtor.timezones && debtor.timezones.length > 0 ? debtor.timezones : (FALLBACK[j] as string[]);
  const country = debtor.country ?? (HOLIDAY_COUNTRY[j] as string);
  const overlay = input.tenantOverlay;
  const out: string[] = [];
  const sorted = [...contacts].sort((a, b) => parse(a.at) - parse(b.at));
  const outbound = sorted.filter((c) => c.direction === 'outbound');
  const says = (c: Contact, what: string): void => { out.push(`${c.at} ${c.channel} ${c.debtIds?.join(',') ?? '*'}: ${what}`); };
  const reachesDebtor = (c: Contact): boolean => c.notDebtorsNumber !== true;

  for (const c of outbound) {
    const t = parse(c.at);
    const debt = c.debtIds?.[0] ?? null;
    for (const zone of zones) {
      const l = localOf(zone, t);
      if (!hoursOk(j, c.channel, l, isHoliday(country, debtor.region, l.date))) says(c, `outside ${j} hours in ${zone} (${l.date} ${l.ms / 60_000} min)`);
      for (const d of debtor.inconvenientTimes ?? []) {
        const days = d.weekdays ?? ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];
        if (days.includes(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'][l.weekday] as 'MON') && (!d.until || l.date <= d.until)) {
          const [fh, fm] = d.from.split(':').map(Number) as [number, number];
          const [th, tm] = d.to.split(':').map(Number) as [number, number];
          if (H(fh, fm) <= H(th, tm) && within(l.ms, H(fh, fm), H(th, tm) + 60_000, false) && !usReply(j, sorted, c, zone, H(fh, fm), H(th, tm) + 60_000)) says(c, 'designated inconvenient time');
        }
      }
      for (const h of debtor.holds ?? []) {
        if (h.debtIds && h.debtIds.length > 0 && debt !== null && !h.debtIds.includes(debt)) continue;
        const from = !h.from ? '0000' : isDate(h.from) ? h.from : localOf(zone, parse(h.from)).date;
        if (l.date >= from && (!h.until || l.date <= h.until)) says(c, `hold ${h.kind}`);
      }
      const cease = debtor.ceaseReceivedAt;
      if (cease && (isDate(cease) ? l.date >= cease : t >= parse(cease))) says(c, 'after cease');
      const pref = debtor.preferences;
      if (pref?.days && !pref.days.includes(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'][l.weekday] as 'MON')) says(c, 'preferred days');
      if (pref?.hours && !pref.hours.some((w) => within(l.ms, H(...(w.from.split(':').map(Number) as [number, number])), H(...(w.to.split(':').map(Number) as [number, number])), true))) says(c, 'preferred hours');
    }
    if (debtor.optOuts?.some((o) => o.channel === c.channel && (!o.address || o.address === c.address))) says(c, 'opted out');
    if (debtor.preferences?.channels && !debtor.preferences.channels.includes(c.channel)) says(c, 'preferred channels');
    const consented = debtor.consents?.some((k) => k.channel === c.channel) ?? false;
    if ((j === 'CO' || c.channel === 'whatsapp' || (j === 'US' && c.channel === 'sms')) && !consented) says(c, 'no consent for the channel');
    if (c.channel === 'whatsapp' && !overlay?.enabledChannels?.includes('whatsapp')) says(c, 'WhatsApp not enabled');
    if (j === 'US' && c.channel === 'sms' && overlay?.sender !== 'creditor') says(c, 'SMS by an agency');
    if (j === 'CO' && c.channel === 'visit') says(c, 'visit in Colombia');
  }

  for (const zone of zones) {
    const day = (c: Contact): number => localOf(zone, parse(c.at)).day;
    const mine = outbound.filter(reachesDebtor);
    if (j === 'US') auditUsCalls(sorted, zone, says);
    if (j === 'US') {
      const texts = mine.filter((c) => (c.channel === 'sms' || c.channel === 'whatsapp') && c.outcome !== 'failed');
      if (exceeds(texts.map(day), 3, 7)) out.push(`${zone}: more than 3 texts in 7 days`);
      if (exceeds(mine.filter((c) => c.channel === 'email' && c.outcome !== 'failed').map(day), 7, 7)) out.push(`${zone}: more than 7 e-mails in 7 days`);
    }
    if (j === 'CL') {
      const phone = mine.filter((c) => (c.channel === 'call' || c.channel === 'visit') && c.outcome !== 'failed' && c.outcome !== 'not_in_service');
      if (exceeds(phone.map(day), 1, 7)) out.push(`${zone}: more than 1 phone contact or visit a week`);
      const written = mine.filter((c) => ['letter', 'sms', 'email', 'whatsapp'].includes(c.channel) && c.outcome !== 'failed');
      if (exceeds(written.map(day), 2, 7)) out.push(`${zone}: more than 2 written messages a week`);
      if (exceeds(written.map(day), 1, 2)) out.push(`${zone}: written messages less than 2 days apart`);
    }
    if (j === 'CO') {
      const days = mine.map(day);
      if (new Set(days).size !== days.length) out.push(`${zone}: more than one contact a day`);
      const weeks = new Map<number, Set<string>>();
      for (const c of mine) {
        const d = day(c);
        const monday = d - ((d + 3) % 7);
        weeks.set(monday, (weeks.get(monday) ?? new Set()).add(c.channel));
      }
      for (const [w, chans] of weeks) if (chans.size > 1) out.push(`${zone}: several channels in the week of day ${w}`);
    }
    const freq = debtor.preferences?.frequency;
    if (freq) {
      const attempts = mine.filter((c) => c.outcome !== 'failed' && c.outcome !== 'not_in_service');
      if (exceeds(attempts.map(day), freq.max, freq.days)) out.push(`${zone}: over the debtor's preferred frequency`);
    }
  }
  return out;
}

/** US 6(b)(1): one reply, same channel, in the same designated time, to a debtor-started contact. */
function usReply(j: string, sorted: readonly Contact[], c: Contact, zone: string, from: number, to: number): boolean {
  if (j !== 'US') return false;
  const t = parse(c.at);
  const l = localOf(zone, t);
  for (let i = sorted.length - 1; i >= 0; i--) {
    const x = sorted[i] as Contact;
    const tx = parse(x.at);
    if (tx >= t || x.channel !== c.channel) continue;
    if (x.direction === 'outbound') return false; // we already answered
    const lx = localOf(zone, tx);
    return lx.day === l.day && within(lx.ms, from, to, false);
  }
  return false;
}

/** 12 CFR 1006.14(b)(2) per debt, with the (b)(3) exclusions, restated by brute force. */
function auditUsCalls(sorted: readonly Contact[], zone: string, says: (c: Contact, what: string) => void): void {
  const t = (c: Contact): number => parse(c.at);
  const day = (c: Contact): number => localOf(zone, t(c)).day;
  const about = (c: Contact, d: string): boolean => !c.debtIds || c.debtIds.length === 0 || c.debtIds.includes(d);
  const debts = new Set(sorted.flatMap((c) => c.debtIds ?? []));
  for (const debt of debts) {
    const conversations = sorted.filter((c) => c.channel === 'call' && c.conversation && c.notDebtorsNumber !== true && about(c, debt));
    const excluded = (call: Contact): boolean => sorted.some((g) => {
      if (!g.consentToCallUntil || !about(g, debt) || !(t(g) < t(call))) return false;
      const untilDay = isDate(g.consentToCallUntil) ? Date.parse(`${g.consentToCallUntil}T00:00:00Z`) / 86_400_000 : localOf(zone, parse(g.consentToCallUntil)).day;
      if (!isDate(g.consentToCallUntil) && t(call) >= parse(g.consentToCallUntil)) return false;
      if (day(call) > untilDay || day(call) > day(g) + 6) return false;
      // The window ends at the next conversation; a call that itself becomes one was still inside.
      return !conversations.some((k) => t(k) > t(g) && t(k) < t(call));
    });
    const calls = sorted.filter((c) => c.direction === 'outbound' && c.channel === 'call' && about(c, debt) && c.notDebtorsNumber !== true && !excluded(c));
    const counted = calls.filter((c) => !c.outcome || CALL_COUNTED.has(c.outcome));
    for (const c of counted) {
      const n = counted.filter((x) => day(x) <= day(c) && day(x) > day(c) - 7).length;
      if (n > 7) says(c, `debt ${debt}: more than 7 calls in 7 days (${zone})`);
    }
    for (const c of calls) {
      const after = conversations.find((k) => t(k) < t(c) && day(c) <= day(k) + 6);
      if (after) says(c, `debt ${debt}: call within 7 days after the conversation of ${after.at} (${zone})`);
    }
  }
}

/** Seeded PRNG (mulberry32): simulations are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const ZONES: Record<string, string[]> = {
  US: ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Phoenix', 'America/Los_Angeles', 'America/Anchorage', 'Pacific/Honolulu'],
  CO: ['America/Bogota'], MX: ['America/Mexico_City', 'America/Tijuana', 'America/Cancun'], PE: ['America/Lima'],
  CL: ['America/Santiago', 'Pacific/Easter'], BR: ['America/Sao_Paulo', 'America/Manaus', 'America/Noronha'],
  ES: ['Europe/Madrid', 'Atlantic/Canary'], UK: ['Europe/London'],
};
const OFFSET: Record<string, number> = { US: -6, CO: -5, MX: -6, PE: -5, CL: -3, BR: -3, ES: 1, UK: 0 };
const CHANNELS = ['call', 'call', 'call', 'call', 'sms', 'sms', 'whatsapp', 'email', 'email', 'letter', 'visit'] as const;
const DAY = 86_400_000;
const iso = (t: number): string => new Date(t).toISOString();
const isoDay = (t: number): string => iso(t).slice(0, 10);

/** A debtor with a random but plausible record: zones, consents, holds, designations, preferences. */
export function generateDebtor(r: () => number, start: number, days: number): Omit<PolicyInput, 'proposed'> {
  const j = pick(r, Object.keys(ZONES));
  const pool = ZONES[j] as string[];
  const z = r();
  const timezones = z < 0.1 ? [] : z < 0.25 ? [pick(r, pool), pick(r, pool)] : [pick(r, pool)];
  const someDay = (): string => isoDay(start + Math.floor(r() * days) * DAY);
  const debtor: PolicyInput['debtor'] = {
    timezones,
    consents: (['call', 'sms', 'whatsapp', 'email', 'letter', 'visit'] as const).filter(() => r() < 0.7).map((channel) => ({ channel })),
  };
  if (j === 'ES' && r() < 0.3) Object.assign(debtor, { country: 'ES', region: 'MD' });
  if (r() < 0.1) debtor.holds = [{ kind: pick(r, ['dispute', 'bankruptcy', 'pause', 'breathing_space', 'cease'] as const), from: someDay(), ...(r() < 0.5 ? { until: someDay() } : {}), ...(r() < 0.5 ? { debtIds: ['B'] } : {}) }];
  if (r() < 0.03) debtor.ceaseReceivedAt = someDay();
  if (r() < 0.1) debtor.optOuts = [{ channel: 'sms', address: '+100000001' }];
  if (r() < 0.1) {
    const from = 8 + Math.floor(r() * 10);
    debtor.inconvenientTimes = [{ weekdays: [pick(r, ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const)], from: `${String(from).padStart(2, '0')}:00`, to: `${String(from + 2).padStart(2, '0')}:29` }];
  }
  const preference = r();
  if (preference < 0.05) debtor.preferences = { hours: [{ from: '17:00', to: '20:00' }] };
  else if (preference < 0.1) debtor.preferences = { frequency: { max: 2, days: 7 } };
  else if (preference < 0.13) debtor.preferences = { channels: ['email', 'letter'], days: ['MON', 'WED', 'FRI'] };
  const overlay = r() < 0.5 ? { id: 'sim', sender: 'creditor' as const, enabledChannels: ['whatsapp' as const] } : null;
  return { jurisdiction: j, debtor, history: [], tenantOverlay: overlay };
}

export interface SimResult {
  contacts: Contact[];
  decisions: number;
  /** Blocked decisions whose nextAllowedAt was not allowed when evaluated with the same history. */
  nextAllowedFailures: string[];
}

type Evaluate = (input: PolicyInput) => { allowed: boolean; nextAllowedAt: string | null };

/**
 * A greedy journey: each day it proposes contacts at random local times, makes the allowed ones
 * (with random outcomes, conversations and consents), reschedules blocked ones at nextAllowedAt
 * when that is within two days, and receives the debtor's own calls and messages. The engine sees
 * the last `historyDays` of contacts, as the daily run does.
 */
export function simulate(base: Omit<PolicyInput, 'proposed'>, r: () => number, evaluate: Evaluate, opts: { start: number; days: number; historyDays: number; proposalsPerDay: number }): SimResult {
  const contacts: Contact[] = [];
  const failures: string[] = [];
  let decisions = 0;
  let first = 0;
  const queue: { t: number; channel: Contact['channel']; debt: string; scheduled: boolean }[] = [];
  const inbound: Contact[] = [];
  for (let d = 0; d < opts.days; d++) {
    const dayStart = opts.start + d * DAY - (OFFSET[base.jurisdiction] as number) * 3_600_000;
    const n = Math.floor(r() * (2 * opts.proposalsPerDay + 1));
    for (let i = 0; i < n; i++) queue.push({ t: dayStart + Math.floor((6 + r() * 17) * 3_600_000), channel: pick(r, CHANNELS), debt: r() < 0.6 ? 'A' : 'B', scheduled: false });
    if (r() < 0.06) {
      const t = dayStart + Math.floor((7 + r() * 14) * 3_600_000);
      const byPhone = r() < 0.6;
      inbound.push(byPhone
        ? { at: iso(t), channel: 'call', direction: 'inbound', debtIds: ['A'], outcome: 'answered', conversation: true, ...(r() < 0.3 ? { consentToCallUntil: isoDay(t + Math.floor(r() * 5) * DAY) } : {}) }
        : { at: iso(t), channel: pick(r, ['sms', 'whatsapp', 'email'] as const), direction: 'inbound', outcome: 'received' });
    }
    const dayEnd = dayStart + DAY;
    for (;;) {
      // Earliest pending proposal today (rescheduled ones join the same queue, in time order).
      let k = -1;
      for (let i = 0; i < queue.length; i++) if ((queue[i] as (typeof queue)[number]).t < dayEnd && (k < 0 || (queue[i] as (typeof queue)[number]).t < (queue[k] as (typeof queue)[number]).t)) k = i;
      if (k < 0) break;
      const p = queue.splice(k, 1)[0] as (typeof queue)[number];
      while (inbound.length > 0 && Date.parse((inbound[0] as Contact).at) <= p.t) contacts.push(inbound.shift() as Contact);
      while (first < contacts.length && Date.parse((contacts[first] as Contact).at) < p.t - opts.historyDays * DAY) first++;
      const input: PolicyInput = { ...base, history: contacts.slice(first), proposed: { at: iso(p.t), channel: p.channel, debtId: p.debt, address: '+100000001' } };
      const decision = evaluate(input);
      decisions++;
      if (decision.allowed) {
        contacts.push(outcomeOf(r, p.t, p.channel, p.debt));
      } else if (decision.nextAllowedAt && !p.scheduled && Date.parse(decision.nextAllowedAt) < p.t + 2 * DAY) {
        decisions++;
        const again = evaluate({ ...input, proposed: { ...input.proposed, at: decision.nextAllowedAt } });
        if (!again.allowed) failures.push(`${input.proposed.at} -> ${decision.nextAllowedAt} not allowed`);
        queue.push({ t: Date.parse(decision.nextAllowedAt), channel: p.channel, debt: p.debt, scheduled: true });
      }
    }
  }
  return { contacts: [...contacts, ...inbound], decisions, nextAllowedFailures: failures };
}

function outcomeOf(r: () => number, t: number, channel: Contact['channel'], debt: string): Contact {
  const base: Contact = { at: iso(t), channel, direction: 'outbound', debtIds: [debt], address: '+100000001' };
  if (channel === 'call') {
    const outcome = pick(r, ['answered', 'answered', 'no_answer', 'no_answer', 'voicemail', 'busy', 'not_in_service', 'answered_dropped', 'ringless_voicemail'] as const);
    const conversation = outcome === 'answered' && r() < 0.7;
    return {
      ...base, outcome, conversation, ...(r() < 0.03 ? { notDebtorsNumber: true } : {}),
      ...(conversation && r() < 0.2 ? { consentToCallUntil: isoDay(t + Math.floor(r() * 5) * DAY) } : {}),
    };
  }
  if (channel === 'letter' || channel === 'visit') return base;
  return { ...base, outcome: pick(r, ['delivered', 'delivered', 'delivered', 'read', 'failed'] as const) };
}
