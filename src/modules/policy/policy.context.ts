import { channelBit, outcomeBit } from './policy.compiled.ts';
import type { CompiledPolicy } from './policy.compiled.ts';
import { holidayCalendar } from './policy.holidays.ts';
import type { HolidayCalendar } from './policy.holidays.ts';
import { DAY, isDateOnly, parseDay, parseInstant, zoneOffsets } from './policy.time.ts';
import type { ZoneOffsets } from './policy.time.ts';
import type { PolicyDebtor, PolicyHistoryItem, PolicyInput } from './policy.types.ts';
import type { Channel, Purpose } from './policy.vocabulary.ts';

/**
 * Everything one decision needs: the debtor's zones resolved, past contacts normalised, and —
 * lazily, because most rules look at a few channels only — each past contact's instant and its
 * local day in each zone. Reading a week of history is most of a decision's cost.
 */

/** A past contact, normalised. */
export interface Contact {
  /** Epoch ms (parsed on first read). */
  readonly t: number;
  readonly channel: Channel;
  readonly bit: number;
  readonly outbound: boolean;
  /** null or empty: the contact concerned every debt (not normalised: one memory read less). */
  readonly debtIds: readonly string[] | null;
  /** Bit of the outcome, 0 when not known yet. */
  readonly outcome: number;
  readonly conversation: boolean;
  /** False for numbers later found not to be the debtor's and for calls to other parties
   *  (attorney, bureau, creditor): 12 CFR 1006.14(b)(3) — they do not count towards the debtor. */
  readonly towardsDebtor: boolean;
  /** The item as given, for the fields few rules read (address, consent, purpose). */
  readonly raw: PolicyHistoryItem;
}

export interface Zone {
  readonly name: string;
  readonly tz: ZoneOffsets;
}

/** The contact being evaluated, minus its instant (windows evaluate it at many instants). */
export interface ContactSpec {
  readonly channel: Channel;
  readonly address?: string | null;
  readonly debtId?: string | null;
  readonly debtIds?: readonly string[] | null;
  readonly purpose?: Purpose | null;
  readonly messageType?: 'template' | 'free_form' | null;
}

export interface EvalContext {
  readonly policy: CompiledPolicy;
  readonly debtor: PolicyDebtor;
  readonly zones: readonly Zone[];
  readonly zonesAreFallback: boolean;
  readonly holidays: HolidayCalendar;
  /** In the order given. */
  readonly history: readonly Contact[];
  /** The same contacts sorted by instant (for rules that look for "the next" contact). */
  ordered(): readonly Contact[];
  readonly channel: Channel;
  readonly bit: number;
  readonly address: string | null;
  /** null: the contact is about every debt of the debtor (the conservative reading). */
  readonly debts: readonly string[] | null;
  readonly purpose: Purpose;
  readonly freeForm: boolean;
  /** Local day in zone `z` of `history[i]`. */
  dayOf(z: number, i: number): number;
  /** Per-family results, so the check and the window search share one computation. */
  readonly slots: Record<MemoKey, unknown>;
  keyed: Map<string, unknown> | null;
}

export type MemoKey = 'gates' | 'calendar' | 'frequency' | 'consent' | 'designations';

const EXCLUDED_PARTIES = new Set(['attorney', 'consumer_reporting_agency', 'creditor', 'other']);

/** Lower-case e-mails; phone numbers reduced to digits (keeping a leading +). */
export function normalizeAddress(a: string | null | undefined): string | null {
  if (a === null || a === undefined) return null;
  const s = a.trim().toLowerCase();
  if (/^[+\d][\d\s().-]*$/.test(s)) return (s.startsWith('+') ? '+' : '') + s.replace(/\D/g, '');
  return s;
}

class PastContact implements Contact {
  readonly channel: Channel;
  readonly bit: number;
  readonly outbound: boolean;
  readonly debtIds: readonly string[] | null;
  readonly outcome: number;
  readonly conversation: boolean;
  readonly towardsDebtor: boolean;
  readonly raw: PolicyHistoryItem;
  private time = Number.NaN;

  constructor(h: PolicyHistoryItem) {
    this.channel = h.channel;
    this.bit = channelBit(h.channel);
    this.outbound = h.direction === 'outbound';
    this.debtIds = h.debtIds ?? null;
    this.outcome = h.outcome ? outcomeBit(h.outcome) : 0;
    this.conversation = h.conversation === true;
    this.towardsDebtor = h.notDebtorsNumber !== true && !(h.party && EXCLUDED_PARTIES.has(h.party));
    this.raw = h;
  }

  get t(): number {
    if (Number.isNaN(this.time)) this.time = parseInstant(this.raw.at);
    return this.time;
  }
}

const zoneCache = new Map<string, { zone: Zone; alone: readonly Zone[] }>();
function zoneEntry(name: string): { zone: Zone; alone: readonly Zone[] } {
  let z = zoneCache.get(name);
  if (!z) {
    const zone = { name, tz: zoneOffsets(name) };
    zoneCache.set(name, (z = { zone, alone: [zone] }));
  }
  return z;
}
const zoneNamed = (name: string): Zone => zoneEntry(name).zone;

/** Fallback zones per compiled policy (resolved once). */
const fallbackZones = new WeakMap<CompiledPolicy, readonly Zone[]>();

function zonesOf(names: readonly string[] | null | undefined): readonly Zone[] | null {
  if (!names || names.length === 0) return null;
  if (names.length === 1) return zoneEntry(names[0] as string).alone;
  return [...new Set(names)].map(zoneNamed);
}

