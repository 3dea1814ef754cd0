import { z } from 'zod';
import { FACTS, FACT_NAMES } from './journeys.facts.types.ts';
import type { AccountFacts, FactName, FactSpec } from './journeys.facts.types.ts';

/**
 * Rules over account facts, written as JSON (docs/journeys.md, "Expressions"):
 *
 *   { "all": [ { "fact": "daysPastDue", "op": "between", "value": [1, 30] },
 *              { "not": { "fact": "holds", "op": "exists" } } ] }
 *
 * A rule is validated once against the fact catalogue (unknown facts, operators that make no
 * sense for a fact's kind, values outside an enumeration are errors naming their path) and
 * compiled once into a closure; evaluation then does no parsing, no allocation and no lookups
 * by name, which is what lets a segment pass over a million accounts stay well under a second.
 */

export const OPERATORS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'between', 'in', 'notIn', 'exists', 'contains'] as const;
export type Operator = (typeof OPERATORS)[number];

export type Scalar = string | number | boolean;

export interface Condition {
  fact: FactName;
  op: Operator;
  value?: Scalar | readonly Scalar[];
}

export type Expression =
  | { all: readonly Expression[] }
  | { any: readonly Expression[] }
  | { not: Expression }
  | Condition;

export type Predicate = (facts: AccountFacts) => boolean;

const OPS_BY_KIND: Record<FactSpec['kind'], readonly Operator[]> = {
  number: ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'between', 'in', 'notIn', 'exists'],
  // Ordering on strings is code-point order: meant for score bands ("scoreBand lte C").
  string: ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'notIn', 'exists', 'contains'],
  boolean: ['eq', 'ne', 'exists'],
  list: ['contains', 'exists'],
};

/** Deep enough for any rule a person writes; bounds recursion on hostile input. */
const MAX_DEPTH = 24;

type PathKey = string | number;
interface Issue { path: PathKey[]; message: string }

const ConditionShape = z.strictObject({
  fact: z.enum(FACT_NAMES as [FactName, ...FactName[]], {
    error: (iss) => `unknown fact ${JSON.stringify(iss.input)}; known facts: ${FACT_NAMES.join(', ')}`,
  }),
  op: z.enum(OPERATORS, { error: (iss) => `unknown operator ${JSON.stringify(iss.input)}; operators: ${OPERATORS.join(', ')}` }),
  value: z.unknown().optional(),
});

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkScalar(spec: FactSpec, fact: string, v: unknown, path: PathKey[], out: Issue[]): void {
  const want = spec.kind === 'list' ? 'string' : spec.kind;
  if (typeof v !== want || (want === 'number' && !Number.isFinite(v))) {
    out.push({ path, message: `expected a ${want} for ${fact}, got ${JSON.stringify(v)}` });
  } else if (spec.values && !spec.values.includes(v as string)) {
    out.push({ path, message: `${JSON.stringify(v)} is not a value of ${fact}; values: ${spec.values.join(', ')}` });
  }
}

function checkList(spec: FactSpec, fact: string, v: unknown, path: PathKey[], out: Issue[]): void {
  if (!Array.isArray(v) || v.length === 0) {
    out.push({ path, message: 'expected a non-empty array' });
    return;
  }
  v.forEach((x, i) => checkScalar(spec, fact, x, [...path, i], out));
}

/** Checks one condition against the catalogue; the shape itself was checked by Zod. */
function checkCondition(c: z.infer<typeof ConditionShape>, path: PathKey[], out: Issue[]): void {
  const spec = FACTS[c.fact];
  if (!OPS_BY_KIND[spec.kind].includes(c.op)) {
    out.push({ path: [...path, 'op'], message: `operator ${c.op} does not apply to ${c.fact} (a ${spec.kind}); use one of ${OPS_BY_KIND[spec.kind].join(', ')}` });
    return;
  }
  const vp = [...path, 'value'];
  const v = c.value;
  switch (c.op) {
    case 'exists':
      if (v !== undefined && typeof v !== 'boolean') out.push({ path: vp, message: 'exists takes no value, or true/false' });
      return;
    case 'between':
      if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        out.push({ path: vp, message: 'between takes [low, high], two numbers, both inclusive' });
      } else if ((v[0] as number) > (v[1] as number)) out.push({ path: vp, message: 'between: low is greater than high' });
      return;
    case 'in':
    case 'notIn':
      checkList(spec, c.fact, v, vp, out);
      return;
    case 'contains':
      if (spec.kind === 'list') {
        if (Array.isArray(v)) checkList(spec, c.fact, v, vp, out);
        else checkScalar(spec, c.fact, v, vp, out);
      } else if (typeof v !== 'string' || v.length === 0) out.push({ path: vp, message: 'contains on a string takes a non-empty string' });
      return;
    default:
      if (v === null || v === undefined) {
        out.push({ path: vp, message: `${c.op} needs a value (test for null with "exists")` });
      } else if (spec.values && c.op !== 'eq' && c.op !== 'ne') {
        out.push({ path: [...path, 'op'], message: `${c.fact} is an enumeration: compare it with eq, ne, in or notIn` });
      } else checkScalar(spec, c.fact, v, vp, out);
  }
}

