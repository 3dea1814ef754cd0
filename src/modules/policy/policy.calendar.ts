import { compileWindows } from './policy.compile.ts';
import { ALL_CHANNELS, perChannel } from './policy.compiled.ts';
import type { CompiledHolidays, CompiledHours, ReasonCodeForDays, ReasonCodeForHours } from './policy.compiled.ts';
import { memo } from './policy.context.ts';
import type { EvalContext } from './policy.context.ts';
import { complement, contains, intersect } from './policy.intervals.ts';
import type { IntervalSet, IntervalUnion } from './policy.intervals.ts';
import type { Finding, RuleRef } from './policy.reasons.ts';
import { DAY, describeTimeOfDaySet, formatDay, formatTimeOfDay, weekdayOf } from './policy.time.ts';
import { WEEKDAYS } from './policy.vocabulary.ts';
import type { TimeWindow, Weekday, WeekWindows } from './policy.vocabulary.ts';

/**
 * Clock rules: allowed hours per weekday (pack, tenant, debtor preferences, vulnerability
 * adaptations) and public holidays, evaluated in every zone the debtor may be in. A contact is
 * allowed only if every zone allows it — the intersection of windows that comment
 * 6(b)(1)(i)-2 of Regulation F asks for when the location is unknown or conflicting.
 */

interface CalendarRules {
  readonly hours: readonly CompiledHours[];
  readonly holidays: readonly CompiledHolidays[];
  /** Blocked times of day per weekday, all hour rules combined (for the window search). */
  readonly blockedByWeekday: readonly IntervalSet[];
}

const FULL_DAY: IntervalSet = Object.freeze([0, DAY]);

/** The debtor's (or a vulnerability adaptation's) windows and days as an hours rule. */
function adaptationHours(
  source: { hours?: TimeWindow[] | null; days?: Weekday[] | null },
  ref: RuleRef,
  closedCode: ReasonCodeForDays,
  outsideCode: ReasonCodeForHours,
): CompiledHours | null {
  // Compiled per decision, not cached by object: inputs are data and may be reused mutated.
  if (!source.hours && !source.days) return null;
  const windows: WeekWindows = {};
  for (const d of WEEKDAYS) {
    if (source.days && !source.days.includes(d)) windows[d] = [];
    else if (source.hours) windows[d] = source.hours;
  }
  return { ref, mask: ALL_CHANNELS, windows: compileWindows(windows, true), closedCode, outsideCode };
}

function combine(hours: readonly CompiledHours[], holidays: readonly CompiledHolidays[]): CalendarRules {
  const blockedByWeekday = WEEKDAYS.map((_, w) => {
    let allowed: IntervalSet = FULL_DAY;
    for (const rule of hours) {
      const set = rule.windows[w];
      if (set !== null && set !== undefined) allowed = intersect(allowed, set);
    }
    return complement(allowed, 0, DAY);
  });
  return { hours, holidays, blockedByWeekday };
}

function rulesFor(ctx: EvalContext): CalendarRules {
  return memo(ctx, 'calendar', () => {
    // Pack and tenant rules per channel are combined once per compiled policy.
    const base = perChannel(ctx.policy, 'calendar', ctx.bit, () =>
      combine(ctx.policy.hours.filter((r) => r.mask & ctx.bit), ctx.policy.holidays.filter((r) => r.mask & ctx.bit)));
    const { preferences, vulnerability } = ctx.debtor;
    const extra: CompiledHours[] = [];
    if (preferences) {
      const h = adaptationHours(preferences, ctx.policy.preferences, 'PREFERENCE.DAY', 'PREFERENCE.HOURS');
      if (h) extra.push(h);
    }
    if (vulnerability) {
      const h = adaptationHours(vulnerability, ctx.policy.vulnerability, 'VULNERABILITY.DAY', 'VULNERABILITY.HOURS');
      if (h) extra.push(h);
    }
    return extra.length === 0 ? base : combine([...base.hours, ...extra], base.holidays);
  });
}

/** Findings of the clock rules at instant `t` (one per rule, from the first zone that blocks). */
export function checkCalendar(ctx: EvalContext, t: number, out: Finding[]): void {
  const { hours, holidays } = rulesFor(ctx);
  if (hours.length === 0 && holidays.length === 0) return;
  let reported = 0; // bit i: hours rule i already reported; bit 30: holidays reported
  for (const zone of ctx.zones) {
    const local = t + zone.tz.offsetAt(t);
    const day = Math.floor(local / DAY);
    const tod = local - day * DAY;
    const w = weekdayOf(day);
    for (let i = 0; i < hours.length; i++) {
      const rule = hours[i]!;
      const set = rule.windows[w];
      if (set === null || set === undefined || contains(set, tod) || reported & (1 << i)) continue;
      reported |= 1 << i;
      out.push({
        code: set.length === 0 ? rule.closedCode : rule.outsideCode,
        effect: 'deny',
        ref: rule.ref,
        params: {
          channel: ctx.channel, zone: zone.name, localDate: formatDay(day), localTime: formatTimeOfDay(tod),
          weekday: WEEKDAYS[w]!, windows: describeTimeOfDaySet(set),
        },
      });
    }
    if (holidays.length > 0 && !(reported & (1 << 30))) {
      const name = ctx.holidays.holidayOn(day);
      if (name !== undefined) {
        reported |= 1 << 30;
        for (const rule of holidays) {
          out.push({
            code: 'DAYS.PUBLIC_HOLIDAY',
            effect: 'deny',
            ref: rule.ref,
            params: { channel: ctx.channel, zone: zone.name, localDate: formatDay(day), holiday: name, calendar: ctx.holidays.key },
          });
        }
      }
    }
  }
}

/** Instants the clock rules block within [from, to), zone by zone and local day by local day. */
export function blockedByCalendar(ctx: EvalContext, from: number, to: number, acc: IntervalUnion): void {
  const { hours, holidays, blockedByWeekday } = rulesFor(ctx);
  if (hours.length === 0 && holidays.length === 0) return;
  for (const { tz } of ctx.zones) {
    // Without a transition near the span every local day maps to UTC by one subtraction and
    // local days grow with time, so exactly the local days of `from` … `to` matter. Otherwise
    // take a day of margin on each side (a backward jump may cross midnight).
    let first = tz.localDay(from);
    let last = tz.localDay(to);
    const o = tz.constantOffset(first * DAY - DAY, (last + 2) * DAY);
    if (Number.isNaN(o)) {
      first--;
      last++;
    }
    for (let day = first; day <= last; day++) {
      const blocked = holidays.length > 0 && ctx.holidays.holidayOn(day) !== undefined ? FULL_DAY : blockedByWeekday[weekdayOf(day)]!;
      const base = day * DAY;
      for (let i = 0; i < blocked.length; i += 2) {
        if (Number.isNaN(o)) acc.addSet(tz.localToUtc(base + blocked[i]!, base + blocked[i + 1]!));
        else acc.add(base + blocked[i]! - o, base + blocked[i + 1]! - o);
      }
    }
  }
}
