import { z } from 'zod';
import { compileExpression } from './journeys.expression.domain.ts';
import type { Expression, Predicate } from './journeys.expression.domain.ts';
import { checkJourneyGraph, implicitNext } from './journeys.graph.domain.ts';
import { ExitCondition, JourneyId, Localised3, Step } from './journeys.steps.domain.ts';
import type { Step as StepT } from './journeys.steps.domain.ts';

/**
 * A journey: versioned data. A running account records (journeyId, version) and the step it is
 * at, so a change ships as a new version and every decision can name the version it used.
 */
export const Journey = z
  .strictObject({
    id: JourneyId,
    version: z.int().min(1),
    name: Localised3,
    description: z.string().max(1000).optional(),
    /** Checked before every step, in order (docs/journeys.md, "Exits"). */
    exits: z.array(ExitCondition).min(1, 'a journey needs at least one exit condition'),
    /** The first step is the entry. */
    steps: z.array(Step).min(1),
  })
  .superRefine((j, ctx) => {
    for (const i of checkJourneyGraph(j.steps)) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
  });
export type Journey = z.infer<typeof Journey>;

export interface CompiledJourney {
  readonly journey: Journey;
  readonly stepAt: ReadonlyMap<string, StepT>;
  /** The successor of a non-branching step, resolved from `next` or list order. */
  readonly nextOf: ReadonlyMap<string, string>;
  /** For branch steps: one predicate per case; null for cases on outcomes. */
  readonly branchTests: ReadonlyMap<string, readonly (Predicate | null)[]>;
  readonly exitTests: readonly (Predicate | null)[];
}

const cache = new WeakMap<Journey, CompiledJourney>();

/**
 * Compiles a validated journey (cached per object, so the daily run compiles each journey once
 * however many accounts it advances).
 */
export function compileJourney(journey: Journey): CompiledJourney {
  const hit = cache.get(journey);
  if (hit) return hit;
  const stepAt = new Map<string, StepT>();
  const nextOf = new Map<string, string>();
  const branchTests = new Map<string, (Predicate | null)[]>();
  journey.steps.forEach((s, i) => {
    stepAt.set(s.id, s);
    const n = implicitNext(journey.steps, i);
    if (n !== undefined) nextOf.set(s.id, n);
    if (s.type === 'branch') branchTests.set(s.id, s.cases.map((c) => ('when' in c ? compileExpression(c.when as Expression) : null)));
  });
  const compiled: CompiledJourney = {
    journey,
    stepAt,
    nextOf,
    branchTests,
    exitTests: journey.exits.map((e) => (e.when ? compileExpression(e.when as Expression) : null)),
  };
  cache.set(journey, compiled);
  return compiled;
}
