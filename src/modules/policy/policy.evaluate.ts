import { blockedByCalendar, checkCalendar } from './policy.calendar.ts';
import { compilePolicy } from './policy.compile.ts';
import type { CompiledPolicy } from './policy.compiled.ts';
import { createContext } from './policy.context.ts';
import type { ContactSpec, EvalContext } from './policy.context.ts';
import { blockedByDesignations, checkDesignations } from './policy.designations.ts';
import { blockedByFrequency, checkFrequency } from './policy.frequency.ts';
import { blockedByGates, checkGates, isPermanentAt } from './policy.gates.ts';
import { IntervalUnion, complement } from './policy.intervals.ts';
import type { IntervalSet } from './policy.intervals.ts';
import { BUILT_IN_PACKS } from './policy.packs.ts';
import type { PolicyPacks } from './policy.packs.ts';
import { toReason } from './policy.reasons.ts';
import type { Finding } from './policy.reasons.ts';
import { DAY, formatInstant, parseInstant } from './policy.time.ts';
import type { AllowedWindow, PolicyDecision, PolicyInput, PolicyReason } from './policy.types.ts';

/**
 * The evaluator. Four families of rules — gates, clock, designated times, frequency — each
 * answer two questions from the same data: "what blocks instant t?" (with reasons) and "which
 * instants in [from, to) are blocked?". The first gives `evaluateContact`; the second gives
 * `nextAllowedAt` and `allowedWindows`, which therefore agree with it by construction.
 */

export interface EvaluateOptions {
  /** How far ahead `nextAllowedAt` is searched (default 90 days). */
  readonly horizonDays?: number;
}

export interface WindowQuery extends ContactSpec {
  /** ISO instant where the listing starts. */
  readonly from: string;
  /** Number of 24-hour days listed (1–366). */
  readonly days: number;
}

const DEFAULT_HORIZON_DAYS = 90;

/** `YYYY-MM-DDTHH:MM:SS(.mmm)Z` is echoed as given; other shapes are normalised to UTC. */
const isCanonical = (s: string): boolean => (s.length === 20 || s.length === 24) && s.charCodeAt(s.length - 1) === 90;

function policyFor(input: Omit<PolicyInput, 'proposed'>, packs: PolicyPacks): CompiledPolicy {
  const pack = packs[input.jurisdiction];
  if (!pack) throw new Error(`no policy pack for jurisdiction ${input.jurisdiction}`);
  return compilePolicy(pack, input.tenantOverlay);
}

function findingsAt(ctx: EvalContext, t: number): Finding[] {
  const out: Finding[] = [];
  checkGates(ctx, t, out);
  checkCalendar(ctx, t, out);
  checkDesignations(ctx, t, out);
  checkFrequency(ctx, t, out);
  return out;
}

function blockedWithin(ctx: EvalContext, from: number, to: number): IntervalSet {
  const acc = new IntervalUnion();
  blockedByGates(ctx, from, to, acc);
  blockedByCalendar(ctx, from, to, acc);
  blockedByDesignations(ctx, from, to, acc);
  blockedByFrequency(ctx, from, to, acc);
  return acc.toSet();
}

/**
 * Earliest allowed instant in [t, t + horizon). Looks one day ahead at a time; when that day is
 * entirely blocked it jumps to the end of the blocked stretch (a seven-day frequency block is
 * crossed in one step) instead of widening the search.
 */
function nextAllowed(ctx: EvalContext, t: number, horizon: number): number | null {
  if (isPermanentAt(ctx, t)) return null;
  const end = t + horizon;
  let cur = t;
  while (cur < end) {
    const to = Math.min(cur + DAY, end);
    const blocked = blockedWithin(ctx, cur, to);
    const free = complement(blocked, cur, to);
    if (free.length > 0) return free[0] as number;
    let next = to;
    for (let i = 0; i < blocked.length; i += 2) {
      if ((blocked[i] as number) <= cur && (blocked[i + 1] as number) > cur) next = Math.max(next, blocked[i + 1] as number);
    }
    cur = next;
  }
  return null;
}

/**
 * Decides whether the proposed contact may be made, with every reason (deny reasons first, then
 * informational ones) and, when it may not, the earliest instant the same contact would be
 * allowed. Pure: the proposed instant is the clock. Inputs are trusted to match
 * `PolicyEvaluateRequest` (use `evaluatePolicyDocument` for untrusted documents).
 */
export function evaluateContact(
  input: PolicyInput,
  packs: PolicyPacks = BUILT_IN_PACKS,
  options: EvaluateOptions = {},
): PolicyDecision {
  const policy = policyFor(input, packs);
  const ctx = createContext(policy, input, input.proposed);
  const t = parseInstant(input.proposed.at);
  const findings = findingsAt(ctx, t);
  const deny: Finding[] = [];
  const info: Finding[] = [];
  for (const f of findings) (f.effect === 'deny' ? deny : info).push(f);
  if (ctx.zonesAreFallback) {
    info.unshift({
      code: 'TIMEZONE.UNKNOWN', effect: 'info', ref: policy.location.ref,
      params: { jurisdiction: policy.pack.jurisdiction, zones: ctx.zones.map((z) => z.name).join(', ') },
    });
  }
  const allowed = deny.length === 0;
  const next = allowed ? t : nextAllowed(ctx, t, (options.horizonDays ?? DEFAULT_HORIZON_DAYS) * DAY);
  return {
    allowed,
    reasons: toReasons(deny, info, policy.adjustments),
    nextAllowedAt: next === null ? null : formatInstant(next),
    jurisdiction: policy.pack.jurisdiction,
    packId: policy.pack.id,
    packVersion: policy.packVersion,
    overlay: policy.overlay,
    evaluatedAt: isCanonical(input.proposed.at) ? input.proposed.at : formatInstant(t),
    timezones: ctx.zonesAreFallback ? [...policy.location.fallback] : ctx.zones.length === 1 ? [ctx.zones[0]!.name] : ctx.zones.map((z) => z.name),
  };
}

function toReasons(deny: readonly Finding[], info: readonly Finding[], adjustments: readonly Finding[]): PolicyReason[] {
  const out: PolicyReason[] = [];
  for (const f of deny) out.push(toReason(f));
  for (const f of info) out.push(toReason(f));
  for (const f of adjustments) out.push(toReason(f));
  return out;
}

/**
 * Allowed windows for one kind of contact over `days` days from `from`, for journeys to
 * schedule at the best allowed moment. Both ends of a window are allowed instants. Consistent
 * with `evaluateContact` on the same history: every instant inside a window is allowed, every
 * instant outside is not.
 */
export function allowedWindows(
  input: Omit<PolicyInput, 'proposed'>,
  query: WindowQuery,
  packs: PolicyPacks = BUILT_IN_PACKS,
): AllowedWindow[] {
  if (!(query.days >= 1 && query.days <= 366)) throw new Error('days must be between 1 and 366');
  const ctx = createContext(policyFor(input, packs), input, query);
  const from = parseInstant(query.from);
  const to = from + query.days * DAY;
  const free = complement(blockedWithin(ctx, from, to), from, to);
  const out: AllowedWindow[] = [];
  for (let i = 0; i < free.length; i += 2) {
    out.push({ start: formatInstant(free[i] as number), end: formatInstant((free[i + 1] as number) - 1) });
  }
  return out;
}
