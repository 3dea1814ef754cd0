import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExpressionSchema, compileExpression, describeIssues } from './journeys.expression.domain.ts';
import type { Expression } from './journeys.expression.domain.ts';
import { factsOf } from './journeys.facts.testkit.ts';
import type { AccountFacts } from './journeys.facts.types.ts';

const compile = (doc: unknown) => compileExpression(ExpressionSchema.parse(doc));
const errorsOf = (doc: unknown): string[] => {
  const r = ExpressionSchema.safeParse(doc);
  return r.success ? [] : describeIssues(r.error);
};

describe('expression evaluation', () => {
  const f = factsOf({ daysPastDue: 12, scoreBand: 'C', holds: ['pause'], lastContactOutcome: null, product: 'credit_card' });
  it.each<[string, unknown, boolean]>([
    ['eq number', { fact: 'daysPastDue', op: 'eq', value: 12 }, true],
    ['ne number', { fact: 'daysPastDue', op: 'ne', value: 12 }, false],
    ['lt', { fact: 'daysPastDue', op: 'lt', value: 12 }, false],
    ['lte', { fact: 'daysPastDue', op: 'lte', value: 12 }, true],
    ['gt', { fact: 'daysPastDue', op: 'gt', value: 11 }, true],
    ['gte', { fact: 'daysPastDue', op: 'gte', value: 13 }, false],
    ['between inclusive low', { fact: 'daysPastDue', op: 'between', value: [12, 30] }, true],
    ['between inclusive high', { fact: 'daysPastDue', op: 'between', value: [1, 12] }, true],
    ['between outside', { fact: 'daysPastDue', op: 'between', value: [13, 30] }, false],
    ['in', { fact: 'reasonForArrears', op: 'in', value: ['forgetful', 'hardship'] }, true],
    ['notIn', { fact: 'reasonForArrears', op: 'notIn', value: ['forgetful'] }, false],
    ['string order (score band)', { fact: 'scoreBand', op: 'lte', value: 'C' }, true],
    ['substring', { fact: 'product', op: 'contains', value: 'card' }, true],
    ['list contains', { fact: 'channelsAvailable', op: 'contains', value: 'whatsapp' }, true],
    ['list contains all', { fact: 'channelsAvailable', op: 'contains', value: ['whatsapp', 'letter'] }, false],
    ['list exists = non-empty', { fact: 'holds', op: 'exists' }, true],
    ['empty list does not exist', { fact: 'optedOutChannels', op: 'exists' }, false],
    ['null does not exist', { fact: 'lastContactOutcome', op: 'exists' }, false],
    ['exists false', { fact: 'lastContactOutcome', op: 'exists', value: false }, true],
    ['null ne is true', { fact: 'lastContactOutcome', op: 'ne', value: 'delivered' }, true],
    ['null notIn is true', { fact: 'lastContactOutcome', op: 'notIn', value: ['delivered'] }, true],
    ['null in is false', { fact: 'lastContactOutcome', op: 'in', value: ['delivered'] }, false],
    ['null comparisons are false', { fact: 'daysSinceLastContact', op: 'lt', value: 100 }, false],
    ['boolean eq', { fact: 'vulnerable', op: 'eq', value: false }, true],
    ['empty all is true', { all: [] }, true],
    ['all', { all: [{ fact: 'daysPastDue', op: 'gt', value: 1 }, { fact: 'vulnerable', op: 'eq', value: true }] }, false],
    ['any', { any: [{ fact: 'daysPastDue', op: 'gt', value: 100 }, { fact: 'country', op: 'eq', value: 'ES' }] }, true],
    ['not', { not: { fact: 'country', op: 'eq', value: 'ES' } }, false],
    ['four-way all', { all: [1, 2, 3, 4].map((n) => ({ fact: 'daysPastDue', op: 'gt', value: n })) }, true],
  ])('%s', (_name, doc, expected) => {
    expect(compile(doc)(f)).toBe(expected);
  });
});

