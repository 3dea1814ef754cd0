import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scoreCsvFile, scoresCsv } from './scoring.files.ts';
import { scoreModel, trainModel } from './scoring.model.domain.ts';
import { creditCsv, creditTable, generateCredit, UCI_FEATURES } from './scoring.synthetic.ts';
import { readFeatureTable } from './scoring.table.domain.ts';

const dir = mkdtempSync(join(tmpdir(), 'tacto-scoring-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('streamed scoring of a CSV file', () => {
  const train = generateCredit(3000, 31);
  const model = trainModel(creditTable(train), train.target, { kind: 'gbm', target: 'y', idColumn: 'ID', trainedAt: '2026-11-23T00:00:00Z', gbm: { rounds: 40 } });
  const rows = creditCsv(generateCredit(230, 32), { target: false });

  it('gives, batch by batch, exactly what scoring the whole table gives; the UCI two-line header too', async () => {
    const whole = readFeatureTable(rows, { schema: model.inputs, id: 'ID' });
    const expected = scoresCsv(whole.ids, scoreModel(model, whole.features));
    const uciHeader = `,${UCI_FEATURES.map((_, k) => `X${k + 1}`).join(',')}\n`;
    for (const [name, text] of [['plain.csv', rows], ['uci.csv', uciHeader + rows]] as const) {
      writeFileSync(join(dir, name), text);
      const out = join(dir, `${name}.scores.csv`);
      const r = await scoreCsvFile(model, join(dir, name), out, { batch: 70 });
      expect(r.rows).toBe(230);
      expect(readFileSync(out, 'utf8')).toBe(expected);
    }
  });

  it('names the line of a ragged row in a later batch', async () => {
    const lines = rows.trimEnd().split('\n');
    lines[150] = `${lines[150]},extra`;
    writeFileSync(join(dir, 'ragged.csv'), `${lines.join('\n')}\n`);
    await expect(scoreCsvFile(model, join(dir, 'ragged.csv'), join(dir, 'r.csv'), { batch: 70 })).rejects.toThrow(/row 151 has 25 values/);
  });
});
