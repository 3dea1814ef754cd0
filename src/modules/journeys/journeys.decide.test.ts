import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketFor } from '../ledger/index.ts';
import { createSharedWindows, evaluateContact } from '../policy/index.ts';
import { decideAccount, policyInputOf } from './journeys.decide.ts';
import type { AccountInput, RunContext, StoredJourney } from './journeys.decide.ts';
import type { Journey } from './journeys.journey.domain.ts';
import { loadStrategies } from './journeys.library.ts';
import { compileStrategies } from './journeys.strategy.domain.ts';

// Monday 2 March 2026, 06:00 UTC.
const AT = '2026-03-02T06:00:00.000Z';
const DATE = '2026-03-02';
const strategies = loadStrategies();
const journeys = new Map<string, Journey>();
for (const s of strategies) for (const j of s.journeys) journeys.set(j.id, j);
const ctx = (over: Partial<RunContext> = {}): RunContext => ({
  assigner: compileStrategies(strategies), journeys, businessDate: DATE, at: AT, tenantCountry: 'ES', overlay: null, bucketOf: (d) => bucketFor(d), ...over,
});
const dayBefore = (n: number): string => new Date(Date.parse(DATE) - n * 86_400_000).toISOString().slice(0, 10);
const dayAfter = (n: number): string => dayBefore(-n);

interface Case {
  dpd?: number; dueIn?: number | null; reason?: string; country?: string; timezone?: string; points?: ('phone' | 'email' | 'whatsapp')[];
  optedOut?: ('phone' | 'email')[]; attributes?: Record<string, unknown>; vulnerable?: boolean; stored?: StoredJourney | null;
  receipt?: AccountInput['receipt']; history?: AccountInput['history']; allowed?: string[] | null;
}

const inputOf = (c: Case, id = 'acc_01'): AccountInput => {
  const dpd = c.dpd ?? 0;
  const points = (c.points ?? ['phone', 'email']).map((kind, i) => ({
    id: `cp_${i}`, kind, value: kind === 'email' ? 'ana@example.com' : '+34612000001', is_primary: i === 0,
    consent: kind === 'whatsapp' ? 'granted' : 'unknown', consent_at: kind === 'whatsapp' ? '2025-01-01T00:00:00Z' : null,
    opted_out_at: (c.optedOut as string[] | undefined)?.includes(kind) ? '2026-01-01T00:00:00Z' : null, not_debtors: false,
  }));
  return {
    account: {
      id, debtor_id: 'dbt_01', product: 'personal_loan', currency: 'EUR', balance_minor: 120_000, days_past_due: dpd, bucket: bucketFor(dpd),
      oldest_unpaid_due_date: dpd > 0 ? dayBefore(dpd) : null, attributes: { reasonForArrears: c.reason ?? 'forgetful', ...c.attributes },
      language: 'es', country: c.country ?? 'ES', vulnerable: c.vulnerable ?? false,
      allowed_channels: c.allowed === undefined ? ['sms', 'email', 'call', 'letter'] : c.allowed, timezone: c.timezone ?? 'Europe/Madrid', preferences: {},
    },
    points,
    schedule: { next_due_date: c.dueIn === null ? null : dayAfter(c.dueIn ?? 20), next_due_minor: 20_000, overdue_minor: dpd > 0 ? 20_000 : 0 },
    history: c.history ?? [],
    lastPaymentAt: null,
    stored: c.stored ?? null,
    receipt: c.receipt ?? null,
  };
};

const codes = (d: ReturnType<typeof decideAccount>): string[] => d.lines.map((l) => l.code);

