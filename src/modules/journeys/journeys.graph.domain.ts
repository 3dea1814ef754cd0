import type { Step } from './journeys.steps.domain.ts';

/**
 * Structural rules of a journey, checked when it is loaded so that the step machine can trust
 * them: every target exists, every step is reachable from the first, and every cycle passes
 * through a timed wait (otherwise one advance could loop, or a debtor be messaged in a loop
 * without pause). Errors carry the path of the offending field.
 */

export interface GraphIssue { path: (string | number)[]; message: string }

/** The step a non-branching step continues to: its `next`, else the following step. */
export function implicitNext(steps: readonly Step[], index: number): string | undefined {
  const s = steps[index];
  if (!s || s.type === 'end' || s.type === 'branch') return undefined;
  return s.next ?? steps[index + 1]?.id;
}

/** Successor ids with the path of the field that names each (for error messages). */
function edges(steps: readonly Step[], index: number): { to: string; path: (string | number)[] }[] {
  const s = steps[index] as Step;
  if (s.type === 'end') return [];
  if (s.type === 'branch') {
    return [
      ...s.cases.map((c, i) => ({ to: c.next, path: ['steps', index, 'cases', i, 'next'] })),
      { to: s.otherwise, path: ['steps', index, 'otherwise'] },
    ];
  }
  const to = implicitNext(steps, index);
  return to === undefined ? [] : [{ to, path: ['steps', index, s.next === undefined ? 'id' : 'next'] }];
}

const isTimedWait = (s: Step): boolean => s.type === 'wait' && (s.days !== undefined || s.hours !== undefined);

export function checkJourneyGraph(steps: readonly Step[]): GraphIssue[] {
  const out: GraphIssue[] = [];
  const index = new Map<string, number>();
  steps.forEach((s, i) => {
    const seen = index.get(s.id);
    if (seen !== undefined) out.push({ path: ['steps', i, 'id'], message: `step id ${s.id} is also used by steps[${seen}]` });
    else index.set(s.id, i);
  });

  const succ: number[][] = steps.map(() => []);
  steps.forEach((s, i) => {
    if (s.type !== 'end' && s.type !== 'branch' && implicitNext(steps, i) === undefined) {
      out.push({ path: ['steps', i], message: `step ${s.id} is the last one: give it "next" or add an end step` });
    }
    for (const e of edges(steps, i)) {
      const j = index.get(e.to);
      if (j === undefined) out.push({ path: e.path, message: `no step with id ${e.to}` });
      else (succ[i] as number[]).push(j);
    }
  });
  if (steps.length === 0 || out.length > 0) return out;

  // Reachability from the entry step (the first one).
  const reached = new Uint8Array(steps.length);
  const stack = [0];
  reached[0] = 1;
  while (stack.length > 0) {
    for (const j of succ[stack.pop() as number] as number[]) if (!reached[j]) { reached[j] = 1; stack.push(j); }
  }
  steps.forEach((s, i) => {
    if (!reached[i]) out.push({ path: ['steps', i, 'id'], message: `step ${s.id} cannot be reached from the first step (${steps[0]?.id})` });
  });

  // Cycles once timed waits are removed: an iterative three-colour DFS over what remains.
  const colour = new Uint8Array(steps.length); // 0 new, 1 on the stack, 2 done
  for (let root = 0; root < steps.length; root++) {
    if (colour[root] || isTimedWait(steps[root] as Step)) continue;
    const frames: { node: number; next: number }[] = [{ node: root, next: 0 }];
    colour[root] = 1;
    while (frames.length > 0) {
      const top = frames[frames.length - 1] as { node: number; next: number };
      const targets = succ[top.node] as number[];
      if (top.next >= targets.length) { colour[top.node] = 2; frames.pop(); continue; }
      const j = targets[top.next++] as number;
      if (isTimedWait(steps[j] as Step) || colour[j] === 2) continue;
      if (colour[j] === 1) {
        const from = frames.findIndex((f) => f.node === j);
        const ids = frames.slice(from).map((f) => (steps[f.node] as Step).id);
        out.push({ path: ['steps', j, 'id'], message: `cycle without a timed wait: ${[...ids, (steps[j] as Step).id].join(' -> ')}` });
        return out;
      }
      colour[j] = 1;
      frames.push({ node: j, next: 0 });
    }
  }
  return out;
}
