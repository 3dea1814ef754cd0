import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/db.ts';
import { fixedClock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { createTestDatabase } from '../../../test/support/db.ts';
import { givenTenant } from '../../../test/support/fixtures.ts';
import { createPortfolioService } from '../portfolio/index.ts';
import { createLedgerService } from '../ledger/index.ts';
import { runImport } from '../imports/index.ts';
import { EVENT_TYPES, listEvents } from './index.ts';

/**
 * The event catalogue in docs/webhooks.md is a contract with integrators: each documented
 * example must have exactly the fields the services really emit.
 */
const doc = readFileSync(new URL('../../../docs/webhooks.md', import.meta.url), 'utf8');
const documentedFields = (type: string): string[] | null => {
  const section = doc.split(`### \`${type}\`\n`)[1]?.split('\n### ')[0];
  const json = section ? /```json\n([\s\S]*?)```/.exec(section)?.[1] : undefined;
  return json ? Object.keys(JSON.parse(json.replaceAll('…', '')) as object).sort() : null;
};

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.close());

describe('event payloads match docs/webhooks.md', () => {
  it('for every event the portfolio and ledger emit', async () => {
    const { tenantId } = await givenTenant(db);
    const clock = fixedClock('2026-03-15T10:00:00Z');
    const portfolio = createPortfolioService({ db, clock, newId });
    const ledger = createLedgerService({ db, clock, newId });
    const debtor = await portfolio.createDebtor(tenantId, {
      kind: 'person', creditorRef: 'BANCO-1', externalRef: 'D-1', country: 'ES', givenName: 'Ana', contactPoints: [{ kind: 'phone', value: '+34600111222' }],
    });
    await portfolio.updateDebtor(tenantId, debtor.id, { language: 'en' });
    await portfolio.optOut(tenantId, debtor.id, debtor.contactPoints[0]!.id, 'debtor request');
    const account = await portfolio.createAccount(tenantId, {
      creditorRef: 'BANCO-1', debtorId: debtor.id, externalRef: 'A-1', product: 'loan', currency: 'EUR', originalPrincipalMinor: 10000, principalMinor: 10000, interestMinor: 0, feesMinor: 0,
    });
    const pay = await ledger.record(tenantId, account.id, { kind: 'payment', amountMinor: 10000, externalId: 'p-1' });
    await ledger.record(tenantId, account.id, { kind: 'reversal', reversesId: pay.transaction.id, externalId: 'p-1-r' });
    await ledger.record(tenantId, account.id, { kind: 'charge', component: 'fees', amountMinor: 1500 });
    await portfolio.updateAccount(tenantId, account.id, { status: 'recalled' });
    const file = 'creditor_ref,debtor_ref,account_ref,currency,principal,given_name,country\nBANCO-1,D-9,A-9,EUR,10.00,Eva,ES\n';
    await runImport({ db, clock, newId }, { tenantId, source: Readable.from([file]), filename: 'cartera.csv' });

    const events = await listEvents(db, tenantId, { limit: 1000 });
    const seen = new Set<string>();
    for (const e of events) {
      seen.add(e.type);
      expect({ type: e.type, fields: Object.keys(e.payload).sort() }).toEqual({ type: e.type, fields: documentedFields(e.type) });
    }
    // message.* come from the dispatcher and the provider webhooks: their payloads are checked
    // against this same document in src/modules/messaging/messaging.dispatch.test.ts.
    expect([...seen].sort()).toEqual(EVENT_TYPES.filter((x) => !x.startsWith('message.')).sort());
  });
});
