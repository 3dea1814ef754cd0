import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/db.ts';
import { buildApp } from '../../src/http/app.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { newId } from '../../src/lib/ids.ts';
import { createServices } from '../../src/services.ts';
import { startFakeMeta, type FakeMeta } from '../fakes/meta.ts';
import { startFakeSmtp, type FakeSmtp } from '../fakes/smtp.ts';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.ts';
import { startReceiver } from '../fakes/http.ts';
import { createTestDatabase } from '../support/db.ts';
import { givenMessagingTenant } from '../support/messaging.ts';

/**
 * End to end over real protocols: the API listens on a real port (providers call it back), the
 * dispatcher sends through the tenant's adapter to a local fake speaking the provider's
 * documented API, and the fake's signed callbacks come back through the webhook routes.
 */
const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const clock = fixedClock('2026-03-16T10:00:00Z');
let db: Database;
let app: FastifyInstance;
let base: string;
let services: ReturnType<typeof createServices>;
let smtp: FakeSmtp;
let fakeTwilio: FakeTwilio;
let meta: FakeMeta;
const ACCOUNT_SID = `AC${'2'.repeat(32)}`;
const AUTH_TOKEN = 'twilio-auth-token-for-tests-01';
const APP_SECRET = 'meta-app-secret-for-tests-0001';

beforeAll(async () => {
  db = await createTestDatabase();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  services = createServices({ db, clock, newId, messaging: { publicUrl: base } });
  app = await buildApp({ db, services, webDir: '/nonexistent' });
  await app.listen({ port, host: '127.0.0.1' });
  smtp = await startFakeSmtp();
  fakeTwilio = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, now: () => clock.now() });
  meta = await startFakeMeta({ accessToken: 'meta-access-token-0001', appSecret: APP_SECRET, phoneNumberId: '1234567890', now: () => clock.now() });
});
afterAll(async () => {
  await app?.close();
  await services?.messaging.registry.close();
  await smtp?.close();
  await fakeTwilio?.close();
  await meta?.close();
  await db?.close();
});

const history = async (tenantId: string, contactId: string) =>
  (await db.query<{ status: string }>(
    `SELECT h.status FROM message_status_history h JOIN messages m ON m.tenant_id = h.tenant_id AND m.id = h.message_id
     WHERE m.tenant_id = $1 AND m.scheduled_contact_id = $2 ORDER BY h.recorded_at, h.status`, [tenantId, contactId])).rows.map((r) => r.status);

describe('e-mail over SMTP', () => {
  it('delivers to the SMTP server with the opt-out link and headers; one-click unsubscribe and signed bounces work', async () => {
    // RFC 8058 wants an https one-click URL: this deployment is public at https://tacto.example.
    const https = 'https://tacto.example';
    const svc = createServices({ db, clock, newId, messaging: { publicUrl: https } });
    const web = await buildApp({ db, services: svc, webDir: '/nonexistent' });
    try {
      const m = await givenMessagingTenant(db);
      await svc.messaging.registry.put(m.tenantId, {
        config: { provider: 'smtp', host: '127.0.0.1', port: smtp.port, security: 'none', from: { name: 'Banco Ejemplo', address: 'avisos@bancoejemplo.es' } },
        settings: { channels: ['email'], bounceSecret: 'bounce-secret-0123456789' },
      });
      const d = await m.debtor({ email: 'lucia@example.com' });
      const cp = d.contactPoints[0]!;
      const id = await m.schedule({ ...d, contactPointId: cp.id, destination: cp.value, channel: 'email', sendAt: '2026-03-16T09:00:00Z' });
      expect((await svc.messaging.drain()).sent, JSON.stringify(await m.contact(id))).toBe(1);
      expect((await m.contact(id)).status).toBe('sent');
      expect(smtp.mails).toHaveLength(1);
      const mail = smtp.mails[0]!;
      expect(mail.envelope.to).toEqual(['lucia@example.com']);
      expect(mail.parsed.from?.text).toContain('avisos@bancoejemplo.es');
      expect(mail.parsed.subject).toBeTruthy();
      expect(mail.parsed.messageId).toMatch(/^<[0-9a-f]{32}@bancoejemplo\.es>$/);
      const listUnsubscribe = String(mail.raw.replace(/\r?\n[ \t]+/g, ' ').match(/^List-Unsubscribe: (.+)$/im)?.[1]);
      const oneClick = /<(https:\/\/tacto\.example\/u\/[A-Za-z0-9_-]+)>/.exec(listUnsubscribe)?.[1];
      expect(oneClick, listUnsubscribe).toBeDefined();
      expect(listUnsubscribe).toMatch(/<mailto:optout\+[A-Za-z0-9_-]+@bancoejemplo\.es\?subject=unsubscribe>/);
      expect(mail.raw.replace(/\r?\n[ \t]+/g, ' ')).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/im);
      expect(mail.parsed.text).toContain(oneClick);
      expect(mail.parsed.html).toContain(oneClick);
      expect(mail.parsed.text).toMatch(/https:\/\/tacto\.example\/l\/[A-Za-z0-9_-]+/);
      expect(mail.parsed.text).toContain('Banco Ejemplo');

      // A hard bounce, signed with the channel's bounce secret, matched by Message-ID.
      const url = `/webhooks/email/${m.tenantId}/bounces`;
      const body = JSON.stringify({ bounces: [{ messageId: mail.parsed.messageId, type: 'hard', status: '5.1.1', diagnostic: 'user unknown' }] });
      const unsigned = await web.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: body });
      expect(unsigned.statusCode).toBe(403);
      const signature = `sha256=${createHmac('sha256', 'bounce-secret-0123456789').update(body).digest('hex')}`;
      const signed = await web.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', 'x-tacto-signature': signature }, payload: body });
      expect(signed.json()).toEqual({ received: 1, applied: 1 });
      expect(await m.contact(id)).toMatchObject({ status: 'failed', status_reason: 'CHANNEL.INVALID_RECIPIENT' });
      expect((await history(m.tenantId, id)).sort()).toEqual(['bounced', 'sent']);

      // RFC 8058 one-click: a POST to the List-Unsubscribe URL opts the address out.
      const path = new URL(oneClick!).pathname;
      expect((await web.inject({ method: 'GET', url: path })).body).toContain('<form method="post">');
      const unsubscribe = await web.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
      expect(unsubscribe.statusCode).toBe(200);
      const row = (await db.query<{ opted_out_at: Date | null; opt_out_reason: string | null }>(`SELECT opted_out_at, opt_out_reason FROM contact_points WHERE id = $1`, [cp.id])).rows[0]!;
      expect(row.opt_out_reason).toBe('unsubscribe link');
      expect(row.opted_out_at).not.toBeNull();
    } finally {
      await web.close();
      await svc.messaging.registry.close();
    }
  });
});

