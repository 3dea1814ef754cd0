import { line } from './journeys.explain.domain.ts';
import type { ExplanationLine } from './journeys.explain.domain.ts';
import { hash32 } from './journeys.hash.domain.ts';
import { formatLocal, fromLocal, toLocal } from './journeys.zone.domain.ts';

/**
 * Choosing the moment of a contact inside what policy allows. The windows come from
 * policy.allowedWindows (UTC, both ends allowed instants) and are the hard limit; the debtor's
 * preferred hours and days are a soft wish, honoured when some allowed moment falls in them.
 * Hard preferences (the debtor *asked* not to be contacted outside them) belong in the policy
 * input instead, where they already shape the windows.
 */

export const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface SendWindow { readonly start: string; readonly end: string }

export interface SendPreferences {
  /** Local wall-clock windows, `HH:MM`; `to` before `from` wraps past midnight; `to` is exclusive. */
  readonly hours?: readonly { readonly from: string; readonly to: string }[] | null;
  readonly days?: readonly Weekday[] | null;
}

export interface SendTimeOptions {
  /** Stable per account (its id): the same account gets the same offset on every run. */
  readonly seed: string;
  /**
   * How far into the chosen stretch sends are spread (default 60 minutes). Without it a million
   * contacts would all be due at the window's first millisecond and hit the providers at once.
   */
  readonly spreadMinutes?: number;
}

export type SendTimeReason = 'preferred' | 'first_allowed' | 'no_window';

export interface SendTime {
  /** UTC instant, or null when policy allows nothing in the windows given. */
  readonly at: string | null;
  readonly reason: SendTimeReason;
  readonly explanation: ExplanationLine;
}

const MINUTE = 60_000;

const parseHm = (hm: string): number => {
  const [h, m] = hm.split(':');
  return Number(h) * 60 + Number(m ?? 0);
};

const DAY = 24 * 60 * MINUTE;

/**
 * Earliest [start, end) inside [from, to) that lies in a preferred window on a preferred day,
 * walking local days in the debtor's zone (wall-clock readings, so "09:00" is 09:00 on both
 * sides of a DST change). Starts a day early: yesterday's 22:00–02:00 covers today's 01:00.
 */
function firstPreferred(from: number, to: number, prefs: SendPreferences, zone: string): [number, number] | null {
  const hours = prefs.hours && prefs.hours.length > 0 ? prefs.hours : [{ from: '00:00', to: '24:00' }];
  const days = prefs.days && prefs.days.length > 0 ? prefs.days : WEEKDAYS;
  let dayLocal = Math.floor(toLocal(zone, from) / DAY) * DAY - DAY;
  while (fromLocal(zone, dayLocal) < to) {
    let best: [number, number] | null = null;
    // getUTCDay of a local reading is the local weekday; 0 is Sunday.
    if (days.includes(WEEKDAYS[(new Date(dayLocal).getUTCDay() + 6) % 7] as Weekday)) {
      for (const h of hours) {
        const a = parseHm(h.from);
        let b = parseHm(h.to);
        if (b <= a) b += 24 * 60;
        const s = Math.max(fromLocal(zone, dayLocal + a * MINUTE), from);
        const e = Math.min(fromLocal(zone, dayLocal + b * MINUTE), to);
        if (s < e && (best === null || s < best[0])) best = [s, e];
      }
    }
    if (best) return best;
    dayLocal += DAY;
  }
  return null;
}

/**
 * The moment to send: the first instant at or after `now` inside an allowed window that falls
 * in the preferred hours and days, else the first allowed instant; then shifted by a
 * deterministic per-account offset within the first `spreadMinutes` of that stretch (never
 * past its end). Windows must be in ascending order, as allowedWindows lists them.
 */
export function chooseSendTime(
  windows: readonly SendWindow[],
  preferences: SendPreferences | null,
  timezone: string,
  now: Date | string,
  options: SendTimeOptions,
): SendTime {
  const t0 = typeof now === 'string' ? Date.parse(now) : now.getTime();
  const spread = Math.max(0, options.spreadMinutes ?? 60) * MINUTE;
  const open: [number, number][] = [];
  for (const w of windows) {
    // Window ends are allowed instants: the half-open stretch ends one millisecond later.
    const s = Math.max(Date.parse(w.start), t0);
    const e = Date.parse(w.end) + 1;
    if (s < e) open.push([s, e]);
  }
  if (open.length === 0) return { at: null, reason: 'no_window', explanation: line('SEND_TIME.NO_WINDOW') };

  const wantsSome = Boolean(preferences && ((preferences.hours?.length ?? 0) > 0 || (preferences.days?.length ?? 0) > 0));
  let chosen: [number, number] | null = null;
  if (wantsSome) {
    for (const [s, e] of open) {
      chosen = firstPreferred(s, e, preferences as SendPreferences, timezone);
      if (chosen) break;
    }
  }
  const reason: SendTimeReason = chosen ? 'preferred' : 'first_allowed';
  const [s, e] = chosen ?? (open[0] as [number, number]);
  const span = Math.min(e - s, spread);
  // Whole seconds read better in schedules and logs; sub-second stretches get no offset.
  const slots = Math.floor(span / 1000);
  const at = s + (slots > 0 ? (hash32(options.seed, 'send-time') % slots) * 1000 : 0);
  const params = { local: formatLocal(timezone, at), zone: timezone, ...(reason === 'first_allowed' ? { why: wantsSome ? 'outside_preference' : 'no_preference' } : {}) };
  return {
    at: new Date(at).toISOString(),
    reason,
    explanation: line(reason === 'preferred' ? 'SEND_TIME.PREFERRED' : 'SEND_TIME.FIRST_ALLOWED', params),
  };
}
