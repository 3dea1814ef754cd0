import { monotonicFactory } from 'ulid';

/** Prefixed, time-sortable identifiers (`dbt_01J…`), made at the edge, never in domain code. */
export type IdPrefix =
  | 'ten' | 'key' | 'cre' | 'dbt' | 'cp' | 'acc' | 'txn' | 'evt' | 'whe' | 'whd' | 'imp' | 'pdc'
  | 'msg' | 'inb' | 'sct' | 'jrn';

const next = monotonicFactory();

export const newId = (prefix: IdPrefix): string => `${prefix}_${next().toLowerCase()}`;

export type IdFactory = (prefix: IdPrefix) => string;
