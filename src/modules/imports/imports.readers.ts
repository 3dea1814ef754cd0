/**
 * Readers turn a file (a path or a stream) into a stream of header / row / malformed-row events,
 * holding at most one chunk (plus one unfinished record) in memory. Encoding: a UTF-8 BOM is
 * stripped; with no `encoding` option the first chunk holding a non-ASCII byte decides — valid
 * UTF-8 reads as UTF-8, anything else as Windows-1252 (the superset of Latin-1 that Spanish
 * Excel writes). Bytes that are wrong for the chosen encoding reach the rows as U+FFFD, where the
 * row validator reports them (IMPORT.ENCODING) instead of storing garbled names.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isAscii, isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import type ExcelJS from 'exceljs';
import { createCsvTokenizer, detectDelimiter, type CsvEvent, type CsvTokenizer } from './imports.csv.ts';
import type { ImportErrorCode, ImportFormat, RawValue } from './imports.types.ts';

export type Encoding = 'utf-8' | 'windows-1252';

export type ReaderEvent =
  | { type: 'header'; row: number; cells: string[] }
  | { type: 'cells'; row: number; cells: RawValue[]; unterminated: boolean }
  | { type: 'object'; row: number; value: Record<string, unknown> }
  | { type: 'malformed'; row: number; reason: string; text: string };

/** What the reader learned about the file, filled in as it reads. */
export interface SourceInfo {
  format: ImportFormat;
  encoding: Encoding | null;
  /** True when the encoding was detected rather than given. */
  encodingDetected: boolean;
  delimiter: string | null;
  sheet: string | null;
  bytes: number;
  totalBytes: number | undefined;
}

/** A problem with the file as a whole (unreadable workbook, missing sheet). */
export class ImportFileError extends Error {
  readonly code: ImportErrorCode;
  constructor(code: ImportErrorCode, message: string) {
    super(message);
    this.name = 'ImportFileError';
    this.code = code;
  }
}

export const formatFromFilename = (filename: string): ImportFormat => {
  const ext = /\.([a-z0-9]+)$/i.exec(filename)?.[1]?.toLowerCase();
  if (ext === 'xlsx' || ext === 'xlsm') return 'xlsx';
  if (ext === 'ndjson' || ext === 'jsonl' || ext === 'json') return 'ndjson';
  return 'csv';
};

export const openSource = async (source: NodeJS.ReadableStream | string): Promise<{ stream: AsyncIterable<Buffer | string>; totalBytes: number | undefined }> => {
  if (typeof source !== 'string') return { stream: source as AsyncIterable<Buffer | string>, totalBytes: undefined };
  const size = (await stat(source)).size;
  return { stream: createReadStream(source, { highWaterMark: 1 << 20 }), totalBytes: size };
};

async function* counted(stream: AsyncIterable<Buffer | string>, info: SourceInfo): AsyncGenerator<Buffer> {
  for await (const c of stream) {
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    info.bytes += b.length;
    yield b;
  }
}

/**
 * Decides the encoding of the first chunk that holds non-ASCII bytes. Valid UTF-8 reads as UTF-8.
 * Otherwise the majority decides: valid multi-byte characters against invalid bytes — so a UTF-8
 * file with one Latin-1 row is read as UTF-8 and that row is reported, and vice versa.
 */
export const detectEncoding = (b: Buffer): Encoding => {
  const lf = b.lastIndexOf(10);
  const sample = lf > 0 ? b.subarray(0, lf) : b;
  for (let cut = 0; cut <= 3 && cut < sample.length; cut++) if (isUtf8(sample.subarray(0, sample.length - cut))) return 'utf-8';
  let valid = 0;
  let invalid = 0;
  for (const ch of new TextDecoder('utf-8').decode(sample)) {
    if (ch === '\ufffd') invalid++;
    else if (ch.charCodeAt(0) > 0x7f) valid++;
  }
  return valid > invalid ? 'utf-8' : 'windows-1252';
};

