import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/support/db.ts';
import type { Database } from '../../db/db.ts';
import { createTenantsService } from '../tenants/index.ts';
import { newId } from '../../lib/ids.ts';
import { scoreModel, trainModel } from './scoring.model.domain.ts';
import { createScoringService } from './scoring.service.ts';
import { creditTable, generateCredit } from './scoring.synthetic.ts';
import { AppError } from '../../lib/errors.ts';

const clock = { now: () => new Date('2026-11-23T10:00:00Z') };
let db: Database;
let tenantA: string;
let tenantB: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const tenants = createTenantsService({ db, clock, newId });
  tenantA = (await tenants.createTenant({ slug: 'scoring-a', name: 'A' })).id;
  tenantB = (await tenants.createTenant({ slug: 'scoring-b', name: 'B' })).id;
});
afterAll(() => db?.close());

describe('models stored per tenant', () => {
  const d = generateCredit(1500, 3);
  const model = trainModel(creditTable(d), d.target, { kind: 'scorecard', target: 'y', trainedAt: '2026-11-23T09:00:00.000Z' });

  it('versions each save of a name, loads latest or a given version, validated, and keeps tenants apart', async () => {
    const scoring = createScoringService({ db, clock });
    expect(await scoring.saveModel(tenantA, 'propensity', model)).toEqual({ name: 'propensity', version: 1 });
    expect(await scoring.saveModel(tenantA, 'propensity', model)).toEqual({ name: 'propensity', version: 2 });
    expect(await scoring.saveModel(tenantB, 'propensity', model)).toEqual({ name: 'propensity', version: 1 });
    const latest = await scoring.getModel(tenantA, 'propensity');
    expect(latest.version).toBe(2);
    expect([...scoreModel(latest.model, creditTable(d)).score]).toEqual([...scoreModel(model, creditTable(d)).score]);
    expect((await scoring.getModel(tenantA, 'propensity', 1)).version).toBe(1);
    expect((await scoring.listModels(tenantA)).map((r) => [r.name, r.version, r.kind, r.rows])).toEqual([['propensity', 2, 'scorecard', 1500], ['propensity', 1, 'scorecard', 1500]]);
    await expect(scoring.getModel(tenantB, 'propensity', 2)).rejects.toMatchObject({ code: 'MODEL.NOT_FOUND' });
    await expect(scoring.saveModel(tenantA, 'Bad Name', model)).rejects.toBeInstanceOf(AppError);
    // A stored document that no longer validates is refused on load, not scored.
    await db.query(`UPDATE scoring_models SET model = jsonb_set(model, '{version}', '99') WHERE tenant_id = $1 AND version = 1`, [tenantA]);
    await expect(scoring.getModel(tenantA, 'propensity', 1)).rejects.toMatchObject({ code: 'SCORING.MODEL_INVALID' });
  });
});
