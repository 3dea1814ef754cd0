/**
 * A daily run's counters (`journey_runs.counts`: `scheduled.sms`, `status.active`, `noWindow`…)
 * sorted into the groups a manager reads: contacts by channel, tasks for agents, journey states,
 * and what was skipped or failed. Pure, so it is unit-tested in Node (test/browser/runs.counts.test.ts).
 */
import { CONTACT_CHANNELS } from './api.ts';

export interface CountLine {
  /** The counter's name as the API gives it. */
  key: string;
  /** What to look up in i18n (the channel, task type, journey status or counter). */
  label: string;
  value: number;
}

export interface RunCountGroups {
  channels: CountLine[];
  tasks: CountLine[];
  journeys: CountLine[];
  skipped: CountLine[];
  /** Counters the console has no group for yet: shown as they are rather than hidden. */
  other: CountLine[];
}

export const JOURNEY_STATES = ['active', 'paused', 'exited', 'completed', 'unassigned'] as const;
export const SKIP_COUNTERS = ['alreadyAdvanced', 'alreadyScheduled', 'noWindow', 'errors'] as const;
const TASK_TYPES = ['review', 'call'];

/** Known names first, in their fixed order; then unknown ones by name. */
const ordered = (lines: CountLine[], order: readonly string[]): CountLine[] => {
  const rank = (l: CountLine) => (order.includes(l.label) ? order.indexOf(l.label) : order.length);
  return [...lines].sort((a, b) => rank(a) - rank(b) || a.label.localeCompare(b.label));
};

export const groupRunCounts = (counts: Readonly<Record<string, number>>): RunCountGroups => {
  const g: RunCountGroups = { channels: [], tasks: [], journeys: [], skipped: [], other: [] };
  for (const [key, value] of Object.entries(counts)) {
    if (key.startsWith('scheduled.agent_task.')) g.tasks.push({ key, label: key.slice('scheduled.agent_task.'.length), value });
    else if (key.startsWith('scheduled.')) g.channels.push({ key, label: key.slice('scheduled.'.length), value });
    else if (key.startsWith('status.')) g.journeys.push({ key, label: key.slice('status.'.length), value });
    else if ((SKIP_COUNTERS as readonly string[]).includes(key)) g.skipped.push({ key, label: key, value });
    else g.other.push({ key, label: key, value });
  }
  // Every journey state and every skip reason is shown, with its zero: "errors: 0" is an answer.
  for (const s of JOURNEY_STATES) if (!g.journeys.some((l) => l.label === s)) g.journeys.push({ key: `status.${s}`, label: s, value: 0 });
  for (const s of SKIP_COUNTERS) if (!g.skipped.some((l) => l.label === s)) g.skipped.push({ key: s, label: s, value: 0 });
  return {
    channels: ordered(g.channels, CONTACT_CHANNELS),
    tasks: ordered(g.tasks, TASK_TYPES),
    journeys: ordered(g.journeys, JOURNEY_STATES),
    skipped: ordered(g.skipped, SKIP_COUNTERS),
    other: ordered(g.other, []),
  };
};

/** Milliseconds from start to finish, or null while the run is still going. */
export const runDurationMs = (r: { startedAt: string; finishedAt: string | null }): number | null =>
  r.finishedAt ? Math.max(0, Date.parse(r.finishedAt) - Date.parse(r.startedAt)) : null;
