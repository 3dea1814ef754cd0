import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTwilio, type FakeTwilio } from '../../../test/fakes/twilio.ts';
import { startTestApp } from '../../../test/support/app.ts';
import { givenMessagingTenant } from '../../../test/support/messaging.ts';
import { newId } from '../../lib/ids.ts';
import { createSecretBox } from '../../lib/secretbox.ts';
import { createMessagingService } from './messaging.service.ts';

/**
 * Fencing: a dispatcher whose lease expires while it is still working on a batch must neither
 * send what another dispatcher has claimed since nor record over that claim's result. Two
 * dispatchers (A and B) share the database and the test clock; A's first Twilio call is held
 * while the clock passes A's lease and B runs a whole pass.
 */
let t: Awaited<ReturnType<typeof startTestApp>>;
let fake: FakeTwilio;
const ACCOUNT_SID = `AC${'3'.repeat(32)}`;
const AUTH_TOKEN = 'twilio-auth-token-for-fencing-1';
const START = '2026-03-16T10:00:00Z';

beforeAll(async () => {
  t = await startTestApp(START);
  fake = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, now: () => t.clock.now(), autoSend: true });
});
afterAll(async () => {
  await fake?.close();
  await t?.close();
});

const messagesOf = async (tenantId: string, contactId: string) =>
  (await t.db.query<{ status: string; external_id: string | null; attempts: number }>(
    `SELECT status, external_id, attempts FROM messages WHERE tenant_id = $1 AND scheduled_contact_id = $2`, [tenantId, contactId])).rows;

describe('fencing on the claim', () => {
  it('a dispatcher whose lease expired mid-pass sends nothing another dispatcher claimed since, and records nothing over it', async () => {
    const secretBox = createSecretBox(randomBytes(32));
    let hold: (() => Promise<void>) | null = null;
    const heldFetch = async (url: string, init: RequestInit): Promise<Response> => {
      if (hold && init.method === 'POST' && url.includes('/Messages.json')) {
        const h = hold;
        hold = null;
        await h();
      }
      return fetch(url, init);
    };
    const base = { db: t.db, clock: t.clock, newId, policy: t.services.policy, secretBox, publicUrl: 'https://tacto.example.com' };
    const a = createMessagingService({ ...base, workerId: 'dispatcher-a', fetch: heldFetch });
    const b = createMessagingService({ ...base, workerId: 'dispatcher-b' });

    // Two tenants: A takes both contacts in one claim and works through them tenant by tenant.
    const setup = async (phone: string, sendAt: string) => {
      const m = await givenMessagingTenant(t.db);
      await a.registry.put(m.tenantId, {
        config: { provider: 'twilio', accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, smsFrom: '+15005550006', statusCallbackUrl: `https://tacto.example.com/webhooks/twilio/${m.tenantId}/status`, baseUrl: fake.url },
        settings: { channels: ['sms'], reconcileAfterSeconds: 30 },
      });
      const d = await m.debtor({ phone });
      const cp = d.contactPoints[0]!;
      const id = await m.schedule({ ...d, contactPointId: cp.id, destination: cp.value, channel: 'sms', sendAt });
      return { m, id };
    };
    const first = await setup('+34600123001', '2026-03-16T09:00:00Z');
    const second = await setup('+34600123002', '2026-03-16T09:01:00Z');
    const sentTo = (to: string) => fake.messages.filter((x) => x.to === to);

    let bStats: Awaited<ReturnType<typeof b.dispatchOnce>> | null = null;
    // A's first provider call stalls past its 120 s lease; meanwhile B claims both contacts.
    hold = async () => {
      t.clock.advance(121_000);
      bStats = await b.dispatchOnce({ leaseSeconds: 120 });
    };
    try {
      const aStats = await a.dispatchOnce({ leaseSeconds: 120 });
      // B found the first contact mid-send ('sending': it waits to reconcile) and sent the second.
      expect(bStats).toMatchObject({ claimed: 2, sent: 1, deferred: 1 });
      // A never sent the second (B holds it); A's first send went out, its record was fenced.
      expect(sentTo('+34600123002')).toHaveLength(1);
      expect(sentTo('+34600123001')).toHaveLength(1);
      expect(aStats).toMatchObject({ claimed: 2, fenced: 2 });

      // The second contact is B's send, recorded once, untouched by A.
      const [bMessage] = await messagesOf(second.m.tenantId, second.id);
      expect(bMessage).toMatchObject({ status: 'sent', external_id: sentTo('+34600123002')[0]!.sid, attempts: 1 });
      expect(await second.m.contact(second.id)).toMatchObject({ status: 'sent', claimed_by: null });
      // The first is still as B left it: waiting to reconcile, its message 'sending'.
      expect(await first.m.contact(first.id)).toMatchObject({ status: 'claimed', claimed_by: null });
      expect(await messagesOf(first.m.tenantId, first.id)).toMatchObject([{ status: 'sending', external_id: null }]);
      const events = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE tenant_id = $1 AND type = 'message.sent'`, [first.m.tenantId])).rows[0]!;
      expect(events.n).toBe(0);

      // After the reconciliation wait B looks the message up and records A's send: still one SMS.
      t.clock.advance(200_000);
      expect(await b.drain()).toMatchObject({ reconciled: 1, sent: 0 });
      expect(sentTo('+34600123001')).toHaveLength(1);
      expect(await messagesOf(first.m.tenantId, first.id)).toMatchObject([{ status: 'sent', external_id: sentTo('+34600123001')[0]!.sid }]);
      expect((await first.m.contact(first.id)).status).toBe('sent');
    } finally {
      t.clock.set(START);
      await a.registry.close();
      await b.registry.close();
    }
  });
});
