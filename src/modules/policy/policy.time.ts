import { IANAZone } from 'luxon';

/**
 * Time arithmetic for the policy engine. Everything is epoch milliseconds (UTC instants) or
 * "local milliseconds" (wall-clock time of a zone read as if it were UTC), so a local calendar
 * day is `Math.floor(local / DAY)` and its weekday and time of day are plain arithmetic.
 *
 * Luxon (through Intl) is consulted only to learn a zone's UTC offset, once per zone and UTC day,
 * and cached in typed arrays: the hot path of `evaluateContact` is arithmetic and array reads.
 */

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** Weekday index of a local day number, Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday). */
export const weekdayOf = (day: number): number => (((day + 3) % 7) + 7) % 7;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Inverse of `daysFromCivil`. */
export function civilFromDays(z: number): { y: number; m: number; d: number } {
  const zz = z + 719_468;
  const era = Math.floor(zz / 146_097);
  const doe = zz - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

const dayLabels = new Map<number, string>();

/** `YYYY-MM-DD` of a day number (memoised: decisions keep formatting the same few dates). */
export function formatDay(day: number): string {
  let label = dayLabels.get(day);
  if (label === undefined) {
    const { y, m, d } = civilFromDays(day);
    label = `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
    if (dayLabels.size > 100_000) dayLabels.clear();
    dayLabels.set(day, label);
  }
  return label;
}

/** `HH:MM` (or `HH:MM:SS` when seconds are not zero) of a time of day in milliseconds. */
export function formatTimeOfDay(ms: number): string {
  const s = Math.floor(ms / 1000);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  return ss === 0 ? `${pad2(hh)}:${pad2(mm)}` : `${pad2(hh)}:${pad2(mm)}:${pad2(ss)}`;
}

/**
 * Human form of a time-of-day set: "08:00–21:00". An end one millisecond past a minute is an
 * inclusive end (21:00 allowed) and is shown as that minute.
 */
export function describeTimeOfDaySet(set: readonly number[] | null): string {
  if (set === null) return 'any time';
  if (set.length === 0) return 'closed';
  let text = descriptions.get(set);
  if (text === undefined) {
    const parts: string[] = [];
    for (let i = 0; i < set.length; i += 2) {
      const a = set[i] as number;
      const b = set[i + 1] as number;
      parts.push(`${formatTimeOfDay(a)}–${formatTimeOfDay(b % MINUTE === 1 ? b - 1 : b)}`);
    }
    text = parts.join(', ');
    descriptions.set(set, text);
  }
  return text;
}
/** Compiled window sets are shared objects: describe each once. */
const descriptions = new WeakMap<readonly number[], string>();

const digit = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : Number.NaN;
};
const num2 = (s: string, i: number): number => digit(s, i) * 10 + digit(s, i + 1);

/** Day number of a `YYYY-MM-DD` string; throws on anything else. */
export function parseDay(s: string): number {
  if (s.length !== 10 || s[4] !== '-' || s[7] !== '-') throw new Error(`not a YYYY-MM-DD date: ${s}`);
  const y = num2(s, 0) * 100 + num2(s, 2);
  const m = num2(s, 5);
  const d = num2(s, 8);
  if (!(m >= 1 && m <= 12 && d >= 1 && d <= 31)) throw new Error(`not a YYYY-MM-DD date: ${s}`);
  return daysFromCivil(y, m, d);
}

export const isDateOnly = (s: string): boolean => s.length === 10;

/**
 * Epoch milliseconds of an ISO-8601 instant. The common `…Z` shapes are parsed by hand (about
 * ten times cheaper than `Date.parse`, which matters with a week of history per decision);
 * anything else (offsets such as `+02:00`) falls back to `Date.parse`.
 */
export function parseInstant(s: string): number {
  const n = s.length;
  if (n >= 20 && s.charCodeAt(n - 1) === 90 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45 && s.charCodeAt(10) === 84
    && s.charCodeAt(13) === 58 && s.charCodeAt(16) === 58) {
    const y = num2(s, 0) * 100 + num2(s, 2);
    const mo = num2(s, 5);
    const d = num2(s, 8);
    const h = num2(s, 11);
    const mi = num2(s, 14);
    const se = num2(s, 17);
    let ms = 0;
    if (n > 20) {
      if (s.charCodeAt(19) !== 46 || n > 24) return parseSlow(s);
      for (let i = 20; i < 23; i++) ms = ms * 10 + (i < n - 1 ? digit(s, i) : 0);
    }
    if (mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && se <= 59 && ms >= 0) {
      return (monthStart(y, mo) + d - 1) * DAY + h * HOUR + mi * MINUTE + se * 1000 + ms;
    }
  }
  return parseSlow(s);
}

/** Day number of the first of a month, memoised for 1900–2199 (history timestamps repeat months). */
const monthStarts = new Float64Array(300 * 12).fill(Number.NaN);
function monthStart(y: number, m: number): number {
  const i = (y - 1900) * 12 + m - 1;
  if (i < 0 || i >= monthStarts.length) return daysFromCivil(y, m, 1);
  let v = monthStarts[i] as number;
  if (Number.isNaN(v)) monthStarts[i] = v = daysFromCivil(y, m, 1);
  return v;
}

function parseSlow(s: string): number {
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new Error(`not an ISO-8601 instant: ${s}`);
  return t;
}

/**
 * ISO-8601 in UTC (`2020-04-10T12:00:00Z`, milliseconds only when not zero). Hand-rolled:
 * `Date#toISOString` showed up in profiles of the decision loop.
 */
export function formatInstant(t: number): string {
  const day = Math.floor(t / DAY);
  let rest = t - day * DAY;
  const h = Math.floor(rest / HOUR);
  rest -= h * HOUR;
  const m = Math.floor(rest / MINUTE);
  rest -= m * MINUTE;
  const sec = Math.floor(rest / 1000);
  const ms = rest - sec * 1000;
  if (day < -719_162 || day > 2_932_896) return new Date(t).toISOString(); // outside years 0001–9999
  const base = `${formatDay(day)}T${pad2(h)}:${pad2(m)}:${pad2(sec)}`;
  return ms === 0 ? `${base}Z` : `${base}.${String(ms).padStart(3, '0')}Z`;
}

/** Milliseconds since midnight of `HH:MM` / `HH:MM:SS` (`24:00` allowed as an end). */
export function parseTimeOfDay(s: string): number {
  const h = num2(s, 0);
  const m = num2(s, 3);
  const sec = s.length >= 8 ? num2(s, 6) : 0;
  const ms = h * HOUR + m * MINUTE + sec * 1000;
  if (!(ms >= 0 && ms <= DAY) || s[2] !== ':') throw new Error(`not a HH:MM time: ${s}`);
  return ms;
}

export const isValidTimeZone = (name: string): boolean => IANAZone.isValidZone(name);

/** One UTC day of a zone: the offset at its start, and the single transition inside it, if any. */
interface OffsetDay {
  readonly before: number;
  readonly transitionAt: number;
  readonly after: number;
}

/** A zone's UTC offsets, learnt lazily from Intl one UTC day at a time and cached forever. */
export interface ZoneOffsets {
  readonly name: string;
  /** Offset in milliseconds (local = utc + offset) in force at instant `t`. */
  offsetAt(t: number): number;
  /** Local calendar day number of instant `t` (time of day: `t + offsetAt(t) - day * DAY`). */
  localDay(t: number): number;
  /** Sorted UTC intervals `[start, end)` (flat pairs) whose local time lies in `[la, lb)`. */
  localToUtc(la: number, lb: number): number[];
  /** The offset if it is the same across local times [la, lb) (no transition near), else NaN. */
  constantOffset(la: number, lb: number): number;
}

const zones = new Map<string, ZoneOffsets>();

/** The cached offsets of an IANA zone; throws on an unknown zone (inputs are validated first). */
export function zoneOffsets(name: string): ZoneOffsets {
  let z = zones.get(name);
  if (z === undefined) {
    z = createZoneOffsets(name);
    zones.set(name, z);
  }
  return z;
}

function createZoneOffsets(name: string): ZoneOffsets {
  const zone = IANAZone.create(name);
  if (!zone.isValid) throw new Error(`unknown IANA time zone: ${name}`);
  const offset = (t: number): number => zone.offset(t) * MINUTE;
  // UTC days 1970-01-01 … 2149 live in chunks of 1024 days (three typed arrays each, NaN until
  // learnt), found by two array reads; other days fall back to a Map. Offsets are looked up for
  // every history contact in every zone, so this is the engine's innermost loop.
  const CHUNK = 1024;
  const chunks: (Float64Array | undefined)[] = new Array(64);
  const far = new Map<number, OffsetDay>();

  // Modern tzdb zones change offset at most once a day and on whole seconds, so a UTC day is
  // described by its start offset and at most one transition, found by bisection on seconds.
  const load = (key: number): OffsetDay => {
    const start = key * DAY;
    const before = offset(start);
    const after = offset(start + DAY - 1);
    if (before === after) return { before, transitionAt: Infinity, after };
    let lo = start / 1000;
    let hi = (start + DAY - 1000) / 1000;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offset(mid * 1000) === before) lo = mid;
      else hi = mid;
    }
    return { before, transitionAt: hi * 1000, after };
  };
  /** [before, transitionAt, after] of UTC day `key`, in the chunk `c` at index `i * 3`. */
  const slot = (key: number): Float64Array | null => {
    const ci = key >> 10;
    if (ci < 0 || ci >= chunks.length) return null;
    let c = chunks[ci];
    if (c === undefined) chunks[ci] = c = new Float64Array(CHUNK * 3).fill(Number.NaN);
    const i = (key & (CHUNK - 1)) * 3;
    if (Number.isNaN(c[i] as number)) {
      const d = load(key);
      c[i] = d.before;
      c[i + 1] = d.transitionAt;
      c[i + 2] = d.after;
    }
    return c;
  };
  const dayOf = (key: number): OffsetDay => {
    const c = slot(key);
    if (c !== null) {
      const i = (key & (CHUNK - 1)) * 3;
      return { before: c[i] as number, transitionAt: c[i + 1] as number, after: c[i + 2] as number };
    }
    let d = far.get(key);
    if (d === undefined) far.set(key, (d = load(key)));
    return d;
  };
  const offsetAt = (t: number): number => {
    const key = Math.floor(t / DAY);
    const c = slot(key);
    if (c === null) {
      const d = dayOf(key);
      return t < d.transitionAt ? d.before : d.after;
    }
    const i = (key & (CHUNK - 1)) * 3;
    return t < (c[i + 1] as number) ? (c[i] as number) : (c[i + 2] as number);
  };
  const constantOffset = (la: number, lb: number): number => {
    // Offsets lie within [-12 h, +14 h]: only UTC days near [la, lb) can map into it.
    const last = Math.floor((lb + 15 * HOUR) / DAY);
    let o = Number.NaN;
    for (let k = Math.floor((la - 15 * HOUR) / DAY); k <= last; k++) {
      const c = slot(k);
      let before: number;
      if (c === null) {
        const d = dayOf(k);
        if (d.transitionAt !== Infinity) return Number.NaN;
        before = d.before;
      } else {
        const i = (k & (CHUNK - 1)) * 3;
        if (c[i + 1] !== Infinity) return Number.NaN;
        before = c[i] as number;
      }
      if (before !== o && !Number.isNaN(o)) return Number.NaN;
      o = before;
    }
    return o;
  };
  return {
    name,
    offsetAt,
    constantOffset,
    localDay: (t) => Math.floor((t + offsetAt(t)) / DAY),
    localToUtc(la, lb) {
      // Within each stretch of constant offset o, local time t + o is in [la, lb) iff t is in
      // [la - o, lb - o) — the exact inverse of `offsetAt`, which keeps checks and windows equal.
      const out: number[] = [];
      if (la >= lb) return out;
      // Usual case: no transition near the interval, so one offset maps it whole.
      const o = constantOffset(la, lb);
      if (!Number.isNaN(o)) {
        out.push(la - o, lb - o);
        return out;
      }
      const last = Math.floor((lb + 15 * HOUR) / DAY);
      for (let k = Math.floor((la - 15 * HOUR) / DAY); k <= last; k++) {
        const d = dayOf(k);
        const s = k * DAY;
        if (d.transitionAt === Infinity) push(out, Math.max(s, la - d.before), Math.min(s + DAY, lb - d.before));
        else {
          push(out, Math.max(s, la - d.before), Math.min(d.transitionAt, lb - d.before));
          push(out, Math.max(d.transitionAt, la - d.after), Math.min(s + DAY, lb - d.after));
        }
      }
      return out;
    },
  };
}

/** Appends `[a, b)` to a sorted flat list, merging with the last interval when they touch. */
function push(out: number[], a: number, b: number): void {
  if (a >= b) return;
  const n = out.length;
  if (n > 0 && (out[n - 1] as number) >= a) {
    if ((out[n - 1] as number) < b) out[n - 1] = b;
    return;
  }
  out.push(a, b);
}