function walk(v: unknown, path: PathKey[], depth: number, out: Issue[]): void {
  if (depth > MAX_DEPTH) {
    out.push({ path, message: `expression nested deeper than ${MAX_DEPTH} levels` });
    return;
  }
  if (!isObject(v)) {
    out.push({ path, message: 'expected an object: {"all": [...]}, {"any": [...]}, {"not": {...}} or {"fact", "op", "value"}' });
    return;
  }
  const keys = Object.keys(v);
  const group = 'all' in v ? 'all' : 'any' in v ? 'any' : null;
  if (group !== null || 'not' in v) {
    const key = group ?? 'not';
    for (const k of keys) if (k !== key) out.push({ path: [...path, k], message: `unexpected key beside "${key}"` });
    const inner = v[key];
    if (key === 'not') walk(inner, [...path, 'not'], depth + 1, out);
    else if (!Array.isArray(inner)) out.push({ path: [...path, key], message: 'expected an array of expressions' });
    // An empty "any" is never true: almost certainly a mistake, unlike an empty "all" (always true).
    else if (key === 'any' && inner.length === 0) out.push({ path: [...path, key], message: '"any" needs at least one expression' });
    else inner.forEach((x, i) => walk(x, [...path, key, i], depth + 1, out));
    return;
  }
  if (!('fact' in v)) {
    out.push({ path, message: 'expected one of the keys all, any, not or fact' });
    return;
  }
  const shape = ConditionShape.safeParse(v);
  if (!shape.success) {
    for (const i of shape.error.issues) out.push({ path: [...path, ...(i.path as PathKey[])], message: i.message });
    return;
  }
  checkCondition(shape.data, path, out);
}

/**
 * The Zod schema of an expression. Recursive shapes dispatch on their key rather than through
 * `z.union`, so an error names the one path and reason instead of every alternative's failure.
 */
export const ExpressionSchema: z.ZodType<Expression, unknown> = z
  .unknown()
  .superRefine((v, ctx) => {
    const out: Issue[] = [];
    walk(v, [], 0, out);
    for (const i of out) ctx.addIssue({ code: 'custom', path: i.path, message: i.message, input: v });
  })
  .transform((v) => v as Expression);

/** `segments[2].when.all[0].value` — the path notation every error message here uses. */
export const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s === '' ? String(k) : `${s}.${String(k)}`), '');

/** Lines `path: message` for a ZodError, in the order Zod reports them. */
export const describeIssues = (error: z.ZodError): string[] =>
  error.issues.map((i) => `${formatPath(i.path) || '(document)'}: ${i.message}`);

// ---------------------------------------------------------------------------------------------
// Compilation. Each leaf closes over its fact name and constants; null facts make comparisons
// false, except ne / notIn (null is not equal to anything), which keeps "not in these reasons"
// true for accounts not yet classified.

const isNil = (v: unknown): v is null | undefined => v === null || v === undefined;

function compileCondition(c: Condition): Predicate {
  const k = c.fact;
  const v = c.value;
  switch (c.op) {
    case 'exists': {
      const want = v !== false;
      // A list always exists; what a rule means by it is "has something" (holds, opt-outs).
      if (FACTS[k].kind === 'list') return (f) => ((f[k] as readonly unknown[]).length > 0) === want;
      return (f) => !isNil(f[k]) === want;
    }
    case 'eq': return (f) => f[k] === v;
    case 'ne': return (f) => f[k] !== v;
    case 'lt': return (f) => { const x = f[k]; return !isNil(x) && (x as Scalar) < (v as Scalar); };
    case 'lte': return (f) => { const x = f[k]; return !isNil(x) && (x as Scalar) <= (v as Scalar); };
    case 'gt': return (f) => { const x = f[k]; return !isNil(x) && (x as Scalar) > (v as Scalar); };
    case 'gte': return (f) => { const x = f[k]; return !isNil(x) && (x as Scalar) >= (v as Scalar); };
    case 'between': {
      const [lo, hi] = v as readonly [number, number];
      return (f) => { const x = f[k] as number | null; return x !== null && x >= lo && x <= hi; };
    }
    case 'in':
    case 'notIn': {
      const set = new Set(v as readonly Scalar[]);
      const negate = c.op === 'notIn';
      return (f) => set.has(f[k] as Scalar) !== negate;
    }
    case 'contains': {
      if (FACTS[k].kind !== 'list') {
        const needle = v as string;
        return (f) => { const x = f[k]; return typeof x === 'string' && x.includes(needle); };
      }
      const needles = (Array.isArray(v) ? v : [v]) as readonly Scalar[];
      if (needles.length === 1) {
        const one = needles[0] as Scalar;
        return (f) => (f[k] as readonly Scalar[]).includes(one);
      }
      return (f) => { const xs = f[k] as readonly Scalar[]; return needles.every((n) => xs.includes(n)); };
    }
  }
}

/** Compiles a validated expression into a predicate; compile once, call many times. */
export function compileExpression(e: Expression): Predicate {
  if ('all' in e) return combine(e.all.map(compileExpression), true);
  if ('any' in e) return combine(e.any.map(compileExpression), false);
  if ('not' in e) {
    const p = compileExpression(e.not);
    return (f) => !p(f);
  }
  return compileCondition(e);
}

/** Short-circuit conjunction (all) or disjunction (any), unrolled for the common small sizes. */
function combine(ps: readonly Predicate[], conjunction: boolean): Predicate {
  const [a, b, c] = ps;
  if (ps.length === 0) return () => conjunction;
  if (ps.length === 1 && a) return a;
  if (ps.length === 2 && a && b) return conjunction ? (f) => a(f) && b(f) : (f) => a(f) || b(f);
  if (ps.length === 3 && a && b && c) return conjunction ? (f) => a(f) && b(f) && c(f) : (f) => a(f) || b(f) || c(f);
  return conjunction
    ? (f) => { for (const p of ps) if (!p(f)) return false; return true; }
    : (f) => { for (const p of ps) if (p(f)) return true; return false; };
}
