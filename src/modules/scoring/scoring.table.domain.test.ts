import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors.ts';
import { assertTwoClasses, readFeatureTable } from './scoring.table.domain.ts';

const codeOf = (fn: () => unknown): { code: string; message: string; details: unknown } => {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return { code: e.code, message: e.message, details: e.details };
    throw e;
  }
  throw new Error('expected an AppError');
};

describe('reading a CSV into a feature table', () => {
  it('detects numeric and categorical columns and missing values', () => {
    const t = readFeatureTable('id,income,grade,flag,y\na1,1200.5,A,x,1\na2,NA,B,,0\na3,?,A,y,0\na4,800,,x,1\n', { target: 'y' });
    expect(t.idColumn).toBe('id');
    expect(t.ids).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect([...(t.target as Uint8Array)]).toEqual([1, 0, 0, 1]);
    const [income, grade, flag] = t.features.columns;
    expect(income).toMatchObject({ kind: 'numeric', name: 'income' });
    expect([...(income as { values: Float64Array }).values]).toEqual([1200.5, NaN, NaN, 800]);
    expect(grade).toMatchObject({ kind: 'categorical', levels: ['A', 'B'] });
    expect([...(grade as { codes: Int32Array }).codes]).toEqual([0, 1, 0, -1]);
    expect([...(flag as { codes: Int32Array }).codes]).toEqual([0, -1, 1, 0]);
  });

  it('reads the UCI spreadsheet conversion with its X1…X23,Y line above the names', () => {
    const text = ',X1,X2,Y\nID,LIMIT_BAL,PAY_0,default payment next month\n1,20000,2,1\n2,120000,-1,0\n';
    const t = readFeatureTable(text, { target: 'default payment next month' });
    expect(t.idColumn).toBe('ID');
    expect(t.features.columns.map((c) => c.name)).toEqual(['LIMIT_BAL', 'PAY_0']);
    expect([...t.lines]).toEqual([3, 4]);
    // Kaggle's copy spells the target with dots.
    const kaggle = readFeatureTable('ID,LIMIT_BAL,default.payment.next.month\n1,20000,1\n2,50000,0\n', { target: 'default payment next month' });
    expect([...(kaggle.target as Uint8Array)]).toEqual([1, 0]);
  });

  it('reads semicolons with decimal commas, and yes/no targets', () => {
    const t = readFeatureTable('rate;paid\n1,5;yes\n2,25;no\n', { target: 'paid' });
    expect([...(t.features.columns[0] as { values: Float64Array }).values]).toEqual([1.5, 2.25]);
    expect([...(t.target as Uint8Array)]).toEqual([1, 0]);
    expect(t.ids).toEqual(['2', '3']); // line numbers when there is no id column
    // In a comma-delimited file a quoted "1,234" is ambiguous: not a number.
    const c = readFeatureTable('amount,paid\n"1,234",1\n5,0\n', { target: 'paid' });
    expect(c.features.columns[0]).toMatchObject({ kind: 'categorical' });
  });

  it('names the column and the row in its errors', () => {
    expect(codeOf(() => readFeatureTable('a,b\n1,0\n', { target: 'default' }))).toMatchObject({ code: 'SCORING.UNKNOWN_COLUMN', message: expect.stringContaining('"default"') });
    expect(codeOf(() => readFeatureTable('a,b\n1,0\n2,1\n3,2\n', { target: 'b' }))).toMatchObject({ code: 'SCORING.TARGET_NOT_BINARY', message: expect.stringContaining('row 4 is "2"') });
    expect(codeOf(() => readFeatureTable('a,b\n1,0\n2,\n', { target: 'b' }))).toMatchObject({ code: 'SCORING.TARGET_NOT_BINARY', message: expect.stringContaining('row 3 is missing') });
    expect(codeOf(() => readFeatureTable('', { target: 'b' })).code).toBe('SCORING.EMPTY_FILE');
    expect(codeOf(() => readFeatureTable('a,b\n', { target: 'b' })).code).toBe('SCORING.EMPTY_FILE');
    expect(codeOf(() => readFeatureTable('a,b\n1,0\n1,0,5\n', { target: 'b' }))).toMatchObject({ code: 'SCORING.RAGGED_ROW', message: expect.stringContaining('row 3') });
    expect(codeOf(() => assertTwoClasses(Uint8Array.from([0, 0]), 'y'))).toMatchObject({ code: 'SCORING.TARGET_ONE_CLASS', message: expect.stringContaining('"y" has only negative (0) values') });
    expect(codeOf(() => readFeatureTable('a,b\n1,0\n', { schema: [{ name: 'c', kind: 'numeric' }] })).code).toBe('SCORING.COLUMN_MISSING');
  });

  it('reads columns as a model schema says, whatever they look like', () => {
    const t = readFeatureTable('zip,amount\n28001,5\n08001,x\n', { schema: [{ name: 'zip', kind: 'categorical' }, { name: 'amount', kind: 'numeric' }] });
    expect(t.features.columns[0]).toMatchObject({ kind: 'categorical', levels: ['28001', '08001'] });
    expect([...(t.features.columns[1] as { values: Float64Array }).values]).toEqual([5, NaN]);
  });
});
