import type { Database } from '../../src/db/db.ts';
import { newId } from '../../src/lib/ids.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { createTenantsService } from '../../src/modules/tenants/index.ts';

let n = 0;

/** A tenant with one creditor and an API key: the starting point of most integration tests. */
export const givenTenant = async (
  db: Database,
  opts: { slug?: string; creditorRef?: string; country?: string } = {},
): Promise<{ tenantId: string; creditorId: string; creditorRef: string; apiKey: string }> => {
  const tenants = createTenantsService({ db, newId, clock: systemClock });
  const slug = opts.slug ?? `agency-${process.pid}-${n++}`;
  const tenant = await tenants.createTenant({ slug, name: `Agency ${slug}`, country: opts.country ?? 'ES' });
  const creditorRef = opts.creditorRef ?? 'BANCO-1';
  const creditor = await tenants.upsertCreditor(tenant.id, { externalRef: creditorRef, name: 'Banco Ejemplo', country: opts.country ?? 'ES' });
  const key = await tenants.createApiKey(tenant.id, 'test');
  return { tenantId: tenant.id, creditorId: creditor.id, creditorRef, apiKey: key.secret };
};
