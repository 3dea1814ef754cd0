import { perChannel } from './policy.compiled.ts';
import { dateInstant, memo, normalizeAddress } from './policy.context.ts';
import type { EvalContext } from './policy.context.ts';
import { complement } from './policy.intervals.ts';
import type { IntervalUnion } from './policy.intervals.ts';
import { holdCode } from './policy.reasons.ts';
import type { Finding, Params, RuleRef } from './policy.reasons.ts';
import { HOUR, formatInstant } from './policy.time.ts';

/**
 * Gates: rules that close a channel or every channel over a span of instants rather than by the
 * clock — channel bans, provider rules, consent, cease, holds, opt-outs, designated places,
 * vulnerability pauses. Each becomes `[from, to)` entries; an entry open to +∞ is permanent,
 * which is why `nextAllowedAt` is null behind it.
 */

interface GateEntry {
  readonly finding: Finding;
  readonly from: number;
  readonly to: number;
}

/** How long after the debtor's own contact from a designated place one reply stays allowed. */
const PLACE_REPLY_WINDOW = 24 * HOUR;

function entries(ctx: EvalContext): readonly GateEntry[] {
  return memo(ctx, 'gates', () => buildEntries(ctx));
}

interface ChannelGates {
  /** Gates that depend only on the policy and the channel. */
  readonly entries: readonly GateEntry[];
  readonly consentRequired: boolean;
}

function channelGates(ctx: EvalContext): ChannelGates {
  return perChannel(ctx.policy, 'gates', ctx.bit, () => fixedGates(ctx));
}

function fixedGates(ctx: EvalContext): ChannelGates {
  const { policy, bit, channel } = ctx;
  const out: GateEntry[] = [];
  const deny = (code: Finding['code'], ref: RuleRef, params: Params): void => {
    out.push({ finding: { code, effect: 'deny', ref, params: Object.freeze(params), permanent: true }, from: -Infinity, to: Infinity });
  };
  if ((policy.tenant.channels & bit) === 0) deny('CHANNEL.NOT_ALLOWED_BY_TENANT', policy.tenant.ref, { channel });
  for (const r of policy.prohibited) if (r.mask & bit) deny('CHANNEL.PROHIBITED', r.ref, { channel });
  for (const r of policy.senderRules) {
    if (r.mask & bit && !r.allowed.has(policy.tenant.sender)) deny('CHANNEL.SENDER_NOT_PERMITTED', r.ref, { channel, sender: policy.tenant.sender });
  }
  for (const r of policy.enablement) if (r.mask & bit && !(policy.tenant.enabled & bit)) deny('CHANNEL.NOT_ENABLED', r.ref, { channel });
  return { entries: Object.freeze(out), consentRequired: policy.consentRequired.some((r) => r.mask & bit) };
}

