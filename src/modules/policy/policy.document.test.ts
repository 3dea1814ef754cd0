import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { BUILT_IN_PACKS, PolicyDecision, PolicyEvaluateRequest, PolicyPack, REASON_CODES, evaluatePolicyDocument, parsePolicyPack } from './index.ts';

/** The public document of issue 3: its example, its validation errors, the decision's shape. */

const ISSUE_EXAMPLE = {
  jurisdiction: 'US',
  debtor: {
    timezones: ['America/New_York'],
    inconvenientTimes: [{ weekdays: ['TUE'], from: '00:00', to: '23:59', until: '2020-12-31' }],
    ceaseReceivedAt: null,
    optOuts: [{ channel: 'sms', address: '+12125550100' }],
    holds: [{ kind: 'dispute', from: '2020-03-01', debtIds: ['B'] }],
  },
  history: [
    { at: '2020-04-01T14:00:00Z', channel: 'call', direction: 'outbound', debtIds: ['A'], outcome: 'voicemail', conversation: false, address: '+12125550100', notDebtorsNumber: false },
    { at: '2020-04-03T15:00:00Z', channel: 'call', direction: 'inbound', debtIds: ['A'], outcome: 'answered', conversation: true, consentToCallUntil: '2020-04-06' },
  ],
  proposed: { at: '2020-04-08T15:00:00Z', channel: 'call', debtId: 'A', address: '+12125550100' },
};

const withProposed = (proposed: Record<string, unknown>) => ({ ...ISSUE_EXAMPLE, proposed: { ...ISSUE_EXAMPLE.proposed, ...proposed } });

function zodPaths(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    if (e instanceof ZodError) return e.issues.map((i) => i.path.join('.'));
    throw e;
  }
  throw new Error('expected a ZodError');
}

describe('the issue 3 example', () => {
  it('blocks the call: the conversation on 2020-04-03 is day 1, so calls wait until 2020-04-10 08:00 New York', () => {
    const d = evaluatePolicyDocument(ISSUE_EXAMPLE);
    expect(d.allowed).toBe(false);
    expect(d.nextAllowedAt).toBe('2020-04-10T12:00:00Z');
    expect(d.reasons).toHaveLength(1);
    expect(d.reasons[0]).toMatchObject({
      code: 'FREQUENCY.CALL_AFTER_CONVERSATION',
      effect: 'deny',
      rule: 'us.calls.after-conversation',
      citation: '12 CFR 1006.14(b)(2)(i)(B)',
      details: { debt: 'A', conversationDate: '2020-04-03', lastDate: '2020-04-09' },
    });
    expect(d.reasons[0]?.message.en).toContain('2020-04-09');
    expect(d.reasons[0]?.message.es).toContain('2020-04-09');
    expect(d).toMatchObject({ jurisdiction: 'US', packId: 'us-reg-f', packVersion: 'us-reg-f@1.0.0', overlay: null, evaluatedAt: '2020-04-08T15:00:00Z' });
    expect(PolicyDecision.parse(d)).toEqual(d);
  });

  it.each([
    ['inside the consent window (2020-04-06)', '2020-04-06T15:00:00Z', true, null],
    ['2020-04-09 20:59 New York (day 7)', '2020-04-10T00:59:00Z', false, 'FREQUENCY.CALL_AFTER_CONVERSATION'],
    ['2020-04-10 08:00 New York (day 8)', '2020-04-10T12:00:00Z', true, null],
    ['Tuesday 2020-04-14, designated inconvenient', '2020-04-14T15:00:00Z', false, 'INCONVENIENT.TIME'],
  ] as const)('%s', (_, at, allowed, code) => {
    const d = evaluatePolicyDocument(withProposed({ at }));
    expect(d.allowed).toBe(allowed);
    if (code) expect(d.reasons.map((r) => r.code)).toContain(code);
  });

  it('blocks an SMS to the opted-out number and calls about the disputed debt B', () => {
    expect(evaluatePolicyDocument(withProposed({ channel: 'sms', at: '2020-04-10T15:00:00Z' })).reasons.map((r) => r.code)).toContain('OPT_OUT.ADDRESS');
    expect(evaluatePolicyDocument(withProposed({ debtId: 'B', at: '2020-04-10T15:00:00Z' })).reasons.map((r) => r.code)).toEqual(['HOLD.DISPUTE']);
  });
});