export function createContext(
  policy: CompiledPolicy,
  input: Omit<PolicyInput, 'proposed'>,
  spec: ContactSpec,
): EvalContext {
  const debtor = input.debtor;
  const named = zonesOf(debtor.timezones);
  let zones = named;
  if (zones === null) {
    zones = fallbackZones.get(policy) ?? null;
    if (zones === null) fallbackZones.set(policy, (zones = policy.location.fallback.map(zoneNamed)));
  }
  const raw = input.history ?? [];
  const history: Contact[] = new Array<Contact>(raw.length);
  for (let i = 0; i < raw.length; i++) history[i] = new PastContact(raw[i] as PolicyHistoryItem);
  let debts: readonly string[] | null = null;
  if (spec.debtIds && spec.debtIds.length > 0) debts = [...new Set([...(spec.debtId ? [spec.debtId] : []), ...spec.debtIds])];
  else if (spec.debtId) debts = [spec.debtId];
  return new DecisionContext(policy, debtor, zones, named === null, history, spec, debts);
}

class DecisionContext implements EvalContext {
  readonly policy: CompiledPolicy;
  readonly debtor: PolicyDebtor;
  readonly zones: readonly Zone[];
  readonly zonesAreFallback: boolean;
  readonly holidays: HolidayCalendar;
  readonly history: readonly Contact[];
  readonly channel: Channel;
  readonly bit: number;
  readonly debts: readonly string[] | null;
  readonly purpose: Purpose;
  readonly freeForm: boolean;
  private readonly rawAddress: string | null;
  private normalizedAddress: string | null | undefined = undefined;
  readonly slots: Record<MemoKey, unknown> = { gates: undefined, calendar: undefined, frequency: undefined, consent: undefined, designations: undefined };
  keyed: Map<string, unknown> | null = null;
  private readonly dayCache: (number[] | undefined)[] = [];
  private sorted: readonly Contact[] | null = null;

  constructor(
    policy: CompiledPolicy, debtor: PolicyDebtor, zones: readonly Zone[], zonesAreFallback: boolean,
    history: readonly Contact[], spec: ContactSpec, debts: readonly string[] | null,
  ) {
    this.policy = policy;
    this.debtor = debtor;
    this.zones = zones;
    this.zonesAreFallback = zonesAreFallback;
    this.holidays = holidayCalendar(debtor.country ?? policy.pack.holidayCountry, debtor.region);
    this.history = history;
    this.channel = spec.channel;
    this.bit = channelBit(spec.channel);
    this.rawAddress = spec.address ?? null;
    this.debts = debts;
    this.purpose = spec.purpose ?? 'collection';
    this.freeForm = spec.messageType === 'free_form';
  }

  /** Normalised lazily: most decisions never compare addresses. */
  get address(): string | null {
    if (this.normalizedAddress === undefined) this.normalizedAddress = normalizeAddress(this.rawAddress);
    return this.normalizedAddress;
  }

  dayOf(z: number, i: number): number {
    let d = this.dayCache[z];
    if (d === undefined) this.dayCache[z] = d = new Array<number>(this.history.length).fill(Number.NaN);
    let day = d[i] as number;
    if (Number.isNaN(day)) d[i] = day = (this.zones[z] as Zone).tz.localDay((this.history[i] as Contact).t);
    return day;
  }

  ordered(): readonly Contact[] {
    if (this.sorted === null) {
      const h = this.history;
      let inOrder = true;
      for (let i = 1; i < h.length && inOrder; i++) inOrder = (h[i - 1] as Contact).t <= (h[i] as Contact).t;
      this.sorted = inOrder ? h : [...h].sort((a, b) => a.t - b.t);
    }
    return this.sorted;
  }
}

/** Whether a contact about `contactDebts` concerns debt `debt` (null on either side: all debts). */
export const concernsDebt = (contactDebts: readonly string[] | null, debt: string | null): boolean =>
  contactDebts === null || debt === null || contactDebts.length === 0 || contactDebts.includes(debt);

/** First instant of local day `day` in a zone (a skipped day yields the next day's start). */
export function localDayStart(tz: ZoneOffsets, day: number): number {
  const r = tz.localToUtc(day * DAY, (day + 1) * DAY);
  return r.length > 0 ? (r[0] as number) : localDayStart(tz, day + 1);
}

/**
 * The UTC instant a date-or-instant field means. A calendar date is read in the debtor's zones;
 * with several zones, `edge` picks the conservative one: 'earliest' for the start of a block,
 * 'latest' for its end, and the reverse for permissions.
 * `endOfDay` reads a date as inclusive (its end, i.e. the next day's start).
 */
export function dateInstant(ctx: EvalContext, s: string, edge: 'earliest' | 'latest', endOfDay: boolean): number {
  if (!isDateOnly(s)) return parseInstant(s);
  const day = parseDay(s) + (endOfDay ? 1 : 0);
  let best = edge === 'earliest' ? Infinity : -Infinity;
  for (const z of ctx.zones) {
    const t = localDayStart(z.tz, day);
    best = edge === 'earliest' ? Math.min(best, t) : Math.max(best, t);
  }
  return best;
}

/** Memoise a per-decision computation on the context. */
export function memo<T>(ctx: EvalContext, key: MemoKey, make: () => T): T {
  let v = ctx.slots[key];
  if (v === undefined) ctx.slots[key] = v = make();
  return v as T;
}

/** Memoise a per-decision computation under a dynamic key (rarely needed). */
export function memoKeyed<T>(ctx: EvalContext, key: string, make: () => T): T {
  if (ctx.keyed === null) ctx.keyed = new Map();
  if (ctx.keyed.has(key)) return ctx.keyed.get(key) as T;
  const v = make();
  ctx.keyed.set(key, v);
  return v;
}