describe('decideAccount: facts → action (table)', () => {
  const table: { name: string; c: Case; expect: { purpose?: string | null; channel?: string | null; kind?: string; code?: string; state?: string | null; journey?: string } }[] = [
    { name: 'forgetful, 2 days late, phone and e-mail: payment link by SMS (WhatsApp not allowed for the creditor)', c: { dpd: 2 }, expect: { purpose: 'payment_link', channel: 'sms', state: 'active' } },
    { name: 'current, due in 2 days: pre-due reminder', c: { dpd: 0, dueIn: 2 }, expect: { purpose: 'pre_due_reminder', state: 'active' } },
    { name: 'current, due in 10 days: waits before the pre-due reminder, but the assignment is recorded', c: { dpd: 0, dueIn: 10 }, expect: { purpose: null, code: 'PRE_DUE.PENDING', state: 'active' } },
    { name: 'hardship, 12 days late: the hardship-aware check-in', c: { dpd: 12, reason: 'hardship' }, expect: { purpose: 'hardship_check_in', journey: 'hardship-care' } },
    { name: 'two broken promises: hardship-aware too', c: { dpd: 35, reason: 'unknown', attributes: { brokenPromises: 2 } }, expect: { journey: 'hardship-care' } },
    { name: 'disputed: the suppression segment, nothing written', c: { dpd: 5, attributes: { disputed: true } }, expect: { purpose: null, code: 'ASSIGN.SUPPRESSED', state: null } },
    { name: 'forgetful at 45 days: no segment, nothing written', c: { dpd: 45 }, expect: { purpose: null, code: 'ASSIGN.NONE', state: null } },
    { name: 'only an opted-out e-mail: no usable channel, the journey exits on opt-out of everything', c: { dpd: 3, points: ['email'], optedOut: ['email'] }, expect: { purpose: null, state: 'exited' } },
    { name: 'e-mail only: payment link by e-mail', c: { dpd: 3, points: ['email'] }, expect: { purpose: 'payment_link', channel: 'email' } },
    { name: 'WhatsApp allowed by the creditor but not enabled for the tenant: policy skips it, SMS instead', c: { dpd: 3, points: ['phone', 'whatsapp'], allowed: null }, expect: { channel: 'sms', code: 'CHANNEL.SKIPPED' } },
    { name: 'Argentina (no pack): the tenant jurisdiction applies, said so', c: { dpd: 3, country: 'AR', timezone: 'America/Argentina/Buenos_Aires' }, expect: { channel: 'sms', code: 'POLICY.JURISDICTION_FALLBACK' } },
    { name: 'a hold on the account: suppressed', c: { dpd: 3, attributes: { holds: ['bankruptcy'] } }, expect: { purpose: null, code: 'ASSIGN.SUPPRESSED' } },
  ];
  for (const row of table) {
    it(row.name, () => {
      const d = decideAccount(ctx(), inputOf(row.c));
      if (row.expect.purpose !== undefined) expect(d.contact?.purpose ?? null).toBe(row.expect.purpose);
      if (row.expect.channel !== undefined) expect(d.contact?.channel ?? null).toBe(row.expect.channel);
      if (row.expect.code) expect(codes(d)).toContain(row.expect.code);
      if (row.expect.state !== undefined) expect(d.state?.status ?? null).toBe(row.expect.state);
      if (row.expect.journey) expect(d.state?.journey_id).toBe(row.expect.journey);
      if (d.contact) {
        expect(Date.parse(d.contact.send_at)).toBeGreaterThanOrEqual(Date.parse(AT));
        expect(d.contact.idempotency_key).toContain(d.contact.step_id);
      }
    });
  }

  const storedAfterFirst = (): StoredJourney => {
    const first = decideAccount(ctx(), inputOf({ dpd: 2 }));
    const s = first.state!;
    return {
      strategy_id: s.strategy_id, strategy_version: s.strategy_version, segment_id: s.segment_id, arm: s.arm, journey_id: s.journey_id,
      journey_version: s.journey_version, step_id: s.step_id, entered_at: new Date(s.entered_at!), entered_step_at: new Date(s.entered_step_at!),
      attempts: s.attempts, last_action: s.last_action, status: s.status, status_reason: s.status_reason, episode: s.episode,
      last_contact_key: s.last_contact_key, pending_events: [], last_run_date: DATE,
    };
  };

  it('a failed SMS falls back to e-mail the next day (attempt 2, a new key)', () => {
    const stored = storedAfterFirst();
    const next = ctx({ at: '2026-03-03T06:00:00.000Z', businessDate: '2026-03-03' });
    const d = decideAccount(next, { ...inputOf({ dpd: 3, stored }), receipt: { status: 'failed', channel: 'sms', at: new Date('2026-03-02T09:30:00Z') } });
    expect(d.contact).toMatchObject({ channel: 'email', purpose: 'payment_link' });
    expect(d.contact!.idempotency_key).toMatch(/:2$/);
    expect(codes(d)).toContain('SEND.FALLBACK');
  });

  it('a delivered SMS moves on and waits for day 5; a payment recorded meanwhile exits when nothing is overdue', () => {
    const stored = storedAfterFirst();
    const next = ctx({ at: '2026-03-03T06:00:00.000Z', businessDate: '2026-03-03' });
    const delivered = decideAccount(next, { ...inputOf({ dpd: 3, stored }), receipt: { status: 'delivered', channel: 'sms', at: new Date('2026-03-02T09:30:00Z') } });
    expect(delivered.contact).toBeNull();
    expect(codes(delivered)).toEqual(expect.arrayContaining(['SEND.DELIVERED', 'WAIT.DPD_PENDING']));
    const paidInput = inputOf({ dpd: 0, dueIn: 28, stored: { ...stored, pending_events: [{ type: 'paid', at: '2026-03-02T12:00:00.000Z' }] } });
    const paid = decideAccount(next, paidInput);
    expect(paid.state).toMatchObject({ status: 'exited', status_reason: 'paid', consumed_events: 1 });
    expect(paid.contact).toBeNull();
  });

  it('a finished journey is not started again for the same episode of arrears', () => {
    const stored = { ...storedAfterFirst(), status: 'completed' as const, step_id: 'done' };
    // Same oldest unpaid instalment (due 28 February): the same episode, now 4 days late.
    const d = decideAccount(ctx({ at: '2026-03-04T06:00:00.000Z', businessDate: '2026-03-04' }), inputOf({ dpd: 2, stored }));
    expect(d.facts.daysPastDue).toBe(4);
    expect(d.contact).toBeNull();
    expect(d.state).toBeNull();
    expect(codes(d)).toContain('ASSIGN.EPISODE_DONE');
  });
});