async function* decode(chunks: AsyncIterable<Buffer>, forced: Encoding | undefined, info: SourceInfo): AsyncGenerator<string> {
  let write: ((b: Buffer) => string) | null = null;
  let flush: () => string = () => '';
  const choose = (enc: Encoding, detected: boolean): void => {
    info.encoding = enc;
    info.encodingDetected = detected;
    if (enc === 'utf-8') {
      const d = new TextDecoder('utf-8');
      write = (b) => d.decode(b, { stream: true });
      flush = () => d.decode();
    } else {
      const d = iconv.getDecoder('windows-1252');
      write = (b) => d.write(b);
      flush = () => d.end() ?? '';
    }
  };
  if (forced) choose(forced, false);
  let first = true;
  for await (let chunk of chunks) {
    if (first) {
      first = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
        chunk = chunk.subarray(3);
        if (!forced) choose('utf-8', true);
      }
    }
    if (!write) {
      // Undecided while the file is plain ASCII, which reads the same in both encodings.
      if (isAscii(chunk)) {
        yield chunk.toString('latin1');
        continue;
      }
      choose(detectEncoding(chunk), true);
    }
    yield write!(chunk);
  }
  if (!write) {
    info.encoding = 'utf-8';
    info.encodingDetected = true;
  }
  const rest = flush();
  if (rest) yield rest;
}

const isBlank = (fields: readonly string[]): boolean => fields.every((f) => f.trim() === '');

async function* readCsv(texts: AsyncIterable<string>, forcedDelimiter: string | undefined, info: SourceInfo): AsyncGenerator<ReaderEvent> {
  let tok: CsvTokenizer | null = null;
  let pending = '';
  let header = false;
  // Files saved with old Mac line ends (CR only) are read as if they had LF.
  let crOnly = false;
  const events = function* (evs: CsvEvent[]): Generator<ReaderEvent> {
    for (const ev of evs) {
      if (ev.type === 'malformed') yield ev;
      else if (!header) {
        if (isBlank(ev.fields)) continue;
        header = true;
        yield { type: 'header', row: ev.row, cells: ev.fields };
      } else if (!isBlank(ev.fields)) yield { type: 'cells', row: ev.row, cells: ev.fields, unterminated: ev.unterminated };
    }
  };
  const start = (text: string): CsvTokenizer => {
    crOnly = !text.includes('\n') && text.includes('\r');
    const line = (crOnly ? text.replaceAll('\r', '\n') : text).split('\n', 1)[0] ?? '';
    const d = forcedDelimiter ?? detectDelimiter(line);
    info.delimiter = d;
    return createCsvTokenizer(d, 1);
  };
  for await (const text of texts) {
    if (!tok) {
      pending += text;
      if (!pending.includes('\n') && !pending.includes('\r') && pending.length < 1 << 20) continue;
      tok = start(pending);
      yield* events(tok.push(crOnly ? pending.replaceAll('\r', '\n') : pending));
      pending = '';
      continue;
    }
    yield* events(tok.push(crOnly ? text.replaceAll('\r', '\n') : text));
  }
  if (!tok) {
    if (pending === '') return;
    tok = start(pending);
    yield* events(tok.push(crOnly ? pending.replaceAll('\r', '\n') : pending));
  }
  yield* events(tok.end());
}

async function* readNdjson(texts: AsyncIterable<string>): AsyncGenerator<ReaderEvent> {
  let rest = '';
  let line = 0;
  const parse = (text: string, terminated: boolean): ReaderEvent | null => {
    line++;
    const t = text.trim();
    if (t === '') return null;
    try {
      const value: unknown = JSON.parse(t);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        return { type: 'malformed', row: line, reason: 'the line is not a JSON object', text: t.slice(0, 200) };
      }
      return { type: 'object', row: line, value: value as Record<string, unknown> };
    } catch (e) {
      const why = terminated ? (e as Error).message : `the last line is truncated (${(e as Error).message})`;
      return { type: 'malformed', row: line, reason: `the line is not valid JSON: ${why}`, text: t.slice(0, 200) };
    }
  };
  for await (const text of texts) {
    const buf = rest + text;
    let pos = 0;
    let nl: number;
    while ((nl = buf.indexOf('\n', pos)) !== -1) {
      const ev = parse(buf.slice(pos, nl), true);
      if (ev) yield ev;
      pos = nl + 1;
    }
    rest = buf.slice(pos);
  }
  if (rest !== '') {
    const ev = parse(rest, false);
    if (ev) yield ev;
  }
}

