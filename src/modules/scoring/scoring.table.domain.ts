/**
 * Any CSV into a feature table: the header (one line, or the UCI spreadsheet's two lines), the
 * target and id columns, and for every other column numeric or categorical detection with
 * missing values (empty, NA, ?, null, …) as NaN / code −1. Column-major typed arrays.
 */
import { parse } from 'csv-parse/sync';
import { invalid } from '../../lib/errors.ts';

export interface NumericColumn {
  kind: 'numeric';
  name: string;
  /** NaN where missing or not a number. */
  values: Float64Array;
}

export interface CategoricalColumn {
  kind: 'categorical';
  name: string;
  /** Index into `levels`; −1 where missing. */
  codes: Int32Array;
  levels: string[];
}

export type Column = NumericColumn | CategoricalColumn;
export type ColumnKind = Column['kind'];

export interface FeatureTable {
  rows: number;
  columns: Column[];
}

export interface ReadTable {
  features: FeatureTable;
  /** 1 = the event (the target's positive value), 0 = not; null when no target was asked for. */
  target: Uint8Array | null;
  ids: string[];
  idColumn: string | null;
  /** The file's line number of each data row (for messages). */
  lines: Int32Array;
}

export interface ReadOptions {
  target?: string;
  /** Id column; default: a column named `id` (any case) when there is one, else the line number. */
  id?: string;
  /** Use these columns with these kinds (a model's features) instead of detecting them. */
  schema?: readonly { name: string; kind: ColumnKind }[];
  /** A column is numeric when at least this share of its non-missing values are numbers. */
  numericShare?: number;
}

const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '?', '-', '.', '#n/a', 'missing', 'nil', 'undefined']);

export const isMissingToken = (s: string): boolean => MISSING.has(s.trim().toLowerCase());

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DECIMAL_COMMA = /^[+-]?\d+,\d+$/;

/**
 * A number, or NaN for anything else (missing tokens included). With `decimalComma` (files
 * delimited by something other than a comma) "1,5" is 1.5; in a comma-delimited file a quoted
 * "1,234" is ambiguous (thousands?) and is not read as a number.
 */
export const parseNumber = (raw: string, decimalComma = false): number => {
  const s = raw.trim();
  if (NUMBER.test(s)) return Number(s);
  if (decimalComma && DECIMAL_COMMA.test(s)) return Number(s.replace(',', '.'));
  return Number.NaN;
};

const POSITIVE = new Set(['1', '1.0', 'true', 'yes', 'y', 'si', 'sí', 's', 't', 'default', 'bad']);
const NEGATIVE = new Set(['0', '0.0', 'false', 'no', 'n', 'f', 'good']);

