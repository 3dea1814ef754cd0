import { memo } from './policy.context.ts';
import type { Contact, EvalContext } from './policy.context.ts';
import { IntervalUnion, subtract } from './policy.intervals.ts';
import type { Finding } from './policy.reasons.ts';
import { DAY, MINUTE, formatInstant, parseDay, parseTimeOfDay, weekdayOf } from './policy.time.ts';
import { WEEKDAYS } from './policy.vocabulary.ts';
import type { Weekday } from './policy.vocabulary.ts';

/**
 * Debtor-designated inconvenient times (12 CFR 1006.6(b)(1)(i)): they block every channel.
 * Where the pack allows it (US), a contact the debtor starts in such a time may be answered
 * once, on the same channel, during that same designated time (see `replyWindows`).
 */

interface Designation {
  /** Weekday mask, Monday = bit 0. */
  readonly weekdays: number;
  readonly from: number;
  /** End in ms after the local midnight of the start day; above DAY when it wraps. */
  readonly end: number;
  readonly since: number;
  readonly until: number;
  readonly label: string;
}

interface Occurrence {
  readonly from: number;
  readonly to: number;
  readonly label: string;
}

function designations(ctx: EvalContext): readonly Designation[] {
  return memo(ctx, 'designations', () =>
    (ctx.debtor.inconvenientTimes ?? []).map((d) => {
      const from = parseTimeOfDay(d.from);
      // `to` is inclusive to the minute: "23:59" blocks through 23:59:59.999.
      const to = Math.min(parseTimeOfDay(d.to) + MINUTE, DAY);
      const days: readonly Weekday[] = d.weekdays ?? WEEKDAYS;
      return {
        weekdays: days.reduce<number>((m, w) => m | (1 << WEEKDAYS.indexOf(w)), 0),
        from,
        end: to > from ? to : DAY + to,
        since: d.since ? parseDay(d.since) : -Infinity,
        until: d.until ? parseDay(d.until) : Infinity,
        label: `${d.weekdays ? d.weekdays.join(',') : 'every day'} ${d.from}–${d.to}${d.until ? ` until ${d.until}` : ''}`,
      };
    }));
}

/** Designated times in every zone that start on local days around instants [from, to]. */
function occurrences(ctx: EvalContext, from: number, to: number): Occurrence[] {
  const out: Occurrence[] = [];
  const list = designations(ctx);
  for (const zone of ctx.zones) {
    const last = zone.tz.localDay(to);
    for (let day = zone.tz.localDay(from) - 2; day <= last; day++) {
      const wbit = 1 << weekdayOf(day);
      for (const d of list) {
        if (!(d.weekdays & wbit) || day < d.since || day > d.until) continue;
        const utc = zone.tz.localToUtc(day * DAY + d.from, day * DAY + d.end);
        for (let i = 0; i < utc.length; i += 2) out.push({ from: utc[i]!, to: utc[i + 1]!, label: d.label });
      }
    }
  }
  return out;
}

/**
 * The part of a designated time the single reply lifts: from each contact the debtor started in
 * it (on the proposed channel) until our next outbound contact on that channel — that contact
 * being the reply — or the end of the designated time. Only contacts inside this very
 * occurrence count: "at that time", not at another designated time.
 */
function replyWindows(ctx: EvalContext, o: Occurrence): number[] {
  const out: number[] = [];
  if (!ctx.policy.designations.replyOnce) return out;
  const history = ctx.ordered();
  for (let i = 0; i < history.length; i++) {
    const h = history[i] as Contact;
    if (h.outbound || h.channel !== ctx.channel || h.t < o.from || h.t >= o.to) continue;
    let end = o.to;
    for (let k = i + 1; k < history.length; k++) {
      const next = history[k] as Contact;
      if (next.outbound && next.channel === h.channel) {
        end = Math.min(end, next.t + 1);
        break;
      }
    }
    if (end > h.t) out.push(h.t, end);
  }
  return out;
}

export function checkDesignations(ctx: EvalContext, t: number, out: Finding[]): void {
  if (!ctx.debtor.inconvenientTimes || ctx.debtor.inconvenientTimes.length === 0) return;
  const { ref } = ctx.policy.designations;
  let reply: Finding | null = null;
  for (const o of occurrences(ctx, t, t)) {
    if (t < o.from || t >= o.to) continue;
    const exempt = replyWindows(ctx, o);
    let lifted = false;
    for (let i = 0; i < exempt.length; i += 2) {
      if ((exempt[i] as number) <= t && t < (exempt[i + 1] as number)) {
        lifted = true;
        reply = { code: 'INCONVENIENT.REPLY_ALLOWED', effect: 'info', ref, params: { channel: ctx.channel, inboundAt: formatInstant(exempt[i] as number) } };
      }
    }
    if (!lifted) {
      out.push({ code: 'INCONVENIENT.TIME', effect: 'deny', ref, params: { channel: ctx.channel, designation: o.label } });
      return;
    }
  }
  if (reply) out.push(reply);
}

export function blockedByDesignations(ctx: EvalContext, from: number, to: number, acc: IntervalUnion): void {
  if (!ctx.debtor.inconvenientTimes || ctx.debtor.inconvenientTimes.length === 0) return;
  for (const o of occurrences(ctx, from, to)) {
    const exempt = new IntervalUnion();
    exempt.addSet(replyWindows(ctx, o));
    acc.addSet(subtract([o.from, o.to], exempt.toSet()));
  }
}