describe('SMS and WhatsApp through Twilio', () => {
  it('sends, takes signed status callbacks to delivered, and honours STOP from a signed inbound webhook', async () => {
    const m = await givenMessagingTenant(db);
    await services.messaging.registry.put(m.tenantId, {
      config: { provider: 'twilio', accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, smsFrom: '+15005550006', statusCallbackUrl: `${base}/webhooks/twilio/${m.tenantId}/status`, baseUrl: fakeTwilio.url },
      settings: { channels: ['sms'] },
    });
    const d = await m.debtor({ phone: '+34600777888' });
    const cp = d.contactPoints[0]!;
    const id = await m.schedule({ ...d, contactPointId: cp.id, destination: cp.value, channel: 'sms', sendAt: '2026-03-16T09:00:00Z' });
    const pending = await m.schedule({ ...d, contactPointId: cp.id, destination: cp.value, channel: 'sms', sendAt: '2026-03-19T09:00:00Z', purpose: 'missed_payment_2' });
    expect((await services.messaging.drain()).sent).toBe(1);
    expect(fakeTwilio.messages).toHaveLength(1);
    const sent = fakeTwilio.messages[0]!;
    expect(sent.to).toBe('+34600777888');
    expect(sent.body).toContain('BAJA');
    expect(sent.statusCallback).toContain(`/webhooks/twilio/${m.tenantId}/status?ik=`);
    expect(sent.validityPeriod).toBeGreaterThan(0);
    expect((await m.contact(id)).status).toBe('sent');

    await fakeTwilio.settle(sent.sid, 'delivered');
    expect((await m.contact(id)).status).toBe('delivered');
    expect((await history(m.tenantId, id)).sort()).toEqual(['delivered', 'queued', 'sent']);
    // A repeated callback changes nothing; a late `sent` does not move `delivered` back.
    const params = { AccountSid: ACCOUNT_SID, MessageSid: sent.sid, SmsSid: sent.sid, MessageStatus: 'sent', SmsStatus: 'sent', To: sent.to, From: '+15005550006' };
    const url = sent.statusCallback!;
    const repeat = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, params) }, body: new URLSearchParams(params).toString() });
    expect(await repeat.json()).toEqual({ received: 1, applied: 0 });
    expect((await m.contact(id)).status).toBe('delivered');
    // A forged callback is refused.
    const forged = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature('not-the-token-000000', url, params) }, body: new URLSearchParams(params).toString() });
    expect(forged.status).toBe(403);
    const unsigned = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() });
    expect(unsigned.status).toBe(403);

    const inbound = await fakeTwilio.sendInbound(`${base}/webhooks/twilio/${m.tenantId}/inbound`, { From: '+34600777888', To: '+15005550006', Body: 'STOP' });
    expect(inbound.status).toBe(200);
    expect(await inbound.text()).toContain('<Response>');
    expect(await m.contact(pending)).toMatchObject({ status: 'cancelled', status_reason: 'opted_out' });
    const timeline = (await db.query<{ body: string; keyword_action: string; debtor_id: string }>(`SELECT body, keyword_action, debtor_id FROM inbound_messages WHERE tenant_id = $1`, [m.tenantId])).rows;
    expect(timeline).toEqual([{ body: 'STOP', keyword_action: 'opt_out', debtor_id: d.debtorId }]);
    // The one confirmation, then nothing more to that number.
    expect((await services.messaging.drain()).sent).toBe(1);
    const toDebtor = fakeTwilio.messages.filter((x) => x.to === '+34600777888');
    expect(toDebtor).toHaveLength(2);
    expect(toDebtor[1]!.body).not.toContain('BAJA');
  });

  it('a dropped create response is reconciled through findSent, never sent twice', async () => {
    const m = await givenMessagingTenant(db);
    // Status callbacks go elsewhere here (they would resolve the orphan by its key on their own).
    const elsewhere = await startReceiver();
    await services.messaging.registry.put(m.tenantId, {
      config: { provider: 'twilio', accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, smsFrom: '+15005550006', statusCallbackUrl: `${elsewhere.url}/status`, baseUrl: fakeTwilio.url },
      settings: { channels: ['sms'], reconcileAfterSeconds: 30 },
    });
    const d = await m.debtor({ phone: '+34600999000' });
    const cp = d.contactPoints[0]!;
    const id = await m.schedule({ ...d, contactPointId: cp.id, destination: cp.value, channel: 'sms', sendAt: '2026-03-16T09:00:00Z' });
    fakeTwilio.dropNextResponse();
    const before = fakeTwilio.messages.length;
    const first = await services.messaging.drain();
    expect(first).toMatchObject({ sent: 0, retrying: 1 });
    expect(fakeTwilio.messages.length).toBe(before + 1);
    const sid = fakeTwilio.messages.at(-1)!.sid;
    // Twilio takes the message out of its queue; later the claim comes due again and is reconciled.
    await fakeTwilio.settle(sid, 'delivered');
    clock.advance(10_000);
    expect((await services.messaging.drain()).claimed).toBe(0);
    clock.advance(200_000);
    try {
      const second = await services.messaging.drain();
      expect(second).toMatchObject({ reconciled: 1, sent: 0 });
    } finally {
      clock.set('2026-03-16T10:00:00Z');
      await elsewhere.close();
    }
    expect(fakeTwilio.messages.filter((x) => x.to === '+34600999000')).toHaveLength(1);
    const row = (await db.query<{ external_id: string; status: string }>(`SELECT external_id, status FROM messages WHERE tenant_id = $1 AND scheduled_contact_id = $2`, [m.tenantId, id])).rows[0]!;
    expect(row.external_id).toBe(sid);
    expect(['sent', 'delivered']).toContain((await m.contact(id)).status);
  });
});