/** The delimiter (`,` `;` tab `|`) occurring most in the first line. */
export const detectDelimiter = (text: string): string => {
  const first = text.slice(0, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n'));
  let best = ',';
  let bestCount = 0;
  for (const d of [',', ';', '\t', '|']) {
    const c = first.split(d).length - 1;
    if (c > bestCount) {
      best = d;
      bestCount = c;
    }
  }
  return best;
};

const GENERIC_HEADER = /^(x\d+|y|)$/i;

/** The rows of a CSV text; the header row index (1 for the UCI spreadsheet's X1…X23,Y line). */
export const parseCsvRecords = (text: string): { header: string[]; records: string[][]; firstDataLine: number; delimiter: string } => {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') throw invalid('SCORING.EMPTY_FILE', 'the CSV file is empty');
  let rows: string[][];
  const delimiter = detectDelimiter(body);
  try {
    rows = parse(body, { delimiter, relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
  } catch (e) {
    throw invalid('SCORING.MALFORMED_CSV', `the CSV cannot be read: ${(e as Error).message}`);
  }
  const h = headerRow(rows);
  const records = rows.slice(h + 1);
  if (records.length === 0) throw invalid('SCORING.EMPTY_FILE', 'the CSV file has a header but no data rows');
  return { header: cleanHeader(rows[h] as string[]), records, firstDataLine: h + 2, delimiter };
};

/** 1 when the first rows are the UCI spreadsheet's X1,…,X23,Y line above the names, else 0. */
export const headerRow = (firstRows: readonly string[][]): number =>
  firstRows.length > 2 && (firstRows[0] as string[]).every((c) => GENERIC_HEADER.test(c)) && (firstRows[1] as string[]).some((c) => c !== '' && Number.isNaN(parseNumber(c))) ? 1 : 0;

/** Trimmed names, blanks named by position, duplicates refused. */
export const cleanHeader = (row: readonly string[]): string[] => {
  const header = row.map((c) => c.trim());
  const seen = new Set<string>();
  header.forEach((name, i) => {
    if (name === '') header[i] = `column_${i + 1}`;
    if (seen.has(header[i] as string)) throw invalid('SCORING.DUPLICATE_COLUMN', `column "${header[i]}" appears twice in the header`, [{ field: header[i] as string, message: 'duplicate column' }]);
    seen.add(header[i] as string);
  });
  return header;
};

const findColumn = (header: string[], name: string, role: string): number => {
  let i = header.indexOf(name);
  if (i === -1) i = header.findIndex((h) => h.toLowerCase() === name.toLowerCase());
  // "default payment next month" also finds Kaggle's "default.payment.next.month".
  const loose = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
  if (i === -1) {
    const matches = header.filter((h) => loose(h) === loose(name));
    if (matches.length === 1) i = header.indexOf(matches[0] as string);
  }
  if (i === -1) {
    const shown = header.slice(0, 30).join(', ') + (header.length > 30 ? ', …' : '');
    throw invalid('SCORING.UNKNOWN_COLUMN', `the ${role} column "${name}" is not in the file (columns: ${shown})`, [{ field: name, message: `no ${role} column "${name}"` }]);
  }
  return i;
};

/** Encodes one text column as numeric (with NaN for missing) or categorical (codes + levels). */
export const encodeColumn = (name: string, cells: readonly string[], kind?: ColumnKind, numericShare = 0.98, decimalComma = false): Column => {
  const n = cells.length;
  if (kind === undefined) {
    let present = 0;
    let numeric = 0;
    for (const c of cells) {
      if (isMissingToken(c)) continue;
      present++;
      if (!Number.isNaN(parseNumber(c, decimalComma))) numeric++;
    }
    kind = present > 0 && numeric >= numericShare * present ? 'numeric' : 'categorical';
  }
  if (kind === 'numeric') {
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = parseNumber(cells[i] as string, decimalComma);
    return { kind, name, values };
  }
  const codes = new Int32Array(n);
  const levels: string[] = [];
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const c = (cells[i] as string).trim();
    if (isMissingToken(c)) {
      codes[i] = -1;
      continue;
    }
    let k = index.get(c);
    if (k === undefined) {
      k = levels.length;
      levels.push(c);
      index.set(c, k);
    }
    codes[i] = k;
  }
  return { kind, name, codes, levels };
};

/** Reads a CSV text into features, an optional binary target and ids. */
export const readFeatureTable = (text: string, opts: ReadOptions = {}): ReadTable => tableFromRecords(parseCsvRecords(text), opts);

/** Records (already split into cells) into a table; `firstDataLine` is the file line of records[0]. */
export const tableFromRecords = (parsed: { header: string[]; records: string[][]; firstDataLine: number; delimiter: string }, opts: ReadOptions = {}): ReadTable => {
  const { header, records, firstDataLine, delimiter } = parsed;
  const decimalComma = delimiter !== ',';
  const width = header.length;
  records.forEach((r, k) => {
    if (r.length !== width && !(r.length === 1 && r[0] === '')) {
      throw invalid('SCORING.RAGGED_ROW', `row ${firstDataLine + k} has ${r.length} values but the header has ${width} columns`, [{ row: firstDataLine + k, message: `${r.length} values, expected ${width}` }]);
    }
  });
  const rows = records.length;
  const lines = new Int32Array(rows);
  for (let k = 0; k < rows; k++) lines[k] = firstDataLine + k;

  const targetIdx = opts.target !== undefined ? findColumn(header, opts.target, 'target') : -1;
  let idIdx = opts.id !== undefined ? findColumn(header, opts.id, 'id') : header.findIndex((h) => h.toLowerCase() === 'id');
  if (idIdx === targetIdx) idIdx = -1;

  let target: Uint8Array | null = null;
  if (targetIdx >= 0) {
    target = new Uint8Array(rows);
    const name = header[targetIdx] as string;
    for (let k = 0; k < rows; k++) {
      const raw = ((records[k] as string[])[targetIdx] ?? '').trim();
      const v = raw.toLowerCase();
      if (POSITIVE.has(v)) target[k] = 1;
      else if (NEGATIVE.has(v)) target[k] = 0;
      else {
        const why = isMissingToken(raw) ? 'is missing' : `is "${raw.slice(0, 40)}"`;
        throw invalid('SCORING.TARGET_NOT_BINARY', `the target column "${name}" must be binary (0/1, true/false, yes/no): row ${lines[k]} ${why}`, [{ field: name, row: lines[k] as number, value: raw.slice(0, 40), message: `not a binary outcome` }]);
      }
    }
  }

  const ids: string[] = new Array<string>(rows);
  for (let k = 0; k < rows; k++) ids[k] = idIdx >= 0 ? ((records[k] as string[])[idIdx] as string) : String(lines[k]);

  const columns: Column[] = [];
  const cellsOf = (j: number): string[] => records.map((r) => r[j] ?? '');
  if (opts.schema) {
    for (const f of opts.schema) {
      const j = header.indexOf(f.name);
      if (j === -1) throw invalid('SCORING.COLUMN_MISSING', `the model needs column "${f.name}", which is not in the file`, [{ field: f.name, message: 'missing column' }]);
      columns.push(encodeColumn(f.name, cellsOf(j), f.kind, undefined, decimalComma));
    }
  } else {
    for (let j = 0; j < width; j++) {
      if (j === targetIdx || j === idIdx) continue;
      columns.push(encodeColumn(header[j] as string, cellsOf(j), undefined, opts.numericShare, decimalComma));
    }
  }
  return { features: { rows, columns }, target, ids, idColumn: idIdx >= 0 ? (header[idIdx] as string) : null, lines };
};

/** The rows `index` of a table (for folds and splits); categorical levels are shared. */
export const subsetTable = (t: FeatureTable, index: Int32Array): FeatureTable => ({
  rows: index.length,
  columns: t.columns.map((c): Column => {
    if (c.kind === 'numeric') {
      const values = new Float64Array(index.length);
      for (let i = 0; i < index.length; i++) values[i] = c.values[index[i] as number] as number;
      return { kind: 'numeric', name: c.name, values };
    }
    const codes = new Int32Array(index.length);
    for (let i = 0; i < index.length; i++) codes[i] = c.codes[index[i] as number] as number;
    return { kind: 'categorical', name: c.name, codes, levels: c.levels };
  }),
});

export const subsetTarget = (y: Uint8Array, index: Int32Array): Uint8Array => {
  const out = new Uint8Array(index.length);
  for (let i = 0; i < index.length; i++) out[i] = y[index[i] as number] as number;
  return out;
};

/** Both classes must be present to learn anything. */
export const assertTwoClasses = (y: Uint8Array, targetName: string): void => {
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i] as number;
  if (pos === 0 || pos === y.length) {
    throw invalid('SCORING.TARGET_ONE_CLASS', `the target column "${targetName}" has only ${pos === 0 ? 'negative (0)' : 'positive (1)'} values in ${y.length} rows; a model needs both`, [{ field: targetName, message: 'one class only' }]);
  }
};