describe('expression validation names the path', () => {
  it.each<[string, unknown, string]>([
    ['unknown fact', { all: [{ fact: 'dpd', op: 'gt', value: 1 }] }, 'all[0].fact: unknown fact "dpd"'],
    ['unknown operator', { fact: 'daysPastDue', op: 'above', value: 1 }, 'op: unknown operator "above"'],
    ['operator for the wrong kind', { fact: 'vulnerable', op: 'gt', value: 1 }, 'op: operator gt does not apply to vulnerable'],
    ['value outside an enumeration', { any: [{ not: { fact: 'reasonForArrears', op: 'in', value: ['forgetful', 'forgetfull'] } }] },
      'any[0].not.value[1]: "forgetfull" is not a value of reasonForArrears'],
    ['wrong value type', { fact: 'daysPastDue', op: 'eq', value: '3' }, 'value: expected a number for daysPastDue'],
    ['between reversed', { fact: 'daysPastDue', op: 'between', value: [30, 1] }, 'value: between: low is greater than high'],
    ['between shape', { fact: 'daysPastDue', op: 'between', value: 3 }, 'value: between takes [low, high]'],
    ['ordering an enumeration', { fact: 'promiseState', op: 'gt', value: 'active' }, 'op: promiseState is an enumeration'],
    ['missing value', { fact: 'daysPastDue', op: 'eq' }, 'value: eq needs a value'],
    ['empty any', { any: [] }, 'any: "any" needs at least one expression'],
    ['extra key', { all: [], any: [] }, 'any: unexpected key beside "all"'],
    ['not an object', { all: [42] }, 'all[0]: expected an object'],
    ['extra key in a condition', { fact: 'daysPastDue', op: 'eq', value: 1, values: 2 }, '(document)'],
    ['list element not a channel', { fact: 'optedOutChannels', op: 'contains', value: 'fax' }, 'value: "fax" is not a value of optedOutChannels'],
  ])('%s', (_name, doc, message) => {
    const errors = errorsOf(doc);
    expect(errors.some((e) => e.includes(message)), errors.join('\n')).toBe(true);
  });

  it('refuses absurd nesting', () => {
    let doc: unknown = { fact: 'vulnerable', op: 'eq', value: true };
    for (let i = 0; i < 40; i++) doc = { not: doc };
    expect(errorsOf(doc).join()).toContain('nested deeper');
  });
});

// A reference interpreter, written as plainly as possible, against which the compiled closures
// are checked on random expressions and random facts.
function interpret(e: Expression, f: AccountFacts): boolean {
  if ('all' in e) return e.all.every((x) => interpret(x, f));
  if ('any' in e) return e.any.some((x) => interpret(x, f));
  if ('not' in e) return !interpret(e.not, f);
  const x = f[e.fact] as unknown;
  const v = e.value;
  if (e.op === 'exists') return (Array.isArray(x) ? x.length > 0 : x !== null) === (v !== false);
  if (e.op === 'ne') return x !== v;
  if (e.op === 'notIn') return !(v as unknown[]).includes(x);
  if (x === null) return false;
  switch (e.op) {
    case 'eq': return x === v;
    case 'lt': return (x as number) < (v as number);
    case 'lte': return (x as number) <= (v as number);
    case 'gt': return (x as number) > (v as number);
    case 'gte': return (x as number) >= (v as number);
    case 'between': return (x as number) >= (v as number[])[0]! && (x as number) <= (v as number[])[1]!;
    case 'in': return (v as unknown[]).includes(x);
    default: return (x as unknown[]).includes(v);
  }
}

describe('compiled predicates agree with a reference interpreter', () => {
  const num = fc.integer({ min: 0, max: 60 });
  const leaf: fc.Arbitrary<Expression> = fc.oneof(
    fc.record({ fact: fc.constant('daysPastDue' as const), op: fc.constantFrom('eq', 'ne', 'lt', 'lte', 'gt', 'gte' as const), value: num }),
    fc.tuple(num, num).map(([a, b]) => ({ fact: 'daysPastDue' as const, op: 'between' as const, value: [Math.min(a, b), Math.max(a, b)] })),
    fc.record({ fact: fc.constant('daysSinceLastPayment' as const), op: fc.constantFrom('lt', 'gte', 'ne', 'exists' as const), value: num })
      .map((c) => (c.op === 'exists' ? { fact: c.fact, op: c.op } : c)),
    fc.record({ fact: fc.constant('reasonForArrears' as const), op: fc.constantFrom('in', 'notIn' as const),
      value: fc.subarray(['forgetful', 'hardship', 'unknown'], { minLength: 1 }) }),
    fc.record({ fact: fc.constant('holds' as const), op: fc.constant('contains' as const), value: fc.constantFrom('pause', 'dispute') }),
  );
  const expr = fc.letrec<{ e: Expression }>((tie) => ({
    e: fc.oneof({ depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('e'), { maxLength: 4 }).map((all) => ({ all })),
      fc.array(tie('e'), { minLength: 1, maxLength: 4 }).map((any) => ({ any })),
      tie('e').map((not) => ({ not }))),
  })).e;
  const facts = fc.record({
    daysPastDue: num,
    daysSinceLastPayment: fc.option(num, { nil: null }),
    reasonForArrears: fc.constantFrom('forgetful', 'hardship', 'unknown' as const),
    holds: fc.subarray(['pause', 'dispute'] as const),
  }).map((o) => factsOf(o));

  it('on random expressions and facts', () => {
    fc.assert(fc.property(expr, fc.array(facts, { minLength: 1, maxLength: 8 }), (e, fs) => {
      expect(ExpressionSchema.safeParse(e).success).toBe(true);
      const p = compileExpression(e);
      for (const f of fs) expect(p(f)).toBe(interpret(e, f));
    }), { numRuns: 300 });
  });
});
