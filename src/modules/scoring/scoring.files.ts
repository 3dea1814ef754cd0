/** Reading CSVs and model files, writing models and score files (the I/O edge of the module). */
import { readFileSync, writeFileSync } from 'node:fs';
import { invalid } from '../../lib/errors.ts';
import type { ScoringModel, ScoreResult } from './scoring.model.domain.ts';
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

/** id, probability, score, reason_1…reason_k. */
export const scoresCsv = (ids: readonly string[], r: ScoreResult, reasonColumns = 3): string => {
  const header = ['id', 'probability', 'score', ...Array.from({ length: reasonColumns }, (_, k) => `reason_${k + 1}`)];
  const lines: string[] = [header.join(',')];
  for (let i = 0; i < ids.length; i++) {
    const cells = [csvCell(ids[i] as string), (r.probability[i] as number).toFixed(6), String(Math.round(r.score[i] as number))];
    for (let k = 0; k < reasonColumns; k++) {
      const j = k < r.reasonCount ? (r.reasons[i * r.reasonCount + k] as number) : -1;
      cells.push(j >= 0 ? csvCell(r.reasonNames[j] as string) : '');
    }
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
};