describe('decideAccount: invariants (property-based)', () => {
  const zones = ['Europe/Madrid', 'Atlantic/Canary', 'America/Mexico_City', 'America/Bogota', 'America/Lima', 'America/Santiago', 'America/Sao_Paulo', 'America/New_York'];
  const countryOf: Record<string, string> = {
    'Europe/Madrid': 'ES', 'Atlantic/Canary': 'ES', 'America/Mexico_City': 'MX', 'America/Bogota': 'CO', 'America/Lima': 'PE', 'America/Santiago': 'CL',
    'America/Sao_Paulo': 'BR', 'America/New_York': 'US',
  };
  const arbCase = fc.record({
    dpd: fc.integer({ min: 0, max: 120 }),
    dueIn: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
    reason: fc.constantFrom('forgetful', 'unknown', 'hardship', 'unwilling'),
    zone: fc.constantFrom(...zones),
    points: fc.subarray(['phone', 'email', 'whatsapp'] as const, { minLength: 0 }),
    hour: fc.integer({ min: 0, max: 23 }),
    history: fc.array(fc.record({ daysAgo: fc.integer({ min: 0, max: 6 }), hour: fc.integer({ min: 8, max: 19 }), channel: fc.constantFrom('sms', 'email'), status: fc.constantFrom('sent', 'delivered', 'read', 'failed') }), { maxLength: 8 }),
  });

  it('never schedules outside the policy: the chosen instant is allowed by evaluateContact on the same history, and not before the run', () => {
    fc.assert(
      fc.property(arbCase, (k) => {
        const at = `2026-03-0${2 + (k.hour % 5)}T${String(k.hour).padStart(2, '0')}:00:00.000Z`;
        const businessDate = at.slice(0, 10);
        const input = inputOf({ dpd: k.dpd, dueIn: k.dueIn, reason: k.reason, country: countryOf[k.zone], timezone: k.zone, points: [...k.points], allowed: null });
        const history = k.history.map((h, i) => ({
          account_id: 'acc_01', channel: h.channel, status: h.status, kind: 'message', destination: h.channel === 'sms' ? '+34612000001' : 'ana@example.com',
          at: new Date(Date.parse(at) - h.daysAgo * 86_400_000 - i * 60_000 - (h.hour % 3) * 3_600_000),
        }));
        const full = { ...input, history };
        const d = decideAccount(ctx({ at, businessDate }), full);
        if (!d.contact || !d.contact.channel || d.contact.kind === 'agent_task') return;
        expect(Date.parse(d.contact.send_at)).toBeGreaterThanOrEqual(Date.parse(at));
        const policy = policyInputOf(full, d.jurisdiction, null, d.facts.holds);
        const verdict = evaluateContact({
          ...policy,
          proposed: { at: d.contact.send_at, channel: d.contact.channel, debtId: 'acc_01', address: d.contact.destination, purpose: 'collection' },
        });
        expect(verdict.allowed, `${d.contact.channel} at ${d.contact.send_at}: ${verdict.reasons.map((r) => r.code).join(',')}`).toBe(true);
        if (d.contact.window_end) expect(Date.parse(d.contact.send_at)).toBeLessThanOrEqual(Date.parse(d.contact.window_end));
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: the same inputs give the same contact and key (what makes a restart finish like a clean run)', () => {
    fc.assert(
      fc.property(arbCase, (k) => {
        const input = () => inputOf({ dpd: k.dpd, dueIn: k.dueIn, reason: k.reason, country: countryOf[k.zone], timezone: k.zone, points: [...k.points] });
        const a = decideAccount(ctx(), input());
        const b = decideAccount(ctx(), input());
        expect(JSON.stringify(b.contact)).toBe(JSON.stringify(a.contact));
        expect(JSON.stringify(b.state)).toBe(JSON.stringify(a.state));
      }),
      { numRuns: 150 },
    );
  });
});

describe('decideAccount with the run\'s shared policy windows', () => {
  it('property: the same decision (state, contact, lines, policy) as with allowedWindows for every account', () => {
    const shared = ctx({ windows: createSharedWindows() });
    const direct = ctx();
    const stamp = (d: ReturnType<typeof decideAccount>) => JSON.stringify({ state: d.state, contact: d.contact, lines: d.lines, policy: d.policy, sendTime: d.sendTime });
    fc.assert(
      fc.property(
        fc.record({
          dpd: fc.integer({ min: 0, max: 200 }), dueIn: fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }),
          reason: fc.constantFrom('forgetful', 'unknown', 'hardship', 'unwilling', 'dispute'),
          country: fc.constantFrom('ES', 'MX', 'CO', 'PE', 'CL', 'BR', 'AR'),
          timezone: fc.constantFrom('Europe/Madrid', 'Atlantic/Canary', 'America/Mexico_City', 'America/Bogota', 'America/Lima', 'America/Santiago', 'America/Sao_Paulo'),
          points: fc.subarray(['phone', 'email', 'whatsapp'] as ('phone' | 'email' | 'whatsapp')[], { minLength: 1 }),
          optedOut: fc.subarray(['phone', 'email'] as ('phone' | 'email')[]),
          allowed: fc.constantFrom<string[] | null>(null, ['sms', 'email', 'call', 'letter']),
          withHistory: fc.boolean(),
          id: fc.integer({ min: 1, max: 50 }),
        }),
        (c) => {
          const history = c.withHistory ? [{ account_id: `acc_${c.id}`, channel: 'sms', status: 'delivered', at: new Date(Date.parse(AT) - 86_400_000).toISOString(), destination: '+34612000001', kind: 'message' }] : [];
          const input = inputOf({ ...c, history }, `acc_${c.id}`);
          expect(stamp(decideAccount(shared, input))).toBe(stamp(decideAccount(direct, input)));
        },
      ),
      { numRuns: 400 },
    );
    // The memo is used: two debtors with nothing of their own in the same zone share windows.
    const plain = ctx({ windows: createSharedWindows() });
    const a = decideAccount(plain, inputOf({ dpd: 2, points: ['phone'] }, 'acc_a'));
    const b = decideAccount(plain, inputOf({ dpd: 2, points: ['phone'] }, 'acc_b'));
    expect(plain.windows!.hits).toBeGreaterThan(0);
    expect(b.policy).toEqual(a.policy);
    expect(b.policy).toEqual(decideAccount(direct, inputOf({ dpd: 2, points: ['phone'] }, 'acc_b')).policy);
  });
});

describe('the debtor\'s region and its public holidays', () => {
  const withRegion = (c: Case, region: string | null): AccountInput => {
    const input = inputOf(c);
    return { ...input, account: { ...input.account, region } };
  };
  // Friday 11 September 2026: la Diada, a public holiday in Catalonia only.
  const callAt = (input: AccountInput) =>
    evaluateContact({
      ...policyInputOf(input, 'ES', null, []),
      proposed: { at: '2026-09-11T09:00:00Z', channel: 'call', debtId: 'acc_01', address: '+34612000001', purpose: 'collection' },
    } as Parameters<typeof evaluateContact>[0]);

  it('gives the policy a region the holiday calendar knows: a regional holiday closes that region only', () => {
    expect(policyInputOf(withRegion({ dpd: 2 }, 'CT'), 'ES', null, []).debtor.region).toBe('CT');
    const catalonia = callAt(withRegion({ dpd: 2 }, 'CT'));
    expect(catalonia.allowed).toBe(false);
    expect(catalonia.reasons.map((r) => r.code)).toContain('DAYS.PUBLIC_HOLIDAY');
    expect(callAt(withRegion({ dpd: 2 }, 'MD')).allowed).toBe(true);
  });

  it('omits a stored region the calendar does not know (national holidays apply) and says so, instead of failing', () => {
    const peru = withRegion({ dpd: 2, country: 'PE', timezone: 'America/Lima' }, 'Can');
    expect(policyInputOf(peru, 'PE', null, []).debtor).not.toHaveProperty('region');
    const d = decideAccount(ctx(), peru);
    expect(codes(d)).toContain('POLICY.REGION_UNKNOWN');
    expect(d.contact).not.toBeNull();
    expect(codes(decideAccount(ctx(), withRegion({ dpd: 2 }, 'MD')))).not.toContain('POLICY.REGION_UNKNOWN');
  });
});
