import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './db.ts';
import { loadMigrations, migrate, splitStatements } from './migrate.ts';

let db: Database | null = null;
afterEach(async () => {
  await db?.close();
  db = null;
});

const until = (name: string) => loadMigrations().filter((m) => m.name < name);

describe('migrations', () => {
  it('apply in order, once (a second run applies nothing), and the schema refuses a schedule whose arrays differ in length', async () => {
    db = await openDatabase({ dataDir: 'memory://' });
    const applied = await migrate(db);
    expect(applied).toEqual(loadMigrations().map((m) => m.name));
    expect(await migrate(db)).toEqual([]);
    // A schedule's three arrays are one list of instalments: lengths must agree.
    await db.exec(`
      INSERT INTO tenants (id, slug, name, country) VALUES ('ten_a', 'a', 'A', 'ES');
      INSERT INTO creditors (tenant_id, id, external_ref, name, country) VALUES ('ten_a', 'cre_a', 'C', 'C', 'ES');
      INSERT INTO debtors (tenant_id, id, creditor_id, external_ref, kind, given_name, family_name, language, country, timezone)
        VALUES ('ten_a', 'dbt_a', 'cre_a', 'D', 'person', 'Ana', 'García', 'es', 'ES', 'Europe/Madrid');`);
    await expect(
      db.query(
        `INSERT INTO accounts (tenant_id, id, creditor_id, debtor_id, external_ref, product, currency, original_principal_minor, schedule_due_dates, schedule_amounts_minor, schedule_paid_minor)
         VALUES ('ten_a', 'acc_1', 'cre_a', 'dbt_a', 'A1', 'loan', 'EUR', 100, '{2024-01-01}', '{100,200}', '{0}')`,
      ),
    ).rejects.toThrow(/accounts_schedule_shape/);
  });

  it('move a stored schedule from the instalments table onto its account row, in instalment order', async () => {
    db = await openDatabase({ dataDir: 'memory://' });
    await migrate(db, until('0005'));
    await db.exec(`
      INSERT INTO tenants (id, slug, name, country) VALUES ('ten_a', 'a', 'A', 'ES');
      INSERT INTO creditors (tenant_id, id, external_ref, name, country) VALUES ('ten_a', 'cre_a', 'C', 'C', 'ES');
      INSERT INTO debtors (tenant_id, id, creditor_id, external_ref, kind, given_name, family_name, language, country, timezone)
        VALUES ('ten_a', 'dbt_a', 'cre_a', 'D', 'person', 'Ana', 'García', 'es', 'ES', 'Europe/Madrid');
      INSERT INTO accounts (tenant_id, id, creditor_id, debtor_id, external_ref, product, currency, original_principal_minor, principal_minor)
        VALUES ('ten_a', 'acc_1', 'cre_a', 'dbt_a', 'A1', 'loan', 'EUR', 30000, 20000), ('ten_a', 'acc_2', 'cre_a', 'dbt_a', 'A2', 'loan', 'EUR', 100, 100);
      INSERT INTO instalments (tenant_id, account_id, seq, due_date, amount_minor, paid_minor)
        VALUES ('ten_a', 'acc_1', 3, '2024-03-10', 10000, 0), ('ten_a', 'acc_1', 1, '2024-01-10', 10000, 10000), ('ten_a', 'acc_1', 2, '2024-02-10', 10000, 2500);
    `);
    await migrate(db);
    const rows = (await db.query<{ id: string; d: string[]; a: number[]; p: number[]; oldest: string | null }>(
      `SELECT id, schedule_due_dates AS d, schedule_amounts_minor AS a, schedule_paid_minor AS p,
         oldest_unpaid_due(schedule_due_dates, schedule_amounts_minor, schedule_paid_minor, '2024-03-01') AS oldest
       FROM accounts ORDER BY id`,
    )).rows;
    expect(rows).toEqual([
      { id: 'acc_1', d: ['2024-01-10', '2024-02-10', '2024-03-10'], a: [10000, 10000, 10000], p: [10000, 2500, 0], oldest: '2024-02-10' },
      { id: 'acc_2', d: [], a: [], p: [], oldest: null },
    ]);
    expect((await db.query(`SELECT to_regclass('instalments') AS t`)).rows[0]).toEqual({ t: null });
  });

  it('turn each stored daily run into a run of one slice that keeps its checkpoint', async () => {
    db = await openDatabase({ dataDir: 'memory://' });
    await migrate(db, until('0007'));
    await db.exec(`
      INSERT INTO tenants (id, slug, name, country) VALUES ('ten_a', 'a', 'A', 'ES');
      INSERT INTO journey_runs (tenant_id, id, business_date, decided_at, status, cursor)
        VALUES ('ten_a', 'jrn_1', '2026-03-01', '2026-03-01T06:00:00Z', 'completed', 'acc_9'),
               ('ten_a', 'jrn_2', '2026-03-02', '2026-03-02T06:00:00Z', 'running', 'acc_5'),
               ('ten_a', 'jrn_3', '2026-03-03', '2026-03-03T06:00:00Z', 'failed', NULL);
    `);
    await migrate(db);
    const slices = (await db.query(`SELECT run_id, slice, status, cursor FROM journey_run_slices ORDER BY run_id`)).rows;
    expect(slices).toEqual([
      { run_id: 'jrn_1', slice: 0, status: 'done', cursor: 'acc_9' },
      { run_id: 'jrn_2', slice: 0, status: 'running', cursor: 'acc_5' },
      { run_id: 'jrn_3', slice: 0, status: 'pending', cursor: null },
    ]);
    expect((await db.query(`SELECT DISTINCT slices FROM journey_runs`)).rows).toEqual([{ slices: 1 }]);
  });

  it('split a script on semicolons at line ends, ignoring comment lines', () => {
    expect(splitStatements('-- a; comment\nCREATE TABLE a (x int);\nSELECT 1;  \n\nSELECT $$a;b$$;')).toEqual(['CREATE TABLE a (x int)', 'SELECT 1', 'SELECT $$a;b$$']);
  });
});
