import { z } from 'zod';
import { ExpressionSchema, compileExpression } from './journeys.expression.domain.ts';
import type { Expression, Predicate } from './journeys.expression.domain.ts';
import type { AccountFacts } from './journeys.facts.types.ts';

/**
 * Segments: named rules with a priority. An account belongs to the first segment, in ascending
 * priority (1 before 2), whose rule it satisfies; ties are refused at validation so that the
 * answer never depends on the order of a file.
 */

export const SegmentId = z.string().regex(/^[a-z][a-z0-9_-]{1,62}$/, 'lower-case letters, digits, _ and -; 2–63 characters');

export const Segment = z.strictObject({
  id: SegmentId,
  name: z.strictObject({ es: z.string().min(1).max(120), en: z.string().min(1).max(120) }),
  /** Lower runs first. */
  priority: z.int().min(0).max(1_000_000),
  when: ExpressionSchema,
});
export type Segment = z.infer<typeof Segment>;

export const Segments = z.array(Segment).superRefine((segments, ctx) => {
  const ids = new Map<string, number>();
  const priorities = new Map<number, number>();
  segments.forEach((s, i) => {
    const dupId = ids.get(s.id);
    if (dupId !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `segment id ${s.id} is also used at [${dupId}]` });
    else ids.set(s.id, i);
    const dupPriority = priorities.get(s.priority);
    if (dupPriority !== undefined) {
      ctx.addIssue({ code: 'custom', path: [i, 'priority'], message: `priority ${s.priority} is also used by [${dupPriority}]; first-match needs a strict order` });
    } else priorities.set(s.priority, i);
  });
});

export interface SegmentMatcher {
  /** Segments in evaluation order (ascending priority). */
  readonly segments: readonly Segment[];
  /** Index into `segments` of the first match, or -1. */
  matchIndex(facts: AccountFacts): number;
  match(facts: AccountFacts): Segment | null;
  /**
   * Bulk form for the daily run: writes the index of each record's segment (or -1) into `out`
   * (allocated when absent). A typed array keeps a million results in 4 MB and off the GC's way.
   */
  matchAll(facts: readonly AccountFacts[], out?: Int32Array): Int32Array;
}

/** Compiles validated segments once; the matcher is then shared by every batch of the run. */
export function compileSegments(segments: readonly Segment[]): SegmentMatcher {
  const ordered = [...segments].sort((a, b) => a.priority - b.priority);
  const predicates: Predicate[] = ordered.map((s) => compileExpression(s.when as Expression));
  const n = predicates.length;
  const matchIndex = (facts: AccountFacts): number => {
    for (let i = 0; i < n; i++) if ((predicates[i] as Predicate)(facts)) return i;
    return -1;
  };
  return {
    segments: ordered,
    matchIndex,
    match: (facts) => ordered[matchIndex(facts)] ?? null,
    matchAll: (facts, out = new Int32Array(facts.length)) => {
      if (out.length < facts.length) throw new Error('matchAll: output array is shorter than the input');
      for (let j = 0; j < facts.length; j++) out[j] = matchIndex(facts[j] as AccountFacts);
      return out;
    },
  };
}
