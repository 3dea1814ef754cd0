import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { creditCsv, generateCredit, UCI_TARGET } from './scoring.synthetic.ts';

const dir = mkdtempSync(join(tmpdir(), 'tacto-scoring-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const main = join(import.meta.dirname, '..', '..', 'main.ts');
const tacto = (...args: string[]) => {
  const r = spawnSync(process.execPath, [main, 'model', ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, LOG_LEVEL: 'silent' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('tacto model (end to end)', () => {
  const trainCsv = join(dir, 'train.csv');
  const newCsv = join(dir, 'new.csv');
  writeFileSync(trainCsv, creditCsv(generateCredit(3000, 21)));
  writeFileSync(newCsv, creditCsv(generateCredit(200, 22), { target: false }));

  it('trains both kinds, scores with reasons, evaluates with folds', () => {
    for (const kind of ['scorecard', 'gbm']) {
      const model = join(dir, `${kind}.json`);
      const t = tacto('train', '--csv', trainCsv, '--target', UCI_TARGET, '--kind', kind, '--out', model, ...(kind === 'gbm' ? ['--monotone', 'PAY_0:+1'] : []));
      expect(t.err).toBe('');
      expect(t.code).toBe(0);
      expect(JSON.parse(t.out)).toMatchObject({ kind, rows: 3000 });
      const saved = JSON.parse(readFileSync(model, 'utf8'));
      expect(saved).toMatchObject({ format: 'tacto.scoring.model', version: 1, kind, idColumn: 'ID', target: UCI_TARGET });
      const out = join(dir, `${kind}-scores.csv`);
      const s = tacto('score', '--model', model, '--csv', newCsv, '--out', out);
      expect(s.code).toBe(0);
      const lines = readFileSync(out, 'utf8').trim().split('\n');
      expect(lines[0]).toBe('id,probability,score,reason_1,reason_2,reason_3');
      expect(lines).toHaveLength(201);
      const [id, p, score, reason] = lines[1]!.split(',');
      expect(id).toBe('1');
      expect(Number(p)).toBeGreaterThan(0);
      expect(Number(p)).toBeLessThan(1);
      expect(Number.isInteger(Number(score))).toBe(true);
      expect(saved.inputs.map((f: { name: string }) => f.name)).toContain(reason);
    }
    const e = tacto('evaluate', '--csv', trainCsv, '--target', UCI_TARGET, '--folds', '3');
    expect(e.code).toBe(0);
    const report = JSON.parse(e.out);
    expect(report.perFold).toHaveLength(3);
    expect(report.mean.auc).toBeGreaterThan(0.7);
    expect(Object.keys(report.mean)).toEqual(['rows', 'positives', 'auc', 'gini', 'ks', 'brier', 'logLoss', 'ece']);
  });

  it('names the column or row when the input is wrong', () => {
    const unknown = tacto('train', '--csv', trainCsv, '--target', 'defaulted', '--out', join(dir, 'x.json'));
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/SCORING\.UNKNOWN_COLUMN: the target column "defaulted" is not in the file/);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'ID,x,y\n1,5,0\n2,6,1\n3,7,maybe\n');
    const notBinary = tacto('evaluate', '--csv', bad, '--target', 'y');
    expect(notBinary.code).toBe(1);
    expect(notBinary.err).toMatch(/SCORING\.TARGET_NOT_BINARY.*row 4 is "maybe"/);
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, '');
    expect(tacto('train', '--csv', empty, '--target', 'y', '--out', join(dir, 'x.json')).err).toMatch(/SCORING\.EMPTY_FILE/);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"format":"tacto.scoring.model","version":1,"kind":"gbm"}');
    expect(tacto('score', '--model', broken, '--csv', newCsv, '--out', join(dir, 'o.csv')).err).toMatch(/SCORING\.MODEL_INVALID/);
  });
});
