import { describe, expect, it } from 'vitest';
import { describeIssues } from './journeys.expression.domain.ts';
import { Journey } from './journeys.journey.domain.ts';
import { Segments, compileSegments } from './journeys.segments.domain.ts';
import { factsOf } from './journeys.facts.testkit.ts';

const journey = (steps: unknown[], exits: unknown[] = [{ on: 'paid', then: 'exit' }]) => ({
  id: 'j', version: 1, name: { es: 'j', en: 'j', pt: 'j' }, exits, steps,
});
const errorsOf = (doc: unknown): string[] => {
  const r = Journey.safeParse(doc);
  return r.success ? [] : describeIssues(r.error);
};
const msg = (id: string, next?: string) => ({ id, type: 'message', purpose: 'payment_link', channels: ['sms'], ...(next ? { next } : {}) });

describe('journey validation', () => {
  it('accepts a well-formed journey and fills defaults', () => {
    const j = Journey.parse(journey([msg('a'), { id: 'w', type: 'wait', days: 2 }, { id: 'end', type: 'end' }]));
    const first = j.steps[0];
    expect(first?.type === 'message' && first.fallback).toEqual({ onUnavailable: true, onOptedOut: true, onPolicyBlocked: true });
  });

  it.each<[string, unknown, string]>([
    ['missing target', journey([msg('a', 'nowhere'), { id: 'e', type: 'end' }]), 'steps[0].next: no step with id nowhere'],
    ['branch target', journey([{ id: 'b', type: 'branch', cases: [{ outcome: 'paid', next: 'x' }], otherwise: 'e' }, { id: 'e', type: 'end' }]),
      'steps[0].cases[0].next: no step with id x'],
    ['unreachable step', journey([msg('a', 'e'), msg('orphan'), { id: 'e', type: 'end' }]), 'steps[1].id: step orphan cannot be reached'],
    ['falls off the end', journey([msg('a')]), 'steps[0]: step a is the last one'],
    ['duplicate ids', journey([msg('a'), msg('a'), { id: 'e', type: 'end' }]), 'steps[1].id: step id a is also used by steps[0]'],
    ['cycle without a wait', journey([msg('a'), { id: 'b', type: 'branch', cases: [{ outcome: 'no_response', next: 'a' }], otherwise: 'e' }, { id: 'e', type: 'end' }]),
      'cycle without a timed wait: a -> b -> a'],
    ['a DPD wait does not break a cycle', journey([{ id: 'w', type: 'wait', untilDaysPastDue: 3 }, msg('a', 'w')]), 'cycle without a timed wait'],
    ['no exit', journey([{ id: 'e', type: 'end' }], []), 'exits: a journey needs at least one exit condition'],
    ['wait with two durations', journey([{ id: 'w', type: 'wait', days: 1, hours: 2 }, { id: 'e', type: 'end' }]), 'steps[0]: a wait has exactly one of'],
    ['condition exit without when', journey([{ id: 'e', type: 'end' }], [{ on: 'condition', then: 'exit' }]), 'exits[0].when'],
    ['bad expression inside a branch', journey([{ id: 'b', type: 'branch', cases: [{ when: { fact: 'dpd', op: 'eq', value: 1 }, next: 'e' }], otherwise: 'e' }, { id: 'e', type: 'end' }]),
      'steps[0].cases[0].when.fact: unknown fact "dpd"'],
    ['channel listed twice', journey([{ ...msg('a'), channels: ['sms', 'sms'] }, { id: 'e', type: 'end' }]), 'steps[0].channels: a channel is listed twice'],
    ['unknown step type', journey([{ id: 'a', type: 'sleep' }, { id: 'e', type: 'end' }]), 'steps[0].type'],
  ])('%s', (_name, doc, expected) => {
    const errors = errorsOf(doc);
    expect(errors.some((e) => e.includes(expected)), errors.join('\n')).toBe(true);
  });

  it('accepts a cycle through a timed wait', () => {
    expect(errorsOf(journey([msg('a'), { id: 'w', type: 'wait', days: 7 }, { id: 'b', type: 'branch', cases: [{ outcome: 'no_response', next: 'a' }], otherwise: 'e' }, { id: 'e', type: 'end' }]))).toEqual([]);
  });
});

describe('segments', () => {
  const segments = Segments.parse([
    { id: 'late', name: { es: 'tarde', en: 'late' }, priority: 20, when: { fact: 'daysPastDue', op: 'gt', value: 30 } },
    { id: 'hardship', name: { es: 'dificultad', en: 'hardship' }, priority: 10, when: { fact: 'reasonForArrears', op: 'eq', value: 'hardship' } },
    { id: 'rest', name: { es: 'resto', en: 'rest' }, priority: 99, when: { all: [] } },
  ]);
  const m = compileSegments(segments);

  it('takes the first match by priority, not by list order', () => {
    expect(m.match(factsOf({ daysPastDue: 45, reasonForArrears: 'hardship' }))?.id).toBe('hardship');
    expect(m.match(factsOf({ daysPastDue: 45 }))?.id).toBe('late');
    expect(m.match(factsOf())?.id).toBe('rest');
  });

  it('matches in bulk into a typed array', () => {
    const out = m.matchAll([factsOf({ reasonForArrears: 'hardship' }), factsOf({ daysPastDue: 31 }), factsOf()]);
    expect([...out].map((i) => m.segments[i]?.id)).toEqual(['hardship', 'late', 'rest']);
    expect(compileSegments([]).matchAll([factsOf()])[0]).toBe(-1);
  });

  it('refuses equal priorities and duplicate ids, naming the path', () => {
    const r = Segments.safeParse([
      { id: 'a', name: { es: 'a', en: 'a' }, priority: 1, when: { all: [] } },
      { id: 'a', name: { es: 'b', en: 'b' }, priority: 1, when: { all: [] } },
    ]);
    expect(r.success).toBe(false);
    const errors = r.success ? [] : describeIssues(r.error);
    expect(errors).toContain('[1].id: segment id a is also used at [0]');
    expect(errors.some((e) => e.startsWith('[1].priority: priority 1 is also used'))).toBe(true);
  });
});
