import { describe, expect, it } from 'vitest';
import { evaluateContact, reviewTenantOverlay } from './index.ts';
import type { Channel, PolicyInput } from './index.ts';

/**
 * Tenant overlays narrow; an attempt to loosen a verified rule is clamped and every decision
 * says so (OVERLAY.CLAMPED); unverified rules are configurable both ways.
 */

const ZONES: Record<string, string> = { US: 'America/New_York', CL: 'America/Santiago', BR: 'America/Sao_Paulo', CO: 'America/Bogota' };

function input(jurisdiction: string, at: string, overlay: PolicyInput['tenantOverlay'], channel: Channel = 'call', history: PolicyInput['history'] = []): PolicyInput {
  return {
    jurisdiction,
    debtor: { timezones: [ZONES[jurisdiction] as string], consents: [{ channel: 'call' }, { channel: 'sms' }, { channel: 'email' }] },
    history,
    proposed: { at, channel, debtId: 'A' },
    tenantOverlay: overlay,
  };
}

describe('tenant overlays', () => {
  it('narrows hours: no calls before 10:00 for this tenant', () => {
    const d = evaluateContact(input('US', '2026-03-11T13:30:00Z', { id: 'acme', version: '4', hours: [{ channels: ['call'], windows: { WED: [{ from: '10:00', to: '18:00' }] } }] }));
    expect(d.allowed).toBe(false);
    expect(d.reasons[0]).toMatchObject({ code: 'HOURS.OUTSIDE_WINDOW', rule: 'tenant.hours.0', citation: 'Tenant overlay acme@4' });
    expect(d.nextAllowedAt).toBe('2026-03-11T14:00:00Z');
    expect(d.overlay).toEqual({ id: 'acme', version: '4' });
  });

  it('clamps a loosening of verified hours (07:00–22:00 asked in the US) and says so', () => {
    const overlay = { id: 'loose', rules: { 'us.hours': { windows: { WED: [{ from: '07:00', to: '22:00' }] } } } };
    const early = evaluateContact(input('US', '2026-03-11T11:30:00Z', overlay)); // 07:30 EDT
    expect(early.allowed).toBe(false);
    expect(early.reasons.map((r) => r.code)).toEqual(['HOURS.OUTSIDE_WINDOW', 'OVERLAY.CLAMPED']);
    const clamp = early.reasons[1];
    expect(clamp).toMatchObject({ effect: 'info', rule: 'us.hours', details: { setting: 'windows.WED', requested: '07:00–22:00', applied: '08:00–21:00' } });
    // Every decision under that overlay repeats it, allowed or not.
    const ok = evaluateContact(input('US', '2026-03-11T16:00:00Z', overlay));
    expect(ok.allowed).toBe(true);
    expect(ok.reasons.map((r) => r.code)).toEqual(['OVERLAY.CLAMPED']);
  });

  it('accepts a stricter setting of a verified rule silently', () => {
    const overlay = { rules: { 'us.calls.7-in-7': { max: 3 }, 'us.calls.after-conversation': { days: 10 } } };
    const history = ['2026-03-09', '2026-03-10', '2026-03-11'].map((d) => ({ at: `${d}T14:00:00Z`, channel: 'call' as const, direction: 'outbound' as const, debtIds: ['A'], outcome: 'no_answer' as const }));
    const d = evaluateContact(input('US', '2026-03-11T18:00:00Z', overlay, 'call', history));
    expect(d.reasons.map((r) => r.code)).toEqual(['FREQUENCY.CALLS_7_IN_7_DAYS']);
  });

  it.each([
    ['a higher call cap', { 'us.calls.7-in-7': { max: 10 } }, 'max', '10', '7'],
    ['a shorter window', { 'us.calls.7-in-7': { windowDays: 3 } }, 'windowDays', '3', '7'],
    ['fewer counted outcomes', { 'us.calls.7-in-7': { countedOutcomes: ['answered'] } }, 'countedOutcomes', 'answered', 'answered,answered_dropped,no_answer,voicemail,ringless_voicemail'],
    ['a shorter wait after a conversation', { 'us.calls.after-conversation': { days: 3 } }, 'days', '3', '7'],
    ['switching a verified rule off', { 'us.cease': { enabled: false } }, 'enabled', 'false', 'true'],
  ] as const)('clamps %s', (_, rules, setting, requested, applied) => {
    const reasons = reviewTenantOverlay('US', { rules });
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatchObject({ code: 'OVERLAY.CLAMPED', details: { setting, requested, applied } });
  });

  it('a verified rule switched off still applies', () => {
    const d = evaluateContact({ ...input('US', '2026-03-11T16:00:00Z', { rules: { 'us.cease': { enabled: false } } }), debtor: { timezones: ['America/New_York'], ceaseReceivedAt: '2026-03-01' } });
    expect(d.reasons.map((r) => r.code)).toEqual(['CEASE.RECEIVED', 'OVERLAY.CLAMPED']);
  });

  it('unverified rules are configurable: a tenant may open Saturday mornings in Chile', () => {
    const sat = '2026-03-14T13:00:00Z'; // 10:00 in Santiago (-03)
    expect(evaluateContact(input('CL', sat, null)).reasons[0]).toMatchObject({ code: 'DAYS.WEEKDAY_BLOCKED', rule: 'cl.hours.saturday', verified: false });
    const open = evaluateContact(input('CL', sat, { rules: { 'cl.hours.saturday': { windows: { SAT: [{ from: '09:00', to: '13:00' }] } } } }));
    expect(open.allowed).toBe(true);
    expect(open.reasons).toEqual([]);
  });

  it('unverified rules are configurable: Brazilian state hours per tenant', () => {
    const overlay = { rules: { 'br.hours.state': { windows: { MON: [{ from: '09:00', to: '18:00' }] } } } };
    expect(evaluateContact(input('BR', '2026-03-09T21:30:00Z', null)).allowed).toBe(true); // Monday 18:30
    expect(evaluateContact(input('BR', '2026-03-09T21:30:00Z', overlay)).allowed).toBe(false);
  });

  it('unverified caps can be raised: US texts', () => {
    const history = ['2026-03-08', '2026-03-09', '2026-03-10'].map((d) => ({ at: `${d}T16:00:00Z`, channel: 'sms' as const, direction: 'outbound' as const, outcome: 'delivered' as const }));
    const base = { sender: 'creditor' as const };
    expect(evaluateContact(input('US', '2026-03-11T16:00:00Z', base, 'sms', history)).allowed).toBe(false);
    expect(evaluateContact(input('US', '2026-03-11T16:00:00Z', { ...base, rules: { 'us.texts.cap': { max: 5 } } }, 'sms', history)).allowed).toBe(true);
  });

  it('channel allow-list and holidays', () => {
    expect(evaluateContact(input('US', '2026-03-11T16:00:00Z', { channels: ['email', 'letter'] })).reasons[0]?.code).toBe('CHANNEL.NOT_ALLOWED_BY_TENANT');
    const july4 = evaluateContact(input('US', '2026-07-03T16:00:00Z', { holidays: {} })); // observed on Friday 3 July
    expect(july4.reasons[0]).toMatchObject({ code: 'DAYS.PUBLIC_HOLIDAY', rule: 'tenant.holidays' });
  });

  it('ignores (and reports) settings for rules the pack does not have', () => {
    expect(reviewTenantOverlay('US', { rules: { 'co.visits': { enabled: false } } })).toMatchObject([{ code: 'OVERLAY.IGNORED' }]);
    expect(reviewTenantOverlay('US', { rules: { 'us.hours': { max: 3 } } })).toMatchObject([{ code: 'OVERLAY.IGNORED', details: { setting: 'max' } }]);
  });

  it('rejects a malformed overlay with the field named', () => {
    expect(() => reviewTenantOverlay('US', { caps: [{ channels: ['fax'], max: 1, days: 7 }] })).toThrow(/caps/);
  });
});