/** An exceljs cell value as a plain value: formulas give their result, rich text its text. */
const cellValue = (v: unknown): RawValue => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  if (typeof v === 'object') {
    const o = v as { richText?: { text: string }[]; result?: unknown; text?: unknown; error?: string };
    if (Array.isArray(o.richText)) return o.richText.map((r) => r.text).join('');
    if ('result' in o) return cellValue(o.result);
    if (typeof o.text === 'string') return o.text;
    if (typeof o.error === 'string') return o.error;
  }
  return String(v);
};

async function* readXlsx(bytes: AsyncIterable<Buffer>, sheet: string | undefined, info: SourceInfo): AsyncGenerator<ReaderEvent> {
  const input = Readable.from(bytes);
  // Loaded on first use: importing exceljs into a process that already holds an open PGlite
  // briefly raised peak memory by ~500 MB (measured), and most imports are CSV.
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.stream.xlsx.WorkbookReader(input, { sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit', entries: 'ignore' });
  const names: string[] = [];
  let found = false;
  try {
    for await (const ws of wb as AsyncIterable<ExcelJS.stream.xlsx.WorksheetReader & { name: string }>) {
      names.push(ws.name);
      const wanted = !found && (sheet === undefined || ws.name.trim().toLowerCase() === sheet.trim().toLowerCase() || ws.name === `Sheet${sheet}`);
      if (!wanted) {
        // Every sheet is read through, even skipped ones: exceljs parks sheets stored before the
        // workbook part in temp files and deletes each once the next is yielded; leaving one
        // unread (or stopping early) lets its stream fail outside any handler.
        for await (const row of ws as AsyncIterable<ExcelJS.Row>) void row;
        continue;
      }
      found = true;
      info.sheet = ws.name;
      let header = false;
      for await (const row of ws as AsyncIterable<ExcelJS.Row>) {
        const values = (row.values as unknown[]).slice(1);
        const cells: RawValue[] = Array.from({ length: values.length }, (_, i) => cellValue(values[i]));
        if (cells.every((c) => c === null || (typeof c === 'string' && c.trim() === ''))) continue;
        if (!header) {
          header = true;
          yield { type: 'header', row: row.number, cells: cells.map((c) => (c === null ? '' : c instanceof Date ? c.toISOString() : String(c))) };
        } else yield { type: 'cells', row: row.number, cells, unterminated: false };
      }
    }
  } catch (e) {
    if (e instanceof ImportFileError) throw e;
    throw new ImportFileError('IMPORT.UNREADABLE_FILE', `the file cannot be read as an XLSX workbook: ${(e as Error).message}`);
  } finally {
    input.destroy();
  }
  if (found) return;
  throw new ImportFileError(
    'IMPORT.UNREADABLE_FILE',
    sheet !== undefined ? `the workbook has no sheet "${sheet}"; it has: ${names.join(', ') || 'none'}` : 'the workbook has no worksheet',
  );
}

export interface ReadOptions {
  format: ImportFormat;
  encoding?: Encoding | undefined;
  delimiter?: string | undefined;
  sheet?: string | undefined;
}

/** Opens a reader over raw bytes; `info` fills in (encoding, delimiter, bytes read) as it goes. */
export const readEvents = (
  stream: AsyncIterable<Buffer | string>,
  totalBytes: number | undefined,
  opts: ReadOptions,
): { info: SourceInfo; events: AsyncGenerator<ReaderEvent> } => {
  const info: SourceInfo = { format: opts.format, encoding: null, encodingDetected: false, delimiter: null, sheet: null, bytes: 0, totalBytes };
  const bytes = counted(stream, info);
  if (opts.format === 'xlsx') return { info, events: readXlsx(bytes, opts.sheet, info) };
  const texts = decode(bytes, opts.encoding, info);
  return { info, events: opts.format === 'ndjson' ? readNdjson(texts) : readCsv(texts, opts.delimiter, info) };
};
