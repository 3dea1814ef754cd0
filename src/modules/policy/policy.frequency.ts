import { ALL_CHANNELS, ATTEMPT_OUTCOMES, channelList, outcomeMask, perChannel } from './policy.compiled.ts';
import type { CompiledAfterConversation, CompiledCap, CompiledDirectContact } from './policy.compiled.ts';
import { concernsDebt, dateInstant, localDayStart, memo, memoKeyed } from './policy.context.ts';
import type { Contact, EvalContext } from './policy.context.ts';
import { EMPTY, IntervalUnion, contains, intersect, subtract } from './policy.intervals.ts';
import type { IntervalSet } from './policy.intervals.ts';
import type { Finding, Params, RuleRef } from './policy.reasons.ts';
import { DAY, formatDay, weekdayOf } from './policy.time.ts';
import type { FrequencyLimit } from './policy.vocabulary.ts';
import { WEEKDAYS } from './policy.vocabulary.ts';

/**
 * Frequency rules, all counted on the debtor's local calendar days (in every possible zone):
 * - caps: at most `max` contacts in any `windowDays` consecutive days or per calendar week, and
 *   a minimum gap between dates (US 1006.14(b)(2)(i)(A) per debt; CL art. 37; US texts/e-mails
 *   under 1006.14(a); tenant caps; debtor and vulnerability frequencies);
 * - no call within N days after a telephone conversation about the debt (1006.14(b)(2)(i)(B));
 * - CO art. 3: after a direct contact, once a day and one channel a week.
 * Each rule becomes blocks of local days (optionally starting at an instant), which both the
 * point check and the window search read — the same data, so they cannot disagree.
 * Calls inside a consent window the debtor gave directly (1006.14(b)(3)) are neither counted
 * nor blocked by the rules marked `consentWindowsExempt`.
 */

interface Block {
  readonly ref: RuleRef;
  readonly code: Finding['code'];
  readonly zone: number;
  readonly fromT: number;
  readonly first: number;
  readonly last: number;
  /** Consent windows that lift this block (US call rules), or null. */
  readonly exemptions: IntervalSet | null;
  readonly debt: string | null;
  /** Raw details, formatted into reason params only when the block is reported. */
  readonly cap: CompiledCap | null;
  readonly a: number;
  readonly b: number;
  readonly other: string;
}

interface ConsentWindow {
  readonly from: number;
  readonly to: number;
  readonly debts: readonly string[] | null;
  readonly until: string;
}

/** "Forever" in days, far enough and still exact in doubles once multiplied by DAY. */
const FOREVER = 10_000_000;
const REACHED = outcomeMask(['answered', 'answered_dropped', 'delivered', 'read', 'received']);

const overlaps = (a: readonly string[] | null, b: readonly string[] | null): boolean =>
  a === null || b === null || a.length === 0 || b.length === 0 || a.some((d) => b.includes(d));

/**
 * Consent windows (1006.14(b)(3)): opened right after the contact in which the debtor consented,
 * ending at the stated end, after the pack's maximum of consecutive days, or at the next
 * telephone conversation about the debt or a revocation — whichever comes first. Where zones
 * disagree on a date, the earliest end applies (the window is a permission).
 */
function consentWindows(ctx: EvalContext): readonly ConsentWindow[] {
  return memo(ctx, 'consent', () => {
    const rule = ctx.policy.consentWindow;
    const out: ConsentWindow[] = [];
    if (!rule || !ctx.history.some((h) => h.raw.consentToCallUntil)) return out;
    const history = ctx.ordered();
    history.forEach((h, i) => {
      const until = h.raw.consentToCallUntil;
      if (!until || !h.towardsDebtor) return;
      let end = dateInstant(ctx, until, 'earliest', true);
      for (const z of ctx.zones) end = Math.min(end, localDayStart(z.tz, z.tz.localDay(h.t) + rule.maxDays));
      for (let k = i + 1; k < history.length; k++) {
        const o = history[k] as Contact;
        if (o.t > h.t && overlaps(o.debtIds, h.debtIds) && (o.raw.consentRevoked === true || (o.conversation && o.channel === 'call'))) {
          end = Math.min(end, o.t);
          break;
        }
      }
      const debts = h.debtIds !== null && h.debtIds.length > 0 ? h.debtIds : null;
      if (end > h.t + 1) out.push({ from: h.t + 1, to: end, debts, until });
    });
    return out;
  });
}

