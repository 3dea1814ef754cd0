import { IANAZone } from 'luxon';

/**
 * Wall-clock arithmetic in IANA zones, fast enough for a million send-time choices per run.
 * Asking Intl for a zone offset costs microseconds; the daily run asks about the same few
 * zones and days again and again, so offsets are cached per zone and quarter hour. Exact for
 * every transition in the tz database, all of which fall on a quarter-hour boundary.
 */

const MINUTE = 60_000;
const QUARTER = 15 * MINUTE;
/** Bounds memory in a long-lived worker; refilling costs a few thousand Intl calls. */
const MAX_ENTRIES = 200_000;

const zones = new Map<string, { zone: IANAZone; offsets: Map<number, number> }>();
let entries = 0;

/** Offset of `zone` from UTC at instant `ms`, in minutes (Madrid in winter: 60). */
export function offsetMinutes(zone: string, ms: number): number {
  let z = zones.get(zone);
  if (!z) {
    const iana = IANAZone.create(zone);
    if (!iana.isValid) throw new Error(`unknown IANA time zone ${zone}`);
    z = { zone: iana, offsets: new Map() };
    zones.set(zone, z);
  }
  const bucket = Math.floor(ms / QUARTER);
  let off = z.offsets.get(bucket);
  if (off === undefined) {
    if (entries >= MAX_ENTRIES) {
      for (const v of zones.values()) v.offsets.clear();
      entries = 0;
    }
    off = z.zone.offset(bucket * QUARTER);
    z.offsets.set(bucket, off);
    entries++;
  }
  return off;
}

/** The instant as a wall-clock reading in `zone`, expressed as if it were UTC milliseconds. */
export const toLocal = (zone: string, ms: number): number => ms + offsetMinutes(zone, ms) * MINUTE;

/**
 * The instant a wall-clock reading happens in `zone`. A reading skipped by a spring-forward
 * change resolves to the instant one offset later (02:30 becomes 03:30), as clocks do.
 */
export function fromLocal(zone: string, local: number): number {
  const first = local - offsetMinutes(zone, local - offsetMinutes(zone, local) * MINUTE) * MINUTE;
  if (toLocal(zone, first) === local) return first;
  // In the gap: `first` used the new offset and landed before the change; the old one lands after.
  return local - offsetMinutes(zone, first) * MINUTE;
}

/** `YYYY-MM-DD HH:MM:SS` in the zone, for explanations. */
export const formatLocal = (zone: string, ms: number): string => new Date(toLocal(zone, ms)).toISOString().slice(0, 19).replace('T', ' ');
