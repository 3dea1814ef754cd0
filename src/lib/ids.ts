import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/** Prefixed, time-sortable identifiers (`dbt_01J…`), made at the edge, never in domain code. */
export type IdPrefix =
  | 'ten' | 'key' | 'cre' | 'dbt' | 'cp' | 'acc' | 'txn' | 'evt' | 'whe' | 'whd' | 'imp' | 'pdc'
  | 'msg' | 'inb' | 'sct' | 'jrn';

/**
 * The ULIDs' random part from the system's CSPRNG, drawn 4 KiB at a time: ulid's own generator
 * asks the OS for one byte per character (16 calls per new millisecond), which showed in the
 * dispatcher's and the daily run's profiles. A byte / 256 picks each of the 32 characters with
 * exactly equal chance.
 */
const pool = Buffer.alloc(4096);
let used = pool.length;
export const pooledRandom = (): number => {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  return pool[used++]! / 256;
};

const next = monotonicFactory(pooledRandom);

export const newId = (prefix: IdPrefix): string => `${prefix}_${next().toLowerCase()}`;

export type IdFactory = (prefix: IdPrefix) => string;