function buildEntries(ctx: EvalContext): readonly GateEntry[] {
  const { policy, debtor, bit, channel } = ctx;
  const { entries: fixed, consentRequired } = channelGates(ctx);
  // A consent with no dates for this channel (and address) authorises it at every instant.
  const consentNeeded = consentRequired
    && !(debtor.consents ?? []).some((c) => c.channel === channel && !c.at && !c.revokedAt && (!c.address || normalizeAddress(c.address) === ctx.address));
  // Most decisions have nothing debtor-specific to gate: share the fixed list.
  if (!consentNeeded && !ctx.freeForm && !debtor.ceaseReceivedAt && !debtor.holds?.length && !debtor.optOuts?.length
    && !debtor.inconvenientPlaces?.length && !debtor.vulnerability && !debtor.preferences?.channels) {
    return fixed;
  }
  const out: GateEntry[] = fixed.slice();
  const deny = (code: Finding['code'], ref: RuleRef, params: Params, from = -Infinity, to = Infinity): void => {
    if (from < to) out.push({ finding: { code, effect: 'deny', ref, params, permanent: to === Infinity }, from, to });
  };
  const info = (code: Finding['code'], ref: RuleRef, params: Params, from = -Infinity, to = Infinity): void => {
    if (from < to) out.push({ finding: { code, effect: 'info', ref, params }, from, to });
  };

  // Consent (CO art. 2, provider opt-ins): allowed only inside the spans of a matching consent.
  for (const r of consentNeeded ? policy.consentRequired : []) {
    if (!(r.mask & bit)) continue;
    const spans: number[] = [];
    for (const c of debtor.consents ?? []) {
      if (c.channel !== channel) continue;
      if (c.address && normalizeAddress(c.address) !== ctx.address) continue;
      spans.push(c.at ? dateInstant(ctx, c.at, 'latest', false) : -Infinity, c.revokedAt ? dateInstant(ctx, c.revokedAt, 'earliest', false) : Infinity);
    }
    for (const [from, to] of pairs(complement(sortSpans(spans), -Infinity, Infinity))) {
      deny('CONSENT.CHANNEL_NOT_AUTHORISED', r.ref, { channel, address: ctx.address ?? '' }, from, to);
    }
  }

  // WhatsApp free-form text only inside the window the debtor's own last message opened.
  if (ctx.freeForm) {
    for (const r of policy.serviceWindows) {
      if (!(r.mask & bit)) continue;
      const spans: number[] = [];
      for (const h of ctx.history) if (!h.outbound && h.bit & r.mask) spans.push(h.t, h.t + r.hours * HOUR);
      for (const [from, to] of pairs(complement(sortSpans(spans), -Infinity, Infinity))) {
        deny('WHATSAPP.OUTSIDE_SERVICE_WINDOW', r.ref, { channel, hours: r.hours }, from, to);
      }
    }
  }

  // Cease (12 CFR 1006.6(c)): from receipt, only the notices 6(c)(2) allows.
  if (debtor.ceaseReceivedAt) {
    const from = dateInstant(ctx, debtor.ceaseReceivedAt, 'earliest', false);
    const { cease } = policy;
    const params = { channel, since: debtor.ceaseReceivedAt, purpose: ctx.purpose };
    if (cease.purposes.has(ctx.purpose) && cease.channels & bit) info('CEASE.NOTICE_ALLOWED', cease.ref, params, from);
    else deny('CEASE.RECEIVED', cease.ref, params, from);
  }

  for (const h of debtor.holds ?? []) {
    const holdDebts = h.debtIds && h.debtIds.length > 0 ? h.debtIds : null;
    // A hold without debts covers them all; a contact about every debt meets every hold.
    const covered = holdDebts === null ? null : ctx.debts === null ? holdDebts : ctx.debts.filter((d) => holdDebts.includes(d));
    if (covered !== null && covered.length === 0) continue;
    const rule = policy.holds[h.kind];
    const from = h.from ? dateInstant(ctx, h.from, 'earliest', false) : -Infinity;
    const to = h.until ? dateInstant(ctx, h.until, 'latest', true) : Infinity;
    const params = {
      hold: h.kind, debt: covered === null ? '' : covered.join(', '), since: h.from ?? '—', until: h.until ?? '',
      channel, purpose: ctx.purpose,
    };
    if (rule.purposes.has(ctx.purpose) && rule.channels & bit) info('HOLD.PURPOSE_ALLOWED', rule.ref, params, from, to);
    else deny(holdCode(h.kind), rule.ref, params, from, to);
  }

  // Opt-outs (1006.6(e), 1006.14(h)): per channel and address, for every debt; one confirmation.
  for (const o of debtor.optOuts ?? []) {
    if (o.channel !== channel) continue;
    const optAddress = normalizeAddress(o.address);
    const from = o.at ? dateInstant(ctx, o.at, 'earliest', false) : -Infinity;
    const since = o.at ?? '—';
    if (optAddress !== null && ctx.address === null) {
      deny('OPT_OUT.ADDRESS_UNKNOWN', policy.optOut.ref, { channel, since }, from);
      continue;
    }
    if (optAddress !== null && optAddress !== ctx.address) continue;
    const address = ctx.address ?? '';
    const sent = ctx.history.filter((h) => h.outbound && h.raw.purpose === 'opt_out_confirmation' && h.channel === channel
      && normalizeAddress(h.raw.address) === ctx.address && h.t >= from).length;
    if (ctx.purpose === 'opt_out_confirmation' && sent < policy.optOut.confirmations) {
      info('OPT_OUT.CONFIRMATION_ALLOWED', policy.optOut.ref, { channel, address }, from);
    } else deny(optAddress === null ? 'OPT_OUT.CHANNEL' : 'OPT_OUT.ADDRESS', policy.optOut.ref, { channel, address, since }, from);
  }

  addPlaces(ctx, deny, info);
  addAdaptations(ctx, deny, info);
  return out;
}

