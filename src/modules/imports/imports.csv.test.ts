import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCsvTokenizer, detectDelimiter, MAX_RECORD_CHARS, type CsvEvent } from './imports.csv.ts';

const tokenize = (chunks: string[], delimiter = ','): CsvEvent[] => {
  const t = createCsvTokenizer(delimiter);
  return [...chunks.flatMap((c) => t.push(c)), ...t.end()];
};
const records = (evs: CsvEvent[]) => evs.map((e) => (e.type === 'record' ? e.fields : { malformed: e.row }));

describe('createCsvTokenizer', () => {
  it.each([
    ['plain LF', 'a,b\nc,d\n', [['a', 'b'], ['c', 'd']]],
    ['CRLF', 'a,b\r\nc,d\r\n', [['a', 'b'], ['c', 'd']]],
    ['quoted delimiter and escaped quote', '"a,1","say ""hi"""\n', [['a,1', 'say "hi"']]],
    ['value spanning lines', '"line 1\nline 2",x\ny,z\n', [['line 1\nline 2', 'x'], ['y', 'z']]],
    ['empty fields', ',,\n', [['', '', '']]],
    ['empty line is a row', 'a\n\nb\n', [['a'], [''], ['b']]],
    ['quote inside an unquoted value', 'ab"c,d\n', [['ab"c', 'd']]],
    ['text after a closing quote', '"a" b,c\n', [['a b', 'c']]],
  ])('%s', (_name, text, expected) => {
    expect(records(tokenize([text]))).toEqual(expected);
  });

  it('numbers rows as a spreadsheet does: one per record, empty lines included', () => {
    const evs = tokenize(['h\n"x\ny"\n\nz\n']);
    expect(evs.map((e) => e.row)).toEqual([1, 2, 3, 4]);
  });

  it('flags a last line without a line end, and an unclosed quote at the end of the file', () => {
    expect(tokenize(['a,b\nc'])).toEqual([
      { type: 'record', row: 1, fields: ['a', 'b'], unterminated: false },
      { type: 'record', row: 2, fields: ['c'], unterminated: true },
    ]);
    expect(tokenize(['a,b\n"c,d\n'])[1]).toMatchObject({ type: 'malformed', row: 2, reason: 'a quoted value opened in this row is never closed (is the file truncated?)' });
  });

  it('gives up on a quote left open for more than the limit and carries on after that line', () => {
    const long = 'x'.repeat(1000);
    const chunks = ['a,"open\n'];
    for (let i = 0; i < (MAX_RECORD_CHARS / 1000) + 5; i++) chunks.push(`${long}\n`);
    const evs = tokenize(chunks);
    expect(evs[0]).toMatchObject({ type: 'malformed', row: 1 });
    expect(evs.slice(1).every((e) => e.type === 'record')).toBe(true);
  });

  it('reads any table written by csv-stringify back exactly, however the text is cut into chunks', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'ñ', ',', ';', '"', '\n', '\r\n', ' ', 'é', '1') });
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom(',', ';'),
        fc.array(fc.nat(), { maxLength: 6 }),
        (rows, delimiter, cuts) => {
          // A row of one empty value is written as an empty line; csv-stringify quotes it only in
          // some cases, so keep rows distinguishable from blank lines.
          const table = rows.map((r) => r.map((c) => `v${c}`));
          const text = stringify(table, { delimiter });
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const chunks: string[] = [];
          let prev = 0;
          for (const p of points) {
            chunks.push(text.slice(prev, p));
            prev = p;
          }
          chunks.push(text.slice(prev));
          expect(records(tokenize(chunks, delimiter))).toEqual(table);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('detectDelimiter', () => {
  it.each([
    ['a;b;c', ';'],
    ['a,b,c', ','],
    ['a\tb\tc', '\t'],
    ['a|b|c', '|'],
    ['"x;y",b,c', ','],
    ['single', ','],
  ])('%j -> %j', (line, d) => {
    expect(detectDelimiter(line)).toBe(d);
  });
});
