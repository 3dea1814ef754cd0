import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/db.ts';
import { buildApp } from '../../src/http/app.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { createSecretBox } from '../../src/lib/secretbox.ts';
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
// One deployment key for every service in this file: each may open the others' channel configurations.
const secretBox = createSecretBox(randomBytes(32));

beforeAll(async () => {
  db = await createTestDatabase();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  services = createServices({ db, clock, newId, messaging: { publicUrl: base, secretBox } });
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

/**
 * E-mail through the SMTP fake from a deployment public at https://tacto.example (RFC 8058 wants
 * an https one-click URL): its services and app, and a tenant with the SMTP channel and a bounce
 * secret whose e-mail to `email` is due.
 */
const emailDeployment = async (email: string, bounceSecret: string) => {
  const svc = createServices({ db, clock, newId, messaging: { publicUrl: 'https://tacto.example', secretBox } });
  const web = await buildApp({ db, services: svc, webDir: '/nonexistent' });
  const m = await givenMessagingTenant(db);
  await svc.messaging.registry.put(m.tenantId, {
    config: { provider: 'smtp', host: '127.0.0.1', port: smtp.port, security: 'none', from: { name: 'Banco Ejemplo', address: 'avisos@bancoejemplo.es' } },
    settings: { channels: ['email'], bounceSecret },
  });
  const d = await m.debtor({ email });
  const cp = d.contactPoints[0]!;
  const id = await m.schedule({ ...d, contactPointId: cp.id, destination: cp.value, channel: 'email', sendAt: '2026-03-16T09:00:00Z' });
  const close = async () => {
    await web.close();
    await svc.messaging.registry.close();
  };
  return { svc, web, m, cp, id, close };
};

describe('e-mail over SMTP', () => {
  it('delivers to the SMTP server with the opt-out link and headers; one-click unsubscribe and signed bounces work', async () => {
    const { svc, web, m, cp, id, close } = await emailDeployment('lucia@example.com', 'bounce-secret-0123456789');
    try {
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
      await close();
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

  it('answers HELP words from a signed inbound webhook once per address every 24 hours, in the debtor\'s language', async () => {
    const m = await givenMessagingTenant(db);
    await services.messaging.registry.put(m.tenantId, {
      config: { provider: 'twilio', accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, smsFrom: '+15005550006', statusCallbackUrl: `${base}/webhooks/twilio/${m.tenantId}/status`, baseUrl: fakeTwilio.url },
      settings: { channels: ['sms'] },
    });
    const inboundUrl = `${base}/webhooks/twilio/${m.tenantId}/inbound`;
    const cases = [
      { language: 'es' as const, phone: '+34600777801', word: 'AYUDA', stop: 'BAJA' },
      { language: 'en' as const, phone: '+34600777802', word: 'HELP', stop: 'STOP' },
      { language: 'pt' as const, phone: '+34600777803', word: 'ajuda', stop: 'SAIR' },
    ];
    for (const c of cases) await m.debtor({ phone: c.phone, language: c.language });
    for (const c of cases) {
      const r = await fakeTwilio.sendInbound(inboundUrl, { From: c.phone, To: '+15005550006', Body: c.word });
      expect(r.status).toBe(200);
      expect(await r.text()).toContain('<Response></Response>');
    }
    // A second HELP the same day is recorded, not answered.
    await fakeTwilio.sendInbound(inboundUrl, { From: '+34600777801', To: '+15005550006', Body: 'INFO' });
    expect((await services.messaging.drain()).sent).toBe(3);
    for (const c of cases) {
      const got = fakeTwilio.messages.filter((x) => x.to === c.phone);
      expect(got, c.language).toHaveLength(1);
      expect(got[0]!.body).toContain('Banco Ejemplo');
      expect(got[0]!.body).toContain('910 000 000');
      expect(got[0]!.body).toContain(c.stop);
    }
    const actions = (await db.query<{ keyword_action: string; n: number }>(`SELECT keyword_action, count(*)::int AS n FROM inbound_messages WHERE tenant_id = $1 GROUP BY 1`, [m.tenantId])).rows;
    expect(actions).toEqual([{ keyword_action: 'help', n: 4 }]);
    expect((await services.messaging.drain()).claimed).toBe(0);
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

describe('WhatsApp through one Meta app shared by several tenants', () => {
  it('routes POST /webhooks/meta by phone_number_id, verifies with each tenant\'s app secret, and answers the handshake for any tenant\'s token', async () => {
    const A_NUMBER = '5550001111';
    const B_NUMBER = '5550002222';
    const C_NUMBER = '5550003333';
    const OTHER_APP_SECRET = 'another-meta-app-secret-000001';
    const fakeA = await startFakeMeta({ accessToken: 'meta-access-token-0001', appSecret: APP_SECRET, phoneNumberId: A_NUMBER, now: () => clock.now() });
    try {
      const tenant = async (phoneNumberId: string, appSecret: string, verifyToken: string) => {
        const m = await givenMessagingTenant(db);
        await services.messaging.registry.put(m.tenantId, {
          config: { provider: 'meta', phoneNumberId, accessToken: 'meta-access-token-0001', appSecret, verifyToken, baseUrl: fakeA.url },
          settings: { channels: ['whatsapp'] },
        });
        return m;
      };
      const a = await tenant(A_NUMBER, APP_SECRET, 'verify-tenant-a-0001');
      const b = await tenant(B_NUMBER, APP_SECRET, 'verify-tenant-b-0001');
      const c = await tenant(C_NUMBER, OTHER_APP_SECRET, 'verify-tenant-c-0001');
      const hook = `${base}/webhooks/meta`;

      // The handshake: the token of any tenant with a WhatsApp Cloud configuration.
      const ok = await fetch(`${hook}?hub.mode=subscribe&hub.verify_token=verify-tenant-b-0001&hub.challenge=771`);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe('771');
      expect((await fetch(`${hook}?hub.mode=subscribe&hub.verify_token=nobody-has-this&hub.challenge=1`)).status).toBe(403);

      // Statuses of a message tenant A sent arrive at the shared URL.
      fakeA.approveTemplate('tacto_missed_payment_1', 'es', 5);
      const da = await a.debtor({ whatsapp: '+34611000001', whatsappConsent: true });
      const db_ = await b.debtor({ whatsapp: '+34611000002', whatsappConsent: true });
      const id = await a.schedule({ ...da, contactPointId: da.contactPoints[0]!.id, destination: '+34611000001', channel: 'whatsapp', sendAt: '2026-03-16T09:00:00Z' });
      await services.messaging.drain();
      expect((await a.contact(id)).status).toBe('sent');
      expect(fakeA.messages).toHaveLength(1);
      await fakeA.deliver(hook, fakeA.messages[0]!.id);
      expect((await a.contact(id)).status).toBe('read');

      // One delivery mixing tenant A, tenant B and a number nobody has.
      const text = (phoneNumberId: string, from: string, body: string) => ({
        field: 'messages',
        value: {
          messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001234', phone_number_id: phoneNumberId },
          contacts: [{ profile: { name: 'Debtor' }, wa_id: from.slice(1) }],
          messages: [{ from: from.slice(1), id: `wamid.${randomBytes(12).toString('hex')}`, timestamp: String(Math.floor(clock.now().getTime() / 1000)), type: 'text', text: { body } }],
        },
      });
      const payload = (changes: unknown[][]) => ({ object: 'whatsapp_business_account', entry: changes.map((ch, i) => ({ id: `WABA${i}`, changes: ch })) });
      const inbound = async (tenantId: string) =>
        (await db.query<{ from_address: string; keyword_action: string | null; debtor_id: string | null }>(
          `SELECT from_address, keyword_action, debtor_id FROM inbound_messages WHERE tenant_id = $1 ORDER BY received_at, from_address`, [tenantId])).rows;

      const mixed = await fakeA.post(hook, payload([[text(A_NUMBER, '+34611000001', 'PARAR'), text('5550009999', '+34699999999', 'hola')], [text(B_NUMBER, '+34611000002', 'Hola, ¿cuánto debo?')]]));
      expect(mixed.status).toBe(200);
      expect(await mixed.json()).toEqual({ received: 2, applied: 2 });
      expect(await inbound(a.tenantId)).toEqual([{ from_address: '+34611000001', keyword_action: 'opt_out', debtor_id: da.debtorId }]);
      expect(await inbound(b.tenantId)).toEqual([{ from_address: '+34611000002', keyword_action: null, debtor_id: db_.debtorId }]);
      expect(await inbound(c.tenantId)).toEqual([]);

      // A forged signature is refused and nothing is applied; so is a body touching a tenant
      // of another app (its secret does not verify), even where the other tenant's would.
      const forged = await fetch(hook, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }, body: JSON.stringify(payload([[text(B_NUMBER, '+34611000002', 'BAJA')]])) });
      expect(forged.status).toBe(403);
      const crossApp = await fakeA.post(hook, payload([[text(B_NUMBER, '+34611000002', 'BAJA')], [text(C_NUMBER, '+34611000003', 'hola')]]));
      expect(crossApp.status).toBe(403);
      expect(await inbound(b.tenantId)).toHaveLength(1);
      expect(await inbound(c.tenantId)).toEqual([]);

      // Only unknown numbers: acknowledged (Meta retries anything else), nothing done, whatever the signature.
      const unknown = await fetch(hook, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' }, body: JSON.stringify(payload([[text('5550009999', '+34699999999', 'hola')]])) });
      expect(unknown.status).toBe(200);
      expect(await unknown.json()).toEqual({ received: 0, applied: 0 });
      const malformed = await fakeA.post(hook, { object: 'page', entry: [] });
      expect(malformed.status).toBe(400);
    } finally {
      await fakeA.close();
    }
  });
});

describe('e-mail bounces as DSN e-mails', () => {
  it('takes a signed raw bounce (message/rfc822) from an inbound-mail relay: soft ignored, hard ends the message', async () => {
    const { svc, web, m, id, close } = await emailDeployment('no.existe@example.com', 'dsn-bounce-secret-0123456789');
    try {
      const before = smtp.mails.length;
      await svc.messaging.drain();
      expect((await m.contact(id)).status).toBe('sent');
      const sent = smtp.mails.slice(before).find((x) => x.envelope.to.includes('no.existe@example.com'))!;

      // What Postfix returns: a report, the delivery status, and the message as it was sent.
      const dsn = (action: string, status: string, diagnostic: string) => Buffer.from([
        'Return-Path: <>', 'Date: Mon, 16 Mar 2026 11:20:00 +0100 (CET)', 'From: MAILER-DAEMON@mail.bancoejemplo.es (Mail Delivery System)',
        'Subject: Undelivered Mail Returned to Sender', 'To: avisos@bancoejemplo.es', 'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="AB12.1773656400/mail.bancoejemplo.es"', '',
        '--AB12.1773656400/mail.bancoejemplo.es', 'Content-Type: text/plain; charset=us-ascii', '', 'This is the mail system at host mail.bancoejemplo.es.', '',
        '--AB12.1773656400/mail.bancoejemplo.es', 'Content-Type: message/delivery-status', '',
        'Reporting-MTA: dns; mail.bancoejemplo.es', 'Arrival-Date: Mon, 16 Mar 2026 11:00:00 +0100 (CET)', '',
        'Final-Recipient: rfc822; no.existe@example.com', `Action: ${action}`, `Status: ${status}`, `Diagnostic-Code: smtp; ${diagnostic}`, '',
        '--AB12.1773656400/mail.bancoejemplo.es', 'Content-Type: message/rfc822', '', sent.raw.replace(/\r?\n$/, ''), '',
        '--AB12.1773656400/mail.bancoejemplo.es--', '',
      ].join('\r\n'), 'utf8');
      const url = `/webhooks/email/${m.tenantId}/dsn`;
      const post = (body: Buffer, secret = 'dsn-bounce-secret-0123456789', contentType = 'message/rfc822') =>
        web.inject({ method: 'POST', url, headers: { 'content-type': contentType, 'x-tacto-signature': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` }, payload: body });

      const soft = await post(dsn('delayed', '4.2.2', '452 4.2.2 Mailbox full, try again later'));
      expect(soft.statusCode).toBe(200);
      expect(soft.json()).toEqual({ received: 1, applied: 0 });
      expect((await m.contact(id)).status).toBe('sent');

      const hard = dsn('failed', '5.1.1', '550 5.1.1 <no.existe@example.com>: Recipient address rejected: User unknown');
      expect((await post(hard, 'not-the-bounce-secret-000')).statusCode).toBe(403);
      expect((await web.inject({ method: 'POST', url, headers: { 'content-type': 'message/rfc822' }, payload: hard })).statusCode).toBe(403);
      expect((await post(hard, 'dsn-bounce-secret-0123456789', 'text/plain')).statusCode).toBe(415);
      const ok = await post(hard);
      expect(ok.json()).toEqual({ received: 1, applied: 1 });
      expect(await m.contact(id)).toMatchObject({ status: 'failed', status_reason: 'CHANNEL.INVALID_RECIPIENT' });
      expect((await history(m.tenantId, id)).sort()).toEqual(['bounced', 'sent']);
      const message = (await db.query<{ status: string; provider_error_code: string; error_message: string }>(
        `SELECT status, provider_error_code, error_message FROM messages WHERE tenant_id = $1 AND scheduled_contact_id = $2`, [m.tenantId, id])).rows[0]!;
      expect(message).toEqual({ status: 'bounced', provider_error_code: '5.1.1', error_message: '550 5.1.1 <no.existe@example.com>: Recipient address rejected: User unknown' });
      const failed = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE tenant_id = $1 AND type = 'message.failed'`, [m.tenantId])).rows[0]!;
      expect(failed.n).toBe(1);
      // The same bounce again changes nothing.
      expect((await post(hard)).json()).toEqual({ received: 1, applied: 0 });

      // Anything else is refused, naming what is missing.
      const reply = Buffer.from('From: no.existe@example.com\r\nTo: avisos@bancoejemplo.es\r\nSubject: Re: tu cuota\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nYa pagué.\r\n', 'utf8');
      const refused = await post(reply);
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toEqual({ error: { code: 'CHANNEL.DSN_INVALID', message: expect.stringContaining('expected multipart/report; report-type=delivery-status') } });
    } finally {
      await close();
    }
  });
});
