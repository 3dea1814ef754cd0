import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors.ts';
import { LANGUAGES, PURPOSES as TEMPLATE_PURPOSES, TEMPLATE_CHANNELS, loadTemplateLibrary } from '../messaging/index.ts';
import { CHANNELS as POLICY_CHANNELS, HOLD_KINDS as POLICY_HOLD_KINDS } from '../policy/index.ts';
import { factsOf } from './journeys.facts.testkit.ts';
import { CHANNELS, HOLD_KINDS } from './journeys.facts.types.ts';
import { loadStrategies } from './journeys.library.ts';
import { allocateArm, compileStrategies, parseStrategy } from './journeys.strategy.domain.ts';

const strategies = loadStrategies();

describe('shipped strategies', () => {
  it('load and validate', () => {
    expect(strategies.map((s) => `${s.id}@${s.version}`)).toEqual(['early-arrears-gentle@1', 'hardship-aware@1']);
  });

  it('name everything in es, en and pt, and use only template purposes messaging knows', () => {
    for (const s of strategies) {
      expect(Object.keys(s.name).sort()).toEqual(['en', 'es', 'pt']);
      for (const j of s.journeys) {
        expect(Object.keys(j.name).sort()).toEqual(['en', 'es', 'pt']);
        for (const step of j.steps) {
          if ('channels' in step) expect(TEMPLATE_PURPOSES, `${j.id}/${step.id}`).toContain(step.template ?? step.purpose);
        }
      }
    }
  });

  it('find a template in es, en and pt for every channel a send step may use', () => {
    const library = loadTemplateLibrary();
    const missing: string[] = [];
    for (const s of strategies) for (const j of s.journeys) for (const step of j.steps) {
      if (!('channels' in step)) continue;
      for (const channel of step.channels) {
        if (!(TEMPLATE_CHANNELS as readonly string[]).includes(channel)) continue;
        for (const lang of LANGUAGES) {
          if (!library.find(step.template ?? step.purpose, channel as (typeof TEMPLATE_CHANNELS)[number], lang)) missing.push(`${j.id}/${step.id}: ${step.purpose} ${channel}.${lang}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('cover every step kind the issue asks for', () => {
    const types = new Set(strategies.flatMap((s) => s.journeys.flatMap((j) => j.steps.map((st) => st.type))));
    expect([...types].sort()).toEqual(['agent_task', 'branch', 'end', 'lesson', 'message', 'offer', 'pre_due', 'wait']);
  });

  it('share vocabularies with the policy module', () => {
    expect(CHANNELS).toEqual(POLICY_CHANNELS);
    expect(HOLD_KINDS).toEqual(POLICY_HOLD_KINDS);
  });
});

describe('assignment', () => {
  const assigner = compileStrategies(strategies);

  it('routes by segment priority and records strategy, version and arm', () => {
    expect(assigner.assign(factsOf({ daysPastDue: 3 }), 'acc_1')).toMatchObject({ strategyId: 'early-arrears-gentle', strategyVersion: 1, segmentId: 'forgetful-early' });
    expect(assigner.assign(factsOf({ daysPastDue: 40, reasonForArrears: 'hardship' }), 'acc_1'))
      .toMatchObject({ strategyId: 'hardship-aware', segmentId: 'hardship', arm: 'champion', journey: { id: 'hardship-care' } });
    // A disputed account matches the suppression segment first: no journey at all.
    expect(assigner.assign(factsOf({ disputed: true, reasonForArrears: 'hardship', daysPastDue: 40 }), 'acc_1'))
      .toMatchObject({ segmentId: 'on-hold', arm: null, journey: null });
    expect(assigner.assign(factsOf({ daysPastDue: 200, reasonForArrears: 'unwilling' }), 'acc_1')).toBeNull();
  });

  it('splits a segment 80/20 between champion and challenger', () => {
    const n = 20_000;
    let challenger = 0;
    const f = factsOf({ daysPastDue: 3 });
    for (let i = 0; i < n; i++) if (assigner.assign(f, `acc_${i}`)?.arm === 'challenger') challenger++;
    expect(challenger / n).toBeGreaterThan(0.19);
    expect(challenger / n).toBeLessThan(0.21);
  });

  it('refuses strategies whose segments tie on priority', () => {
    expect(() => compileStrategies([strategies[0]!, { ...strategies[1]!, segments: [{ ...strategies[1]!.segments[0]!, priority: 100 }] }])).toThrow(/priority 100/);
  });
});

describe('allocateArm (properties)', () => {
  const arms = fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 5 }).map((ws) => ws.map((weight, i) => ({ arm: `a${i}`, weight })));

  it('is stable: same strategy and account, same arm, whatever else changes', () => {
    fc.assert(fc.property(fc.string(), fc.string(), arms, (strategyId, accountId, as) => {
      const first = allocateArm(strategyId, accountId, as);
      expect(allocateArm(strategyId, accountId, as.map((a) => ({ ...a })))).toEqual(first);
      expect(as).toContainEqual(first);
    }), { numRuns: 500 });
  });

  it('moves only the slice that changes hands when weights shift', () => {
    fc.assert(fc.property(fc.array(fc.string(), { minLength: 50, maxLength: 50 }), fc.integer({ min: 1, max: 98 }), (ids, w) => {
      for (const id of ids) {
        const before = allocateArm('s', id, [{ arm: 'champion', weight: w }, { arm: 'challenger', weight: 100 - w }]).arm;
        const after = allocateArm('s', id, [{ arm: 'champion', weight: w + 1 }, { arm: 'challenger', weight: 99 - w }]).arm;
        if (before === 'champion') expect(after).toBe('champion');
      }
    }), { numRuns: 100 });
  });

  it('converges to the declared proportions', () => {
    fc.assert(fc.property(arms, fc.string({ minLength: 1 }), (as, strategyId) => {
      const n = 4000;
      const counts = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        const a = allocateArm(strategyId, `acc_01j${i.toString(36)}`, as).arm;
        counts.set(a, (counts.get(a) ?? 0) + 1);
      }
      const total = as.reduce((s, a) => s + a.weight, 0);
      for (const a of as) {
        const p = a.weight / total;
        // Five standard deviations of a binomial proportion: a failure means bias, not bad luck.
        const tolerance = 5 * Math.sqrt((p * (1 - p)) / n) + 1e-9;
        expect(Math.abs((counts.get(a.arm) ?? 0) / n - p)).toBeLessThanOrEqual(tolerance);
      }
    }), { numRuns: 40 });
  });
});

describe('parseStrategy', () => {
  it('names each offending field by path', () => {
    const doc = structuredClone(strategies[0]!) as unknown as { assignments: { arms: { journey: string }[] }[]; journeys: { steps: { next?: string }[] }[] };
    doc.assignments[0]!.arms[1]!.journey = 'missing';
    doc.journeys[0]!.steps[0]!.next = 'nowhere';
    try {
      parseStrategy(doc);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      const fields = (e as AppError).details.map((d) => `${d.field}: ${d.message}`);
      expect(fields).toContain('journeys[0].steps[0].next: no step with id nowhere');
      expect(fields).toContain('assignments[0].arms[1].journey: no journey with id missing');
      expect((e as AppError).code).toBe('STRATEGY.INVALID');
    }
  });
});
