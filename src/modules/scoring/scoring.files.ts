/** Reading CSVs and model files, writing models and score files (the I/O edge of the module). */
import { closeSync, createReadStream, openSync, readFileSync, readSync, writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parse } from 'csv-parse';
import { invalid } from '../../lib/errors.ts';
import { scoreModel, type ScoringModel, type ScoreResult } from './scoring.model.domain.ts';
import { cleanHeader, detectDelimiter, headerRow, tableFromRecords } from './scoring.table.domain.ts';
import { ScoringModel as ModelSchema } from './scoring.types.ts';

const read = (path: string, what: string): Buffer => {
  try {
    return readFileSync(path);
  } catch (e) {
    throw invalid('SCORING.FILE_UNREADABLE', `cannot read the ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, [{ field: path, message: 'unreadable' }]);
  }
};

/** A CSV file as text (UTF-8, or Windows-1252 when it is not valid UTF-8); spreadsheets are refused with advice. */
export const readCsvFile = (path: string): string => {
  const buf = read(path, 'CSV file');
  if (buf.length >= 4 && buf[0] === 0xd0 && buf[1] === 0xcf && buf[2] === 0x11 && buf[3] === 0xe0) {
    throw invalid('SCORING.UNSUPPORTED_FORMAT', `${path} is an Excel .xls workbook; save it as CSV (one header row, e.g. ID, LIMIT_BAL, …, default payment next month)`);
  }
  if (buf.length >= 2 && buf[0] === 0x50 && buf[1] === 0x4b) throw invalid('SCORING.UNSUPPORTED_FORMAT', `${path} is a zip or .xlsx file; save the sheet as CSV`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return new TextDecoder('windows-1252').decode(buf);
  }
};

export const saveModel = (path: string, model: ScoringModel): void => {
  writeFileSync(path, `${JSON.stringify(model)}\n`);
};

/** Parses and validates a model document (format, version, every array and index). */
export const parseModel = (text: string, source = 'model'): ScoringModel => {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw invalid('SCORING.MODEL_INVALID', `${source} is not JSON: ${(e as Error).message}`);
  }
  const parsed = ModelSchema.safeParse(doc);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 10);
    throw invalid('SCORING.MODEL_INVALID', `${source} is not a valid Tacto scoring model (${parsed.error.issues.length} problem${parsed.error.issues.length === 1 ? '' : 's'})`, issues.map((i) => ({ field: i.path.join('.') || '(document)', message: i.message })));
  }
  return parsed.data as unknown as ScoringModel;
};

export const loadModel = (path: string): ScoringModel => parseModel(read(path, 'model file').toString('utf8'), path);

const csvCell = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** id, probability, score, reason_1…reason_k (`withHeader` false: rows only, for later batches). */
export const scoresCsv = (ids: readonly string[], r: ScoreResult, reasonColumns = 3, withHeader = true): string => {
  const header = ['id', 'probability', 'score', ...Array.from({ length: reasonColumns }, (_, k) => `reason_${k + 1}`)];
  const lines: string[] = withHeader ? [header.join(',')] : [];
  for (let i = 0; i < ids.length; i++) {
    const cells = [csvCell(ids[i] as string), (r.probability[i] as number).toFixed(6), String(Math.round(r.score[i] as number))];
    for (let k = 0; k < reasonColumns; k++) {
      const j = k < r.reasonCount ? (r.reasons[i * r.reasonCount + k] as number) : -1;
      cells.push(j >= 0 ? csvCell(r.reasonNames[j] as string) : '');
    }
    lines.push(cells.join(','));
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
};

/**
 * Scores a CSV file of any size: streamed in batches of `batch` rows, each read with the model's
 * schema, scored and appended to `out` ("-" = standard output), so memory stays flat.
 */
export const scoreCsvFile = async (model: ScoringModel, csvPath: string, out: string, opts: { id?: string; reasons?: number; batch?: number } = {}): Promise<{ rows: number }> => {
  const reasons = opts.reasons ?? 3;
  const batchSize = opts.batch ?? 50_000;
  // Sniff the start: spreadsheets are refused, the delimiter and the encoding are decided.
  let head: Buffer;
  try {
    const fd = openSync(csvPath, 'r');
    head = Buffer.alloc(65_536);
    head = head.subarray(0, readSync(fd, head, 0, head.length, 0));
    closeSync(fd);
  } catch (e) {
    throw invalid('SCORING.FILE_UNREADABLE', `cannot read the CSV file ${csvPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, [{ field: csvPath, message: 'unreadable' }]);
  }
  if ((head[0] === 0xd0 && head[1] === 0xcf) || (head[0] === 0x50 && head[1] === 0x4b)) readCsvFile(csvPath); // throws the advice
  let encoding: BufferEncoding = 'utf8';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, Math.max(0, head.length - 4)));
  } catch {
    encoding = 'latin1';
  }
  const text = head.toString(encoding).replace(/^\uFEFF/, '');
  if (text.trim() === '') throw invalid('SCORING.EMPTY_FILE', 'the CSV file is empty');
  const delimiter = detectDelimiter(text);
  const parser = createReadStream(csvPath, { encoding }).pipe(parse({ delimiter, relax_column_count: true, skip_empty_lines: true, trim: true, bom: true }));
  const sink = out === '-' ? process.stdout : createWriteStream(out);
  const write = async (chunk: string): Promise<void> => {
    if (chunk && !sink.write(chunk)) await once(sink, 'drain');
  };
  const first: string[][] = [];
  let header: string[] | null = null;
  let line = 0;
  let rows = 0;
  let batch: string[][] = [];
  let id: string | undefined;
  const flush = async (): Promise<void> => {
    if (!header) return;
    const t = tableFromRecords({ header, records: batch, firstDataLine: line - batch.length + 1, delimiter }, { schema: model.inputs, ...(id ? { id } : {}) });
    await write(scoresCsv(t.ids, scoreModel(model, t.features, { reasons }), reasons, rows === 0));
    rows += batch.length;
    batch = [];
  };
  const start = async (): Promise<void> => {
    const h = headerRow(first);
    header = cleanHeader(first[h] as string[]);
    id = opts.id ?? (model.idColumn && header.includes(model.idColumn) ? model.idColumn : undefined);
    line = h + 1;
    for (const r of first.slice(h + 1)) {
      batch.push(r);
      line++;
    }
  };
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!header) {
        first.push(record);
        if (first.length === 3) await start();
        continue;
      }
      batch.push(record);
      line++;
      if (batch.length >= batchSize) await flush();
    }
    if (!header && first.length > 0) await start();
    if (rows === 0 && batch.length === 0) throw invalid('SCORING.EMPTY_FILE', 'the CSV file has a header but no data rows');
    if (batch.length > 0) await flush();
  } finally {
    if (sink !== process.stdout) {
      (sink as ReturnType<typeof createWriteStream>).end();
      await once(sink, 'close');
    }
  }
  return { rows };
};
