/**
 * Reading a file's header and one row's cells: which canonical column each header names, and a
 * collector that parses cells while recording every problem of the row with its column.
 */
import { columnsFor, type ImportError, type ImportErrorCode, type ImportKind, type RawRow, type RawValue } from './imports.types.ts';
import { displayValue, encodingProblem, normaliseHeader, textOf, type Parsed } from './imports.values.domain.ts';

export interface HeaderMapping {
  /** Canonical key per header position (null: a column the import does not use). */
  keys: (string | null)[];
  present: Set<string>;
  /** The header text of each canonical column, to name columns in errors as the file does. */
  labels: Map<string, string>;
  ignored: string[];
  errors: ImportError[];
}

const aliasTables = new Map<ImportKind, Map<string, string>>();
const aliasTable = (kind: ImportKind): Map<string, string> => {
  let t = aliasTables.get(kind);
  if (!t) {
    t = new Map();
    for (const c of columnsFor(kind)) {
      t.set(c.key, c.key);
      for (const a of c.aliases) t.set(a, c.key);
    }
    aliasTables.set(kind, t);
  }
  return t;
};

/** The canonical column a header or JSON key names, if any. */
export const columnKey = (name: string, kind: ImportKind): string | null => aliasTable(kind).get(normaliseHeader(name)) ?? null;

/**
 * Maps a header row. A required column that is missing, or two headers naming the same column,
 * reject the whole file before any row is read (row 1 is the header).
 */
export const mapHeader = (headers: readonly string[], kind: ImportKind, opts: { creditorRefGiven: boolean }): HeaderMapping => {
  const keys: (string | null)[] = [];
  const present = new Set<string>();
  const labels = new Map<string, string>();
  const ignored: string[] = [];
  const errors: ImportError[] = [];
  headers.forEach((h) => {
    if (h.includes('\ufffd')) {
      errors.push({ row: 1, column: h, value: h, code: 'IMPORT.ENCODING', reason: `header "${h}" has bytes that are not valid UTF-8: save the file as UTF-8, or pass encoding=windows-1252 for a Latin-1 / Windows-1252 file` });
    }
    const key = h.trim() === '' ? null : columnKey(h, kind);
    if (key && present.has(key)) {
      errors.push({ row: 1, column: h, value: h, code: 'IMPORT.DUPLICATE_COLUMN', reason: `column "${h}" names ${key}, which an earlier column already gives` });
    }
    if (key && !present.has(key)) labels.set(key, h.trim());
    if (key) present.add(key);
    else if (h.trim() !== '') ignored.push(h);
    keys.push(key);
  });
  const required = columnsFor(kind).filter((c) => c.required).map((c) => c.key);
  if (!opts.creditorRefGiven) required.unshift('creditor_ref');
  for (const key of required) {
    if (present.has(key)) continue;
    const hint = headers.length === 1 && /[,;|\t]/.test(headers[0] ?? '') ? ' (the header is one single column: is the delimiter right?)' : '';
    const reason = key === 'creditor_ref'
      ? 'the file has no creditor_ref column and no creditorRef option was given'
      : `required column ${key} is missing${hint}`;
    errors.push({ row: 1, column: key, value: null, code: 'IMPORT.MISSING_COLUMN', reason });
  }
  return { keys, present, labels, ignored, errors };
};

/** Builds a row from CSV/XLSX cells; surplus cells are ignored when empty (trailing delimiters). */
export const rowFromCells = (cells: readonly RawValue[], mapping: HeaderMapping): RawRow => {
  const row: RawRow = {};
  const n = Math.min(cells.length, mapping.keys.length);
  for (let i = 0; i < n; i++) {
    const key = mapping.keys[i];
    if (key) row[key] = cells[i];
  }
  return row;
};

/** A CSV row whose cell count differs from the header's, unless the extra cells are empty. */
export const cellCountProblem = (cells: readonly RawValue[], headerLength: number, unterminated: boolean): string | null => {
  if (cells.length === headerLength) return null;
  if (cells.length > headerLength && cells.slice(headerLength).every((c) => c === '' || c === null || c === undefined)) return null;
  if (unterminated && cells.length < headerLength) {
    return `the last line is truncated: it has ${cells.length} of ${headerLength} columns and no line end`;
  }
  return `the row has ${cells.length} ${cells.length === 1 ? 'column' : 'columns'} where the header has ${headerLength} (check the delimiter, or a value with an unquoted delimiter or quote)`;
};

/** Collects the errors of one row while reading its cells. */
export interface RowReader {
  readonly row: number;
  readonly errors: ImportError[];
  readonly raw: RawRow;
  /** Whether an error was already recorded for the column. */
  has(key: string): boolean;
  /** Text of a column (encoding-checked), or null; records an error and returns null when unreadable. */
  text(key: string, max?: number): string | null;
  /** Applies a parser to a column, recording its error. */
  parse<T>(key: string, p: (v: RawValue) => Parsed<T | null>): T | null;
  error(key: string | null, code: ImportErrorCode, reason: string, value?: RawValue): void;
}

/** Names a column as the file does; nested keys keep their suffix (`schedule[2]` -> `calendario[2]`). */
export const labelWith = (label: (key: string) => string) => (key: string): string => {
  const i = key.indexOf('[');
  return i === -1 ? label(key) : `${label(key.slice(0, i))}${key.slice(i)}`;
};

export const rowReader = (row: number, raw: RawRow, checkMojibake: boolean, label: (key: string) => string = (k) => k): RowReader => {
  const errors: ImportError[] = [];
  const failed = new Set<string>();
  const columnLabel = labelWith(label);
  const error = (key: string | null, code: ImportErrorCode, reason: string, value?: RawValue): void => {
    if (key) failed.add(key);
    errors.push({ row, column: key === null ? null : columnLabel(key), value: displayValue(value === undefined && key ? raw[key] : value), code, reason: key ? `${columnLabel(key)}${reason.startsWith('.') ? '' : ' '}${reason}` : reason });
  };
  const checkEncoding = (key: string, v: RawValue): boolean => {
    if (typeof v !== 'string') return true;
    const problem = encodingProblem(v, checkMojibake);
    if (problem) error(key, 'IMPORT.ENCODING', problem);
    return problem === null;
  };
  return {
    row,
    errors,
    raw,
    error,
    has: (key) => failed.has(key),
    text(key, max = 200) {
      const v = raw[key];
      if (!checkEncoding(key, v)) return null;
      const t = textOf(v);
      if (!t.ok) {
        error(key, t.code, t.reason);
        return null;
      }
      if (t.value !== null && t.value.length > max) {
        error(key, 'IMPORT.INVALID_VALUE', `is longer than ${max} characters`);
        return null;
      }
      return t.value;
    },
    parse(key, p) {
      const v = raw[key];
      if (!checkEncoding(key, v)) return null;
      const r = p(v);
      if (!r.ok) {
        error(key, r.code, r.reason);
        return null;
      }
      return r.value;
    },
  };
};