/** Consent windows that cover debt `debt` (null: a contact about every debt needs a general one). */
function exemptionsFor(ctx: EvalContext, debt: string | null): IntervalSet {
  if (consentWindows(ctx).length === 0) return EMPTY;
  return memoKeyed(ctx, `exempt:${debt ?? '*'}`, () => {
    const u = new IntervalUnion();
    for (const w of consentWindows(ctx)) if (w.debts === null || (debt !== null && w.debts.includes(debt))) u.add(w.from, w.to);
    return u.toSet();
  });
}

/** A debtor's (or a vulnerability adaptation's) frequency limit as a cap on every attempt. */
function adaptationCap(limit: FrequencyLimit, ref: RuleRef, code: CompiledCap['code']): CompiledCap {
  return {
    ref, mask: ALL_CHANNELS, max: limit.max, windowDays: limit.days, minDayGap: 0, period: 'rolling', weekStart: 0,
    scope: 'debtor', counted: ATTEMPT_OUTCOMES, countUnknown: true, consentExempt: false, code,
  };
}

interface ChannelRules {
  readonly caps: readonly CompiledCap[];
  readonly afterConversation: readonly CompiledAfterConversation[];
  readonly directContact: readonly CompiledDirectContact[];
}

/** The frequency rules of a policy that apply to the channel (selected once per policy). */
function rulesFor(ctx: EvalContext): ChannelRules {
  const base = perChannel(ctx.policy, 'frequency', ctx.bit, (): ChannelRules => {
    const on = (r: { mask: number }): boolean => (r.mask & ctx.bit) !== 0;
    return {
      caps: ctx.policy.caps.filter(on),
      afterConversation: ctx.policy.afterConversation.filter(on),
      directContact: ctx.policy.directContact.filter(on),
    };
  });
  const { preferences: p, vulnerability: v } = ctx.debtor;
  if (!p?.frequency && !v?.frequency) return base;
  const caps = [...base.caps];
  if (p?.frequency) caps.push(adaptationCap(p.frequency, ctx.policy.preferences, 'PREFERENCE.FREQUENCY'));
  if (v?.frequency) caps.push(adaptationCap(v.frequency, ctx.policy.vulnerability, 'VULNERABILITY.FREQUENCY'));
  return { ...base, caps };
}

