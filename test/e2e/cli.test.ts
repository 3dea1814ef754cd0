import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The `tacto` CLI as a user runs it: a real process on its own PGlite data directory (the CLI's
 * contract is its output and exit codes, so this runs the binary rather than the functions).
 */
const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'tacto-cli-'));
const env = { ...process.env, TACTO_DATA_DIR: dataDir, DATABASE_URL: '', TACTO_TENANT: 'acme', LOG_LEVEL: 'silent' };
const fixture = (name: string) => join(process.cwd(), 'test', 'fixtures', name);

const tacto = async (args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> => {
  const child = run(process.execPath, ['bin/tacto.js', ...args], { env, cwd: process.cwd(), maxBuffer: 1 << 24 });
  if (input !== undefined) {
    child.child.stdin!.end(input);
  } else {
    child.child.stdin!.end();
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
};

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('tacto CLI', () => {
  it('documents every command in --help', async () => {
    const r = await tacto(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['serve', 'worker', 'demo', 'import', 'export', 'webhooks', 'policy', 'dispatch', 'channels', 'bounces', 'messages', 'run', 'explain', 'strategies', 'model', 'dpd', 'tenant', 'apikey', 'creditor', 'db']) {
      expect(r.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
    }
  });

  it('creates a tenant, imports a file with exit code 0, and a malformed one with 3 and a precise report', async () => {
    const created = await tacto(['tenant', 'create', 'acme', '--name', 'Acme Cobros']);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout).apiKey).toMatch(/^tk_/);
    expect((await tacto(['creditor', 'add', 'BANCO-1', '--name', 'Banco Uno', '--allocation', 'interest,fees,principal'])).code).toBe(0);

    const good = await tacto(['import', fixture('imports/accounts-en.csv'), '--json']);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ status: 'completed', rowsFailed: 0 });

    const report = join(dataDir, 'errors.csv');
    const bad = await tacto(['import', fixture('imports/malformed.csv'), '--report', report]);
    expect(bad.code).toBe(3);
    expect(bad.stdout).toMatch(/completed_with_errors/);
    expect(bad.stdout).toMatch(/row \d+, [^:]+: IMPORT\.[A-Z_]+ — /);
    const csv = readFileSync(report, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('row,column,value,code,reason');
    expect(csv.length).toBeGreaterThan(3);

    const all = await tacto(['import', fixture('imports/malformed.csv'), '--all-or-nothing', '--json']);
    expect(all.code).toBe(4);
    expect(JSON.parse(all.stdout)).toMatchObject({ status: 'rejected' });

    const missing = await tacto(['import', '/nonexistent.csv']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read/);
    // Seven CLI processes, each opening the embedded database: minutes on a loaded 2-core machine.
  }, 180_000);

  it('exports what it imported', async () => {
    const r = await tacto(['export', '--entity', 'accounts', '--format', 'ndjson']);
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { account_ref: string });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((x) => typeof x.account_ref === 'string')).toBe(true);
  });

  it('evaluates a policy document from standard input and names invalid fields with exit code 2', async () => {
    const doc = readFileSync(fixture('policy/reg-f-example.json'), 'utf8');
    const r = await tacto(['policy', 'evaluate'], doc);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ allowed: false, nextAllowedAt: '2020-04-10T12:00:00Z' });
    const bad = await tacto(['policy', 'evaluate'], JSON.stringify({ ...JSON.parse(doc), jurisdiction: 'XX' }));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/jurisdiction:/);
  });

  it('ingests a bounce e-mail, and refuses a file that is not one with exit code 3 naming what is missing', async () => {
    const r = await tacto(['bounces', 'ingest', fixture('dsn/exim-failed.eml')]);
    expect(r.code, r.stderr).toBe(0);
    // No message of this tenant has that Message-ID: read, nothing applied.
    expect(JSON.parse(r.stdout)).toEqual({ messageId: '<9b2e41c07d5a4f3e8a1b6c2d3e4f5a6b@financierasol.es>', received: 1, applied: 0 });
    const bad = await tacto(['bounces', 'ingest', '-'], 'From: ana@example.com\r\nSubject: Re: tu cuota\r\n\r\nYa pagué.\r\n');
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/is not a bounce: Content-Type: expected multipart\/report; report-type=delivery-status/);
  });

  it('says what to do when the tenant does not exist', async () => {
    const r = await tacto(['creditor', 'list', '--tenant', 'nobody']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no tenant "nobody"/);
  });
});