describe('validation', () => {
  it.each([
    ['an unknown jurisdiction', { ...ISSUE_EXAMPLE, jurisdiction: 'FR' }, 'jurisdiction'],
    ['an unknown channel', withProposed({ channel: 'fax' }), 'proposed.channel'],
    ['a proposed time that is not an instant', withProposed({ at: '2020-04-08 15:00' }), 'proposed.at'],
    ['an unknown time zone', { ...ISSUE_EXAMPLE, debtor: { ...ISSUE_EXAMPLE.debtor, timezones: ['America/Nowhere'] } }, 'debtor.timezones.0'],
    ['a bad hold kind', { ...ISSUE_EXAMPLE, debtor: { ...ISSUE_EXAMPLE.debtor, holds: [{ kind: 'vacation' }] } }, 'debtor.holds.0.kind'],
    ['an unknown outcome', { ...ISSUE_EXAMPLE, history: [{ ...ISSUE_EXAMPLE.history[0], outcome: 'maybe' }] }, 'history.0.outcome'],
    ['a bad time of day', { ...ISSUE_EXAMPLE, debtor: { ...ISSUE_EXAMPLE.debtor, inconvenientTimes: [{ from: '25:00', to: '26:00' }] } }, 'debtor.inconvenientTimes.0.from'],
    ['an unknown holiday region', { ...ISSUE_EXAMPLE, jurisdiction: 'ES', debtor: { ...ISSUE_EXAMPLE.debtor, country: 'ES', region: 'XX' } }, 'debtor.region'],
    ['a missing proposed contact', { ...ISSUE_EXAMPLE, proposed: undefined }, 'proposed'],
  ])('names the field for %s', (_, doc, path) => {
    expect(zodPaths(() => evaluatePolicyDocument(doc))).toContain(path);
  });

  it('accepts nulls for every optional field', () => {
    const d = evaluatePolicyDocument({
      jurisdiction: 'MX',
      debtor: { timezones: null, country: null, region: null, inconvenientTimes: null, inconvenientPlaces: null, ceaseReceivedAt: null, optOuts: null, consents: null, holds: null, preferences: null, vulnerability: null },
      history: null,
      proposed: { at: '2026-03-11T18:00:00Z', channel: 'email', debtId: null, debtIds: null, address: null, purpose: null, messageType: null },
      tenantOverlay: null,
    });
    expect(d.allowed).toBe(true);
    expect(d.reasons.map((r) => r.code)).toEqual(['TIMEZONE.UNKNOWN']);
  });

  it('keeps fields it does not know out of the parsed request', () => {
    const parsed = PolicyEvaluateRequest.parse({ ...ISSUE_EXAMPLE, extra: 1 });
    expect('extra' in parsed).toBe(false);
  });
});

describe('packs', () => {
  it.each(Object.values(BUILT_IN_PACKS).map((p) => [p.jurisdiction, p] as const))('%s pack is valid, versioned and cited', (_, pack) => {
    expect(PolicyPack.parse(pack)).toEqual(pack);
    expect(pack.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pack.citations.length).toBeGreaterThan(0);
    for (const rule of pack.rules) expect(rule.citation.length).toBeGreaterThan(3);
  });

  it('marks exactly the rules COMPLIANCE.md calls unverified', () => {
    const unverified = Object.values(BUILT_IN_PACKS).flatMap((p) => p.rules.filter((r) => !r.verified).map((r) => r.id)).sort();
    expect(unverified).toEqual(['br.hours.state', 'cl.hours.saturday', 'us.emails.cap', 'us.texts.cap']);
  });

  it('rejects a pack without its required rules', () => {
    const broken = { ...BUILT_IN_PACKS['US'], rules: BUILT_IN_PACKS['US']?.rules.filter((r) => r.kind !== 'cease') };
    expect(() => parsePolicyPack(broken)).toThrow(/cease/);
  });
});

describe('docs/policy.md', () => {
  const doc = readFileSync(new URL('../../../docs/policy.md', import.meta.url), 'utf8');

  it('documents every reason code', () => {
    expect(REASON_CODES.filter((code) => !doc.includes(`\`${code}\``))).toEqual([]);
  });

  it('documents every rule of every pack, at its current version', () => {
    for (const pack of Object.values(BUILT_IN_PACKS)) {
      expect(doc).toContain(`${pack.id}@${pack.version}`);
      expect(pack.rules.map((r) => r.id).filter((id) => !doc.includes(`\`${id}\``))).toEqual([]);
    }
  });
});

describe('purity (ARCHITECTURE.md convention 1)', () => {
  it('engine files read no clock, randomness, environment or files', () => {
    const dir = new URL('./', import.meta.url);
    const engine = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.testkit.ts'));
    expect(engine.length).toBeGreaterThan(10);
    for (const file of engine) {
      expect(readFileSync(new URL(file, dir), 'utf8'), file).not.toMatch(/Date\.now|Math\.random|performance\.now|new Date\(\)|process\.|from 'node:/);
    }
  });
});