function blocks(ctx: EvalContext): readonly Block[] {
  return memo(ctx, 'frequency', () => {
    const out: Block[] = [];
    const debtKeys: readonly (string | null)[] = ctx.debts ?? [null];
    const { caps, afterConversation: conversationRules, directContact: directRules } = rulesFor(ctx);
    const { history } = ctx;
    if (history.length === 0 && caps.every((c) => c.max > 0)) return out;
    for (let z = 0; z < ctx.zones.length; z++) {
      for (const cap of caps) {
        if (cap.scope === 'debt') for (const debt of debtKeys) capBlocks(ctx, cap, z, debt, out);
        else capBlocks(ctx, cap, z, null, out);
      }
      for (const rule of conversationRules) {
        for (const debt of debtKeys) {
          const exemptions = rule.consentExempt ? exemptionsFor(ctx, debt) : null;
          for (let i = 0; i < history.length; i++) {
            const h = history[i] as Contact;
            if (!h.conversation || !(h.bit & rule.mask) || !h.towardsDebtor || !concernsDebt(h.debtIds, debt)) continue;
            const c = ctx.dayOf(z, i);
            out.push({
              ref: rule.ref, code: 'FREQUENCY.CALL_AFTER_CONVERSATION', zone: z, fromT: h.t, first: c, last: c + rule.days - 1,
              exemptions, debt, cap: null, a: c, b: c + rule.days - 1, other: '',
            });
          }
        }
      }
      for (const rule of directRules) {
        for (let i = 0; i < history.length; i++) {
          const h = history[i] as Contact;
          if (!h.outbound || !(h.bit & rule.mask) || !h.towardsDebtor) continue;
          if (rule.directContact === 'reached' && !h.conversation && !(h.outcome & REACHED)) continue;
          if (rule.directContact === 'conversation' && !h.conversation) continue;
          const d = ctx.dayOf(z, i);
          out.push({
            ref: rule.ref, code: 'FREQUENCY.SAME_DAY_AFTER_DIRECT_CONTACT', zone: z, fromT: -Infinity, first: d, last: d,
            exemptions: null, debt: null, cap: null, a: d, b: d, other: h.channel,
          });
          if (h.channel !== ctx.channel) {
            const ws = d - ((weekdayOf(d) - rule.weekStart + 7) % 7);
            out.push({
              ref: rule.ref, code: 'FREQUENCY.OTHER_CHANNEL_SAME_WEEK', zone: z, fromT: -Infinity, first: ws, last: ws + 6,
              exemptions: null, debt: null, cap: null, a: ws, b: ws, other: h.channel,
            });
          }
        }
      }
    }
    return out;
  });
}

const ES_WEEKDAYS = ['lunes', 'martes', 'miércoles', 'jueves', 'viernes', 'sábado', 'domingo'];

function capBlocks(ctx: EvalContext, cap: CompiledCap, z: number, debt: string | null, out: Block[]): void {
  const exemptions = cap.consentExempt ? exemptionsFor(ctx, debt) : null;
  const counted: number[] = [];
  const { history } = ctx;
  for (let i = 0; i < history.length; i++) {
    const h = history[i] as Contact;
    if (!h.outbound || !(h.bit & cap.mask) || !h.towardsDebtor) continue;
    if (h.outcome ? !(h.outcome & cap.counted) : !cap.countUnknown) continue;
    if (cap.scope === 'debt' && !concernsDebt(h.debtIds, debt)) continue;
    if (exemptions !== null && exemptions.length > 0 && contains(exemptions, h.t)) continue;
    counted.push(ctx.dayOf(z, i));
  }
  const n = counted.length;
  if (n === 0 && cap.max > 0) return;
  let ascending = true;
  for (let i = 1; i < n && ascending; i++) ascending = (counted[i - 1] as number) <= (counted[i] as number);
  if (!ascending) counted.sort((a, b) => a - b);
  const push = (code: Finding['code'], first: number, last: number, a: number, b: number): void => {
    out.push({ ref: cap.ref, code, zone: z, fromT: -Infinity, first, last, exemptions, debt, cap, a, b, other: '' });
  };
  if (cap.max === 0) push(cap.code, -FOREVER, FOREVER, Number.NaN, Number.NaN);
  else if (cap.period === 'rolling') {
    // `max` contacts spanning at most windowDays days: any date within windowDays - 1 of both
    // ends shares a window with all of them, so one more contact there would exceed the cap.
    const span = cap.windowDays - 1;
    for (let j = cap.max - 1; j < n; j++) {
      const a = counted[j - cap.max + 1] as number;
      const b = counted[j] as number;
      if (b - a <= span) push(cap.code, b - span, a + span, a, b);
    }
  } else {
    for (let i = 0; i < n;) {
      const ws = (counted[i] as number) - ((weekdayOf(counted[i] as number) - cap.weekStart + 7) % 7);
      let j = i;
      while (j < n && (counted[j] as number) <= ws + 6) j++;
      if (j - i >= cap.max) push(cap.code, ws, ws + 6, counted[i] as number, counted[j - 1] as number);
      i = j;
    }
  }
  if (cap.minDayGap > 0) {
    for (const d of counted) push('FREQUENCY.MIN_DAYS_BETWEEN', d - cap.minDayGap + 1, d + cap.minDayGap - 1, d, d);
  }
}

