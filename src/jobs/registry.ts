import type { z } from 'zod';

/**
 * A job name's contract: the Zod schema of its payload (checked when a job is sent and again
 * when it is received, since a job can outlive the code version that enqueued it) and the queue
 * defaults every job of that name inherits.
 */
export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  schema: S;
  /** Attempts after the first before a job is marked failed (pg-boss default 2). */
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** Exponential backoff from `retryDelaySeconds` (pg-boss adds its own jitter). */
  retryBackoff?: boolean;
  retryDelayMaxSeconds?: number;
  /** How long one run may stay active before pg-boss fails it and retries (default 15 min). */
  expireInSeconds?: number;
  /** How long a completed job is kept (default 7 days). */
  deleteAfterSeconds?: number;
  /** How long a job may wait in the queue before it is dropped (default 14 days). */
  retentionSeconds?: number;
  /** pg-boss queue policy; `standard` unless the job needs one of its singleton flavours. */
  policy?: 'standard' | 'short' | 'singleton' | 'stately' | 'exclusive';
}

/** Job names to their definitions. Each module exports its own; the worker merges them. */
export type JobRegistry = Record<string, JobDefinition>;

/** Identity helper that keeps the literal names and schema types for inference. */
export const defineJobs = <R extends JobRegistry>(jobs: R): R => jobs;

export type JobName<R extends JobRegistry> = keyof R & string;
/** What a sender passes (schema input: defaults may be omitted). */
export type JobInput<R extends JobRegistry, N extends JobName<R>> = z.input<R[N]['schema']>;
/** What a handler receives (schema output, already validated). */
export type JobData<R extends JobRegistry, N extends JobName<R>> = z.output<R[N]['schema']>;

/** Queue names may hold letters, digits, `_`, `-`, `.` and `/` (pg-boss's rule). */
export const isValidJobName = (name: string): boolean => /^[\w.\-/]+$/.test(name);
