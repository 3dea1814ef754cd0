import { ALL_CHANNELS, ATTEMPT_OUTCOMES, channelMask, outcomeMask } from './policy.compiled.ts';
import type {
  CompiledAfterConversation, CompiledCap, CompiledDirectContact, CompiledGate, CompiledHold, CompiledHolidays,
  CompiledHours, CompiledPolicy,
} from './policy.compiled.ts';
import { intersect, subtract } from './policy.intervals.ts';
import type { IntervalSet } from './policy.intervals.ts';
import type { PackRule, PolicyPack, RuleOfKind, RuleSettings, TenantOverlay } from './policy.pack.types.ts';
import type { Finding, RuleRef } from './policy.reasons.ts';
import { DAY, describeTimeOfDaySet, parseTimeOfDay } from './policy.time.ts';
import { HOLD_KINDS, WEEKDAYS } from './policy.vocabulary.ts';
import type { HoldKind, Outcome, WeekWindows } from './policy.vocabulary.ts';

/**
 * Compiles a pack and an optional tenant overlay. Overlay rules never loosen a verified rule:
 * additions (hours, caps, channel lists) can only narrow by construction, and settings on a
 * verified rule are merged towards the stricter value with an `OVERLAY.CLAMPED` finding that
 * every decision repeats, so the loosening attempt is visible to whoever reads the decision.
 */

const compiledBase = new WeakMap<PolicyPack, CompiledPolicy>();
const compiledWithOverlay = new WeakMap<PolicyPack, WeakMap<TenantOverlay, CompiledPolicy>>();

export function compilePolicy(pack: PolicyPack, overlay?: TenantOverlay | null): CompiledPolicy {
  if (!overlay) {
    let c = compiledBase.get(pack);
    if (!c) compiledBase.set(pack, (c = compile(pack, null)));
    return c;
  }
  let byOverlay = compiledWithOverlay.get(pack);
  if (!byOverlay) compiledWithOverlay.set(pack, (byOverlay = new WeakMap()));
  let c = byOverlay.get(overlay);
  if (!c) byOverlay.set(overlay, (c = compile(pack, overlay)));
  return c;
}

/** Rule kinds a decision cannot be made without. */
const STRUCTURAL_KINDS = new Set<PackRule['kind']>(['location', 'designations', 'cease', 'opt_out', 'hold', 'preferences', 'vulnerability']);

const refOf = (r: PackRule): RuleRef => ({ id: r.id, citation: r.citation, verified: r.verified });

/** Time-of-day sets per weekday from windows; a `to` before `from` wraps into the next day. */
export function compileWindows(windows: WeekWindows, endInclusive: boolean): (IntervalSet | null)[] {
  const sets: (number[] | null)[] = WEEKDAYS.map((d) => (windows[d] ? [] : null));
  const pieces: [number, number, number][] = [];
  WEEKDAYS.forEach((d, w) => {
    for (const win of windows[d] ?? []) {
      const from = parseTimeOfDay(win.from);
      const to = Math.min(DAY, parseTimeOfDay(win.to) + (endInclusive ? 1 : 0));
      if (to > from) pieces.push([w, from, to]);
      else {
        pieces.push([w, from, DAY]);
        pieces.push([(w + 1) % 7, 0, to]);
      }
    }
  });
  for (const [w, a, b] of pieces) {
    const set = sets[w];
    if (set) sets[w] = union(set, [a, b]);
  }
  return sets;
}

function union(a: readonly number[], b: readonly number[]): number[] {
  const all = [...a, ...b];
  const pairs: [number, number][] = [];
  for (let i = 0; i < all.length; i += 2) pairs.push([all[i] as number, all[i + 1] as number]);
  pairs.sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  for (const [s, e] of pairs) {
    const n = out.length;
    if (n > 0 && s <= (out[n - 1] as number)) out[n - 1] = Math.max(out[n - 1] as number, e);
    else out.push(s, e);
  }
  return out;
}

