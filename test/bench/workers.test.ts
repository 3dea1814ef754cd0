import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countSends, verify } from '../../bench/workers.bench.ts';
import { seedDueContacts } from '../../bench/dispatch.seed.ts';
import type { Database } from '../../src/db/db.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { newId } from '../../src/lib/ids.ts';
import { createSecretBox } from '../../src/lib/secretbox.ts';
import { createServices, type Services } from '../../src/services.ts';
import { createTestDatabase } from '../support/db.ts';

/**
 * B7's exactly-once check must see what the unique keys hide: a repeated send is dropped by the
 * sandbox store's ON CONFLICT, so only the bench's trigger can count it.
 */
let db: Database;
let services: Services;
let tenantId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  services = createServices({ db, clock: systemClock, newId, messaging: { secretBox: createSecretBox(randomBytes(32)) } });
  ({ tenantId } = await seedDueContacts(db, services, 12, new Date()));
  await countSends(db);
}, 60_000);

afterAll(async () => {
  await db?.close();
});

describe('B7 exactly-once check', () => {
  it('finds nothing wrong after one dispatcher drained the contacts', async () => {
    const stats = await services.messaging.drain({ batchSize: 5 });
    expect(stats.sent).toBe(12);
    const v = await verify(db);
    expect(v).toMatchObject({ duplicateContacts: 0, missingContacts: 0, sends: 12, sentTwice: 0, messagesTwice: 0, eventsTwice: 0, neverSent: 0, withoutMessage: 0, unexpectedSends: 0, contactsNotDelivered: 0, messagesUnrecorded: 0 });
  });

  it('counts a second send of a key although the store keeps one row', async () => {
    // Contact 3 (key b3:3) was sent to +34610000003; the same send again, as a second dispatcher would.
    const [first] = await services.messaging.sandbox.messages(tenantId, '+34610000003');
    expect(first).toBeDefined();
    await services.messaging.sandboxStore.save({
      id: first!.id, tenantId, direction: 'outbound', channel: 'sms', idempotencyKey: 'b3:3', to: first!.to, from: first!.from, text: first!.text, status: 'delivered', createdAt: new Date(),
    });
    expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sandbox_messages`)).rows[0]!.n).toBe(12);
    const v = await verify(db);
    expect(v).toMatchObject({ sends: 13, sentTwice: 1, duplicateContacts: 1, missingContacts: 0 });
  });

  it('counts a contact never sent as missing and unrecorded', async () => {
    await db.query(`INSERT INTO scheduled_contacts (tenant_id, id, account_id, debtor_id, kind, channel, purpose, language, contact_point_id, destination, send_at, idempotency_key)
      SELECT tenant_id, 'sct_b7_extra', account_id, debtor_id, kind, channel, purpose, language, contact_point_id, destination, send_at, 'b7:extra' FROM scheduled_contacts WHERE id = 'sct_b3_0'`);
    const v = await verify(db);
    expect(v).toMatchObject({ neverSent: 1, withoutMessage: 1, missingContacts: 1, contactsNotDelivered: 1, duplicateContacts: 1 });
  });
});