/** Reason details of a block (formatted only when reported). */
function details(b: Block): Params {
  const day = (d: number): string => (Number.isNaN(d) ? '—' : formatDay(d));
  switch (b.code) {
    case 'FREQUENCY.CALL_AFTER_CONVERSATION':
      return { debt: b.debt ?? '', conversationDate: day(b.a), lastDate: day(b.b) };
    case 'FREQUENCY.SAME_DAY_AFTER_DIRECT_CONTACT':
      return { localDate: day(b.a), otherChannel: b.other };
    case 'FREQUENCY.OTHER_CHANNEL_SAME_WEEK':
      return { otherChannel: b.other, weekStartDate: day(b.a) };
    case 'FREQUENCY.MIN_DAYS_BETWEEN':
      return { channels: channelList(b.cap?.mask ?? 0), gap: b.cap?.minDayGap ?? 0, otherDate: day(b.a) };
    default: {
      const cap = b.cap as CompiledCap;
      const rolling = cap.period === 'rolling';
      return {
        max: cap.max, channels: channelList(cap.mask), debt: b.debt ?? '',
        count: Number.isNaN(b.a) ? 0 : cap.max, firstDate: day(b.a), lastDate: day(b.b),
        period: rolling ? `${cap.windowDays} consecutive days` : `a week starting on ${WEEKDAYS[cap.weekStart]}`,
        periodEs: rolling ? `${cap.windowDays} días consecutivos` : `una semana que empieza el ${ES_WEEKDAYS[cap.weekStart]}`,
      };
    }
  }
}

export function checkFrequency(ctx: EvalContext, t: number, out: Finding[]): void {
  const list = blocks(ctx);
  if (list.length === 0) return;
  const dayIn = ctx.zones.map((zone) => zone.tz.localDay(t));
  const reported: Block[] = [];
  let consentReported = false;
  for (const b of list) {
    const d = dayIn[b.zone] as number;
    if (t < b.fromT || d < b.first || d > b.last) continue;
    if (b.exemptions !== null && b.exemptions.length > 0 && contains(b.exemptions, t)) {
      if (consentReported) continue;
      consentReported = true;
      const w = consentWindows(ctx).find((c) => c.from <= t && t < c.to);
      const ref = ctx.policy.consentWindow?.ref ?? b.ref;
      out.push({ code: 'FREQUENCY.CONSENT_WINDOW', effect: 'info', ref, params: { debt: b.debt ?? '', until: w?.until ?? '' } });
      continue;
    }
    // One reason per rule, code and debt (the first block found explains it).
    if (reported.some((r) => r.ref === b.ref && r.code === b.code && r.debt === b.debt)) continue;
    reported.push(b);
    out.push({ code: b.code, effect: 'deny', ref: b.ref, params: details(b) });
  }
}

export function blockedByFrequency(ctx: EvalContext, from: number, to: number, acc: IntervalUnion): void {
  for (const b of blocks(ctx)) {
    // Offsets are under a day, so local days before from - DAY cannot matter. Blocks are not
    // cut at `to`: the search jumps to the end of a long block in one step.
    const la = Math.max(b.first * DAY, from - DAY);
    const lb = Math.min((b.last + 1) * DAY, to + 32 * DAY);
    if (la >= lb || lb <= from - DAY) continue;
    const tz = (ctx.zones[b.zone] as EvalContext['zones'][number]).tz;
    let set: IntervalSet = intersect(tz.localToUtc(la, lb), [Math.max(b.fromT, from), Infinity]);
    if (b.exemptions !== null && b.exemptions.length > 0) set = subtract(set, b.exemptions);
    acc.addSet(set);
  }
}