type Emit = (code: Finding['code'], ref: RuleRef, params: Params, from?: number, to?: number) => void;

/** Designated inconvenient places (1006.6(b)(1)(i)): the addresses that reach the debtor there. */
function addPlaces(ctx: EvalContext, deny: Emit, info: Emit): void {
  const { designations } = ctx.policy;
  for (const p of ctx.debtor.inconvenientPlaces ?? []) {
    if (p.channel && p.channel !== ctx.channel) continue;
    const place = normalizeAddress(p.address);
    // With no address on the contact we cannot rule the place out: block (conservative).
    if (ctx.address !== null && ctx.address !== place) continue;
    const from = p.since ? dateInstant(ctx, p.since, 'earliest', false) : -Infinity;
    const to = p.until ? dateInstant(ctx, p.until, 'latest', true) : Infinity;
    const params = { channel: ctx.channel, address: p.address };
    let spans: number[] = [];
    if (designations.replyOnce && ctx.address !== null) {
      // The debtor wrote or called from the place: one reply on that channel, to that place.
      const history = ctx.ordered();
      for (let i = 0; i < history.length; i++) {
        const h = history[i]!;
        if (h.outbound || h.channel !== ctx.channel || normalizeAddress(h.raw.address) !== place || h.t < from || h.t >= to) continue;
        let end = Math.min(h.t + PLACE_REPLY_WINDOW, to);
        for (let k = i + 1; k < history.length; k++) {
          const o = history[k]!;
          if (o.outbound && o.channel === ctx.channel && normalizeAddress(o.raw.address) === place) { end = Math.min(end, o.t + 1); break; }
        }
        spans.push(h.t, end);
      }
      spans = sortSpans(spans);
      for (const [a, b] of pairs(spans)) info('INCONVENIENT.REPLY_ALLOWED', designations.ref, { ...params, inboundAt: formatInstant(a) }, a, b);
    }
    for (const [a, b] of pairs(complement(spans, from, to))) deny('INCONVENIENT.PLACE', designations.ref, params, a, b);
  }
}

/** Vulnerability adaptations (FG21/1) and the debtor's own channel preferences: narrow only. */
function addAdaptations(ctx: EvalContext, deny: Emit, info: Emit): void {
  const { vulnerability: v, preferences: p } = ctx.debtor;
  const { policy, channel } = ctx;
  if (v?.channels && !v.channels.includes(channel)) deny('VULNERABILITY.CHANNEL', policy.vulnerability, { channel, channels: v.channels.join(',') });
  if (v?.pauseUntil) deny('VULNERABILITY.PAUSED', policy.vulnerability, { until: v.pauseUntil }, -Infinity, dateInstant(ctx, v.pauseUntil, 'latest', true));
  if (v?.reviewAt) info('VULNERABILITY.REVIEW_DUE', policy.vulnerability, { reviewAt: v.reviewAt }, dateInstant(ctx, v.reviewAt, 'earliest', true));
  if (p?.channels && !p.channels.includes(channel)) deny('PREFERENCE.CHANNEL', policy.preferences, { channel, channels: p.channels.join(',') });
}

function sortSpans(flat: number[]): number[] {
  const ps = pairs(flat).sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  for (const [a, b] of ps) {
    const n = out.length;
    if (n > 0 && a <= out[n - 1]!) out[n - 1] = Math.max(out[n - 1]!, b);
    else if (a < b) out.push(a, b);
  }
  return out;
}

function pairs(flat: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

/** Findings of the gates at instant `t`. */
export function checkGates(ctx: EvalContext, t: number, out: Finding[]): void {
  for (const e of entries(ctx)) if (e.from <= t && t < e.to) out.push(e.finding);
}

/** Instants the gates block from `from` on, for spans overlapping [from, to) (whole, not cut at `to`). */
export function blockedByGates(ctx: EvalContext, from: number, to: number, acc: IntervalUnion): void {
  for (const e of entries(ctx)) {
    if (e.finding.effect === 'deny' && e.from < to && e.to > from) acc.add(Math.max(e.from, from), e.to);
  }
}

/** Whether a deny gate active at `t` lasts for ever (nothing to wait for). */
export const isPermanentAt = (ctx: EvalContext, t: number): boolean =>
  entries(ctx).some((e) => e.finding.permanent === true && e.from <= t && t < e.to);
