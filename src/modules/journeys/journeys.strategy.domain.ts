import { z } from 'zod';
import { invalid } from '../../lib/errors.ts';
import { formatPath } from './journeys.expression.domain.ts';
import type { AccountFacts } from './journeys.facts.types.ts';
import { unitHash } from './journeys.hash.domain.ts';
import { Journey } from './journeys.journey.domain.ts';
import { Segment, SegmentId, compileSegments } from './journeys.segments.domain.ts';
import type { SegmentMatcher } from './journeys.segments.domain.ts';
import { JourneyId, Localised3 } from './journeys.steps.domain.ts';

/**
 * A strategy: segments, the journeys they lead to, and how each segment's accounts are split
 * between journeys (champion/challenger). One document, versioned as a whole, so a manager's
 * change is one reviewable diff and every assignment names the version it came from.
 */

export const Arm = z.strictObject({
  arm: z.string().regex(/^[a-z][a-z0-9_-]{0,30}$/),
  journey: JourneyId,
  /** Relative weight: 80 and 20 give an 80/20 split. */
  weight: z.int().min(1).max(1_000_000),
});
export type Arm = z.infer<typeof Arm>;

export const SegmentAssignment = z.strictObject({
  segment: SegmentId,
  arms: z.array(Arm).min(1).superRefine((arms, ctx) => {
    const seen = new Set<string>();
    arms.forEach((a, i) => {
      if (seen.has(a.arm)) ctx.addIssue({ code: 'custom', path: [i, 'arm'], message: `arm ${a.arm} is listed twice` });
      seen.add(a.arm);
    });
  }),
});

export const Strategy = z
  .strictObject({
    id: z.string().regex(/^[a-z][a-z0-9_-]{1,62}$/),
    version: z.int().min(1),
    name: Localised3,
    description: z.string().max(2000).optional(),
    segments: z.array(Segment).min(1),
    journeys: z.array(Journey).min(1),
    /** A segment without an assignment matches but starts no journey (a suppression segment). */
    assignments: z.array(SegmentAssignment),
  })
  .superRefine((s, ctx) => {
    const issue = (path: (string | number)[], message: string): void => ctx.addIssue({ code: 'custom', path, message });
    const segmentIds = new Set<string>();
    const priorities = new Map<number, string>();
    s.segments.forEach((seg, i) => {
      if (segmentIds.has(seg.id)) issue(['segments', i, 'id'], `segment id ${seg.id} is used twice`);
      segmentIds.add(seg.id);
      const other = priorities.get(seg.priority);
      if (other !== undefined) issue(['segments', i, 'priority'], `priority ${seg.priority} is also segment ${other}'s; first-match needs a strict order`);
      priorities.set(seg.priority, seg.id);
    });
    const journeyIds = new Set<string>();
    s.journeys.forEach((j, i) => {
      if (journeyIds.has(j.id)) issue(['journeys', i, 'id'], `journey id ${j.id} is used twice`);
      journeyIds.add(j.id);
    });
    const assigned = new Set<string>();
    s.assignments.forEach((a, i) => {
      if (!segmentIds.has(a.segment)) issue(['assignments', i, 'segment'], `no segment with id ${a.segment}`);
      if (assigned.has(a.segment)) issue(['assignments', i, 'segment'], `segment ${a.segment} is assigned twice`);
      assigned.add(a.segment);
      a.arms.forEach((arm, k) => {
        if (!journeyIds.has(arm.journey)) issue(['assignments', i, 'arms', k, 'journey'], `no journey with id ${arm.journey}`);
      });
    });
  });
export type Strategy = z.infer<typeof Strategy>;

/**
 * The arm of `accountId` in `strategyId`'s split: a uniform draw from hash(strategyId, accountId)
 * laid over the arms' cumulative weights. The draw ignores the version, the segment and the
 * date, so an account keeps its arm across runs and versions; shifting weight from one arm to
 * the next moves only the accounts in the slice that changed hands.
 */
export function allocateArm<A extends Pick<Arm, 'weight'>>(strategyId: string, accountId: string, arms: readonly A[]): A {
  if (arms.length === 0) throw new Error('allocateArm: no arms');
  let total = 0;
  for (const a of arms) total += a.weight;
  let point = unitHash(strategyId, accountId) * total;
  for (const a of arms) {
    if (point < a.weight) return a;
    point -= a.weight;
  }
  return arms[arms.length - 1] as A; // floating-point remainder at the very top
}

/** Where an account goes, and the evidence to record with it. */
export interface Assignment {
  readonly strategyId: string;
  readonly strategyVersion: number;
  readonly segmentId: string;
  /** null when the segment is a suppression segment (no journey). */
  readonly arm: string | null;
  readonly journey: Journey | null;
}

export interface Assigner {
  readonly matcher: SegmentMatcher;
  assign(facts: AccountFacts, accountId: string): Assignment | null;
}

/**
 * Compiles strategies that run side by side over one portfolio. Their segments compete in one
 * priority order (equal priorities across strategies are refused: an account must have one
 * answer); the winning segment's strategy then splits by arm.
 */
export function compileStrategies(strategies: readonly Strategy[]): Assigner {
  const owner = new Map<string, { strategy: Strategy; arms: readonly (Arm & { journeyRef: Journey })[] | null }>();
  const priorities = new Map<number, string>();
  const all: Segment[] = [];
  for (const strategy of strategies) {
    const journeys = new Map(strategy.journeys.map((j) => [j.id, j]));
    for (const seg of strategy.segments) {
      const key = `${strategy.id}/${seg.id}`;
      const clash = priorities.get(seg.priority);
      if (clash !== undefined) throw new Error(`segment ${key} has priority ${seg.priority}, as ${clash} does`);
      priorities.set(seg.priority, key);
      const a = strategy.assignments.find((x) => x.segment === seg.id);
      const arms = a ? a.arms.map((arm) => ({ ...arm, journeyRef: journeys.get(arm.journey) as Journey })) : null;
      owner.set(key, { strategy, arms });
      // Segment ids are scoped by strategy; the matcher sees the qualified id.
      all.push({ ...seg, id: key });
    }
  }
  const matcher = compileSegments(all);
  return {
    matcher,
    assign(facts, accountId) {
      const seg = matcher.match(facts);
      if (!seg) return null;
      const o = owner.get(seg.id) as NonNullable<ReturnType<typeof owner.get>>;
      const segmentId = seg.id.slice(o.strategy.id.length + 1);
      if (!o.arms) return { strategyId: o.strategy.id, strategyVersion: o.strategy.version, segmentId, arm: null, journey: null };
      const arm = allocateArm(o.strategy.id, accountId, o.arms);
      return { strategyId: o.strategy.id, strategyVersion: o.strategy.version, segmentId, arm: arm.arm, journey: arm.journeyRef };
    },
  };
}

/**
 * Parses an untrusted strategy document. Invalid input is an expected outcome: an AppError
 * `STRATEGY.INVALID` whose details name each offending field by path
 * (`journeys[0].steps[3].next: no step with id …`).
 */
export function parseStrategy(doc: unknown): Strategy {
  const r = Strategy.safeParse(doc);
  if (r.success) return r.data;
  const details = r.error.issues.map((i) => ({ field: formatPath(i.path) || '(document)', message: i.message }));
  throw invalid('STRATEGY.INVALID', `invalid strategy: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
}