function compile(pack: PolicyPack, overlay: TenantOverlay | null): CompiledPolicy {
  const adjustments: Finding[] = [];
  const tenantRef: RuleRef = {
    id: 'tenant.overlay',
    citation: overlay ? `Tenant overlay ${overlay.id ?? 'unnamed'}@${overlay.version ?? '0'}` : 'No tenant overlay',
    verified: true,
  };
  const settingsFor = new Map(Object.entries(overlay?.rules ?? {}));
  for (const id of settingsFor.keys()) {
    if (!pack.rules.some((r) => r.id === id)) {
      adjustments.push({ code: 'OVERLAY.IGNORED', effect: 'info', ref: tenantRef, params: Object.freeze({ rule: id, setting: 'rules' }) });
    }
  }
  const clamp = (r: PackRule, setting: string, requested: unknown, applied: unknown): void => {
    adjustments.push({
      code: 'OVERLAY.CLAMPED', effect: 'info', ref: refOf(r),
      params: Object.freeze({ rule: r.id, setting, requested: String(requested), applied: String(applied) }),
    });
  };
  const ignore = (r: PackRule, setting: string): void => {
    adjustments.push({ code: 'OVERLAY.IGNORED', effect: 'info', ref: refOf(r), params: Object.freeze({ rule: r.id, setting }) });
  };

  const out = {
    hours: [] as CompiledHours[], holidays: [] as CompiledHolidays[], holds: {} as Record<HoldKind, CompiledHold>,
    prohibited: [] as CompiledGate[], consentRequired: [] as CompiledGate[], enablement: [] as CompiledGate[],
    senderRules: [] as CompiledPolicy['senderRules'][number][], serviceWindows: [] as CompiledPolicy['serviceWindows'][number][],
    caps: [] as CompiledCap[], afterConversation: [] as CompiledAfterConversation[], directContact: [] as CompiledDirectContact[],
  };
  let location: CompiledPolicy['location'] | undefined;
  let designations: CompiledPolicy['designations'] | undefined;
  let cease: CompiledPolicy['cease'] | undefined;
  let optOut: CompiledPolicy['optOut'] | undefined;
  let consentWindow: CompiledPolicy['consentWindow'] = null;
  let preferences: RuleRef | undefined;
  let vulnerability: RuleRef | undefined;

  for (const rule of pack.rules) {
    const s: RuleSettings = settingsFor.get(rule.id) ?? {};
    if (s.enabled === false) {
      // Unverified rules are configurable, including off; verified ones (and the rules every
      // pack must have) stay on.
      if (!rule.verified && !STRUCTURAL_KINDS.has(rule.kind)) continue;
      clamp(rule, 'enabled', false, true);
    }
    const ref = refOf(rule);
    const used = new Set<keyof RuleSettings>(['enabled']);
    switch (rule.kind) {
      case 'hours': {
        used.add('windows');
        out.hours.push({
          ref, mask: channelMask(rule.channels), windows: hoursWithSettings(rule, s, clamp),
          closedCode: 'DAYS.WEEKDAY_BLOCKED', outsideCode: 'HOURS.OUTSIDE_WINDOW',
        });
        break;
      }
      case 'holidays': out.holidays.push({ ref, mask: channelMask(rule.channels) }); break;
      case 'location': location = { ref, fallback: rule.fallbackTimezones }; break;
      case 'designations': designations = { ref, replyOnce: rule.replyOnce }; break;
      case 'cease': cease = { ref, purposes: new Set(rule.noticePurposes), channels: channelMask(rule.noticeChannels) }; break;
      case 'opt_out': optOut = { ref, confirmations: rule.confirmations }; break;
      case 'hold': out.holds[rule.hold] = { ref, purposes: new Set(rule.allowedPurposes), channels: channelMask(rule.allowedChannels) }; break;
      case 'channel_prohibited': out.prohibited.push({ ref, mask: channelMask(rule.channels) }); break;
      case 'consent_required': out.consentRequired.push({ ref, mask: channelMask(rule.channels) }); break;
      case 'sender_channel':
        out.senderRules.push({ ref, mask: channelMask(rule.channels), allowed: new Set(rule.allowedSenders) });
        break;
      case 'channel_enablement': out.enablement.push({ ref, mask: channelMask(rule.channels) }); break;
      case 'service_window': out.serviceWindows.push({ ref, mask: channelMask(rule.channels), hours: rule.hours }); break;
      case 'call_consent_window': consentWindow = { ref, maxDays: rule.maxDays }; break;
      case 'cap': {
        for (const k of ['max', 'windowDays', 'minDayGap', 'countedOutcomes'] as const) used.add(k);
        out.caps.push(capWithSettings(rule, s, clamp));
        break;
      }
      case 'after_conversation': {
        used.add('days');
        let days = rule.days;
        if (s.days !== undefined) {
          days = rule.verified ? Math.max(rule.days, s.days) : s.days;
          if (rule.verified && s.days < rule.days) clamp(rule, 'days', s.days, days);
        }
        out.afterConversation.push({ ref, mask: channelMask(rule.channels), days, consentExempt: rule.consentWindowsExempt });
        break;
      }
      case 'after_direct_contact': {
        // Both are declared tenant settings in COMPLIANCE.md (what counts as a direct contact is
        // disputed; the week start is the tenant's), so they apply as given.
        used.add('directContact');
        used.add('weekStart');
        out.directContact.push({
          ref, mask: channelMask(rule.channels), directContact: s.directContact ?? rule.directContact,
          weekStart: WEEKDAYS.indexOf(s.weekStart ?? rule.weekStart),
        });
        break;
      }
      case 'preferences': preferences = ref; break;
      case 'vulnerability': vulnerability = ref; break;
    }
    for (const k of Object.keys(s) as (keyof RuleSettings)[]) if (s[k] !== undefined && !used.has(k)) ignore(rule, k);
  }
  if (!location || !designations || !cease || !optOut || !preferences || !vulnerability) {
    throw new Error(`pack ${pack.id} is missing a required rule (validate it with PolicyPack first)`);
  }
  for (const k of HOLD_KINDS) if (!out.holds[k]) throw new Error(`pack ${pack.id} has no rule for hold ${k}`);

  addTenantRules(overlay, tenantRef, out);
  return {
    pack, packVersion: `${pack.id}@${pack.version}`,
    overlay: overlay ? { id: overlay.id ?? 'unnamed', version: overlay.version ?? '0' } : null,
    location, designations, cease, optOut, consentWindow, preferences, vulnerability, ...out,
    tenant: {
      ref: tenantRef,
      sender: overlay?.sender ?? 'agency',
      channels: overlay?.channels ? channelMask(overlay.channels) : ALL_CHANNELS,
      enabled: channelMask(overlay?.enabledChannels),
    },
    adjustments,
    derived: { calendar: [], frequency: [], gates: [] },
  };
}

