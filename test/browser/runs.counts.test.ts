import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../web/src/format.ts';
import { groupRunCounts, runDurationMs } from '../../web/src/runs.ts';

const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('daily run counters for the console', () => {
  it('groups the counters: channels in the console order, tasks, every journey state and skip with its zero, unknown ones apart', () => {
    const g = groupRunCounts({
      'scheduled.email': 3, 'scheduled.sms': 5, 'scheduled.agent_task.call': 1, 'scheduled.agent_task.review': 2,
      'status.active': 7, 'status.exited': 1, noWindow: 2, alreadyScheduled: 1, 'something.new': 4,
    });
    expect(g.channels.map((l) => [l.label, l.value])).toEqual([['sms', 5], ['email', 3]]);
    expect(g.tasks.map((l) => [l.key, l.value])).toEqual([['scheduled.agent_task.review', 2], ['scheduled.agent_task.call', 1]]);
    expect(g.journeys.map((l) => [l.label, l.value])).toEqual([['active', 7], ['paused', 0], ['exited', 1], ['completed', 0], ['unassigned', 0]]);
    expect(g.skipped.map((l) => [l.label, l.value])).toEqual([['alreadyAdvanced', 0], ['alreadyScheduled', 1], ['noWindow', 2], ['errors', 0]]);
    expect(g.other).toEqual([{ key: 'something.new', label: 'something.new', value: 4 }]);
  });

  it('has no channels or tasks for a run that scheduled nothing', () => {
    const g = groupRunCounts({});
    expect(g.channels).toEqual([]);
    expect(g.tasks).toEqual([]);
    expect(g.journeys).toHaveLength(5);
  });

  it('measures a run from start to finish, and not while it runs', () => {
    expect(runDurationMs({ startedAt: '2026-03-02T06:00:00.000Z', finishedAt: '2026-03-02T06:02:05.500Z' })).toBe(125_500);
    expect(runDurationMs({ startedAt: '2026-03-02T06:00:00.000Z', finishedAt: null })).toBeNull();
  });

  it('formats durations in both languages', () => {
    expect(plain(formatDuration(0, 'es-ES'))).toBe('0 s');
    expect(plain(formatDuration(420, 'es-ES'))).toBe('0,4 s');
    expect(plain(formatDuration(12_300, 'es-ES'))).toBe('12 s');
    expect(plain(formatDuration(125_500, 'es-ES'))).toBe('2 min 6 s');
    expect(plain(formatDuration(120_000, 'es-ES'))).toBe('2 min');
    expect(plain(formatDuration(3_780_000, 'es-ES'))).toBe('1 h 3 min');
    expect(plain(formatDuration(420, 'en-GB'))).toBe('0.4 secs');
    expect(plain(formatDuration(125_500, 'en-GB'))).toBe('2 mins 6 secs');
  });
});