describe('WhatsApp through Meta', () => {
  it('answers the verification handshake, sends the approved template, applies out-of-order statuses and inbound replies', async () => {
    const m = await givenMessagingTenant(db);
    await services.messaging.registry.put(m.tenantId, {
      config: { provider: 'meta', phoneNumberId: '1234567890', accessToken: 'meta-access-token-0001', appSecret: APP_SECRET, verifyToken: 'verify-me-please', baseUrl: meta.url },
      settings: { channels: ['whatsapp'] },
    });
    const hook = `${base}/webhooks/meta/${m.tenantId}`;
    const ok = await fetch(`${hook}?hub.mode=subscribe&hub.verify_token=verify-me-please&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    expect((await fetch(`${hook}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`)).status).toBe(403);

    meta.approveTemplate('tacto_missed_payment_1', 'es', 5);
    const d = await m.debtor({ whatsapp: '+34611222333', whatsappConsent: true });
    const cp = d.contactPoints[0]!;
    const id = await m.schedule({ ...d, contactPointId: cp.id, destination: cp.value, channel: 'whatsapp', sendAt: '2026-03-16T09:00:00Z' });
    const stats = await services.messaging.drain();
    expect(stats.sent, JSON.stringify(await m.contact(id))).toBe(1);
    const sent = meta.messages.at(-1)!;
    expect(sent).toMatchObject({ to: '+34611222333', type: 'template' });
    expect(sent.template?.name).toBe('tacto_missed_payment_1');

    await meta.deliver(hook, sent.id);
    expect((await m.contact(id)).status).toBe('read');
    expect((await history(m.tenantId, id)).sort()).toEqual(['delivered', 'queued', 'read', 'sent']);

    const forged = await fetch(hook, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' }, body: '{}' });
    expect(forged.status).toBe(403);

    const reply = await meta.userWrites(hook, '+34611222333', 'PARAR');
    expect(await reply.json()).toEqual({ received: 1, applied: 1 });
    const row = (await db.query<{ opted_out_at: Date | null }>(`SELECT opted_out_at FROM contact_points WHERE id = $1`, [cp.id])).rows[0]!;
    expect(row.opted_out_at).not.toBeNull();
    const session = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM whatsapp_sessions WHERE tenant_id = $1 AND address = '+34611222333'`, [m.tenantId])).rows[0]!;
    expect(session.n).toBe(1);
    const types = (await db.query<{ type: string }>(`SELECT type FROM events WHERE tenant_id = $1 ORDER BY seq`, [m.tenantId])).rows.map((r) => r.type);
    expect(types, types.join(',')).toEqual(expect.arrayContaining(['message.sent', 'message.delivered', 'message.read', 'message.received', 'contact_point.opted_out']));
  });
});
