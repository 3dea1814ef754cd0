import { readFileSync } from 'node:fs';

/** One benchmark result line (BENCHMARKS.md): the figure, the in-run reference and their ratio. */
export interface BenchResult {
  workload: string;
  value: number;
  unit: string;
  reference: number | null;
  ratio: number | null;
  target: number | string;
  pass: boolean;
  rssMB: number;
  [extra: string]: unknown;
}

/** Peak resident set size of a process in MB (VmHWM from /proc), or of this process. */
export const peakRssMB = (pid: number | 'self' = 'self'): number => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return Math.round(kb / 1024);
  } catch {
    return Math.round(process.memoryUsage().rss / 1024 / 1024);
  }
};

export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

export const parseArgs = (argv: string[]): Record<string, string> => {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const [k, v] = a.slice(2).split('=', 2) as [string, string | undefined];
    if (v !== undefined) out[k] = v;
    else if (argv[i + 1] && !argv[i + 1]!.startsWith('--')) out[k] = argv[++i]!;
    else out[k] = 'true';
  }
  return out;
};