type Clamp = (r: PackRule, setting: string, requested: unknown, applied: unknown) => void;

function hoursWithSettings(rule: RuleOfKind<'hours'>, s: RuleSettings, clamp: Clamp): (IntervalSet | null)[] {
  const base = compileWindows(rule.windows, rule.endInclusive);
  if (!s.windows) return base;
  const requested = compileWindows(s.windows, rule.endInclusive);
  return base.map((set, w) => {
    const req = requested[w];
    if (req === null || req === undefined) return set;
    if (!rule.verified) return req;
    if (set === null) return req; // the rule does not restrict this weekday: any window narrows
    const applied = intersect(set, req);
    if (subtract(req, set).length > 0) clamp(rule, `windows.${WEEKDAYS[w]}`, describeTimeOfDaySet(req), describeTimeOfDaySet(applied));
    return applied;
  });
}

function capWithSettings(rule: RuleOfKind<'cap'>, s: RuleSettings, clamp: Clamp): CompiledCap {
  let { max, windowDays, minDayGap } = rule;
  let counted: readonly Outcome[] = rule.countedOutcomes;
  if (rule.verified) {
    // Stricter means: fewer contacts, a longer window, a longer gap, more outcomes counted.
    if (s.max !== undefined) { max = Math.min(max, s.max); if (s.max > rule.max) clamp(rule, 'max', s.max, max); }
    if (s.windowDays !== undefined) {
      windowDays = Math.max(windowDays, s.windowDays);
      if (s.windowDays < rule.windowDays) clamp(rule, 'windowDays', s.windowDays, windowDays);
    }
    if (s.minDayGap !== undefined) {
      minDayGap = Math.max(minDayGap, s.minDayGap);
      if (s.minDayGap < rule.minDayGap) clamp(rule, 'minDayGap', s.minDayGap, minDayGap);
    }
    if (s.countedOutcomes) {
      const missing = rule.countedOutcomes.filter((o) => !s.countedOutcomes?.includes(o));
      counted = [...new Set([...rule.countedOutcomes, ...s.countedOutcomes])];
      if (missing.length > 0) clamp(rule, 'countedOutcomes', s.countedOutcomes.join(','), counted.join(','));
    }
  } else {
    max = s.max ?? max;
    windowDays = s.windowDays ?? windowDays;
    minDayGap = s.minDayGap ?? minDayGap;
    counted = s.countedOutcomes ?? counted;
  }
  return {
    ref: refOf(rule), mask: channelMask(rule.channels), max, windowDays, minDayGap, period: rule.period,
    weekStart: WEEKDAYS.indexOf(rule.weekStart), scope: rule.scope, counted: outcomeMask(counted),
    countUnknown: rule.countUnknownOutcome, consentExempt: rule.consentWindowsExempt, code: rule.code,
  };
}

function addTenantRules(
  overlay: TenantOverlay | null,
  tenantRef: RuleRef,
  out: { hours: CompiledHours[]; holidays: CompiledHolidays[]; caps: CompiledCap[] },
): void {
  if (!overlay) return;
  overlay.hours?.forEach((h, i) => {
    out.hours.push({
      ref: { ...tenantRef, id: `tenant.hours.${i}` },
      mask: h.channels ? channelMask(h.channels) : ALL_CHANNELS,
      windows: compileWindows(h.windows, true),
      closedCode: 'DAYS.WEEKDAY_BLOCKED',
      outsideCode: 'HOURS.OUTSIDE_WINDOW',
    });
  });
  if (overlay.holidays) {
    out.holidays.push({
      ref: { ...tenantRef, id: 'tenant.holidays' },
      mask: overlay.holidays.channels ? channelMask(overlay.holidays.channels) : ALL_CHANNELS,
    });
  }
  overlay.caps?.forEach((c, i) => {
    out.caps.push({
      ref: { ...tenantRef, id: `tenant.caps.${i}` }, mask: channelMask(c.channels), max: c.max, windowDays: c.days,
      minDayGap: c.minDayGap ?? 0, period: 'rolling', weekStart: 0, scope: c.scope ?? 'debtor', counted: ATTEMPT_OUTCOMES,
      countUnknown: true, consentExempt: false, code: 'FREQUENCY.CAP_EXCEEDED',
    });
  });
}
