import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../../../test/support/app.ts';
import { givenMessagingTenant } from '../../../test/support/messaging.ts';
import { newId } from '../../lib/ids.ts';
import { createMessagingService } from './messaging.service.ts';

/**
 * The dispatcher end to end on the sandbox channel: scheduled_contacts rows written as the daily
 * run writes them, dispatched, recorded; the inbox API; replies through the inbound path.
 */
let t: Awaited<ReturnType<typeof startTestApp>>;
beforeAll(async () => {
  t = await startTestApp('2026-03-16T10:00:00Z'); // Monday 11:00 in Madrid
});
afterAll(async () => t.close());

const sandbox = async (tenantId: string, apiKey?: string) => {
  if (apiKey) {
    const r = await t.app.inject({ method: 'PUT', url: '/api/v1/channel-configs', headers: { authorization: `Bearer ${apiKey}` }, payload: { config: { provider: 'sandbox', tenantId }, settings: { channels: ['sms', 'whatsapp', 'email'], ratePerSecond: 1000, burst: 1000 } } });
    expect(r.statusCode, r.body).toBe(200);
    return;
  }
  await t.services.messaging.registry.put(tenantId, { config: { provider: 'sandbox', tenantId }, settings: { channels: ['sms', 'whatsapp', 'email'], ratePerSecond: 1000, burst: 1000 } });
};

const doc = readFileSync(new URL('../../../docs/webhooks.md', import.meta.url), 'utf8');
const documentedFields = (type: string): string[] | null => {
  const section = doc.split(`### \`${type}\`\n`)[1]?.split('\n### ')[0];
  const json = section ? /```json\n([\s\S]*?)```/.exec(section)?.[1] : undefined;
  return json ? Object.keys(JSON.parse(json.replaceAll('…', '')) as object).sort() : null;
};

afterAll(async () => {
  // Every message.* event emitted by the tests in this file has exactly the documented fields.
  const events = (await t.db.query<{ type: string; payload: Record<string, unknown> }>(`SELECT type, payload FROM events WHERE type LIKE 'message.%'`)).rows;
  expect(new Set(events.map((e) => e.type))).toEqual(new Set(['message.sent', 'message.delivered', 'message.received']));
  for (const e of events) expect({ type: e.type, fields: Object.keys(e.payload).sort() }).toEqual({ type: e.type, fields: documentedFields(e.type) });
});

describe('dispatcher over the sandbox channel', () => {
  it('sends a due SMS once, records its status, history and events, and tracks the link', async () => {
    const m = await givenMessagingTenant(t.db);
    await sandbox(m.tenantId, m.apiKey);
    const d = await m.debtor({ phone: '+34600111222' });
    const phone = d.contactPoints.find((c) => c.kind === 'phone')!;
    const due = await m.schedule({ ...d, contactPointId: phone.id, destination: phone.value, channel: 'sms', sendAt: '2026-03-16T09:00:00Z', windowEnd: '2026-03-16T19:00:00Z' });
    const later = await m.schedule({ ...d, contactPointId: phone.id, destination: phone.value, channel: 'sms', sendAt: '2026-03-17T09:00:00Z', purpose: 'missed_payment_2' });
    const task = await m.schedule({ ...d, contactPointId: phone.id, destination: phone.value, channel: 'call', sendAt: '2026-03-16T09:00:00Z', kind: 'agent_task' });

    const stats = await t.services.messaging.drain({ batchSize: 10 });
    expect(stats, JSON.stringify(await m.contact(due))).toMatchObject({ claimed: 1, sent: 1 });
    expect((await m.contact(due)).status).toBe('delivered');
    expect((await m.contact(later)).status).toBe('scheduled');
    expect((await m.contact(task)).status).toBe('scheduled');
    expect((await t.services.messaging.drain()).claimed).toBe(0);

    const inbox = await t.services.messaging.sandbox.messages(m.tenantId, '+34600111222');
    expect(inbox).toHaveLength(1);
    expect(inbox[0]!.text).toContain('BAJA');
    expect(inbox[0]!.text).toContain('Banco Ejemplo');
    const link = /https?:\/\/\S+\/l\/([A-Za-z0-9_-]+)/.exec(inbox[0]!.text);
    expect(link, inbox[0]!.text).not.toBeNull();

    const msgs = (await t.app.inject({ method: 'GET', url: `/api/v1/debtors/${d.debtorId}/messages`, headers: { authorization: `Bearer ${m.apiKey}` } })).json().data;
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatchObject({ channel: 'sms', provider: 'sandbox', status: 'delivered', attempts: 1 });
    expect(msgs[0].history.map((h: { status: string }) => h.status)).toEqual(['delivered']);

    const click = await t.app.inject({ method: 'GET', url: `/l/${link![1]}` });
    expect(click.statusCode).toBe(302);
    expect(click.headers.location).toBe(`https://pagos.example.com/p?account=${d.accountId}`);
    expect((await t.app.inject({ method: 'GET', url: '/l/not-a-real-token' })).statusCode).toBe(404);
    const after = (await t.app.inject({ method: 'GET', url: `/api/v1/debtors/${d.debtorId}/messages`, headers: { authorization: `Bearer ${m.apiKey}` } })).json().data;
    expect(after[0].history.map((h: { status: string }) => h.status).sort()).toEqual(['clicked', 'delivered']);

    const events = (await t.db.query<{ type: string; payload: Record<string, unknown> }>(`SELECT type, payload FROM events WHERE tenant_id = $1 AND type LIKE 'message.%' ORDER BY seq`, [m.tenantId])).rows;
    expect(events.map((e) => e.type)).toEqual(['message.sent', 'message.delivered']);
    expect(JSON.stringify(events)).not.toContain('+34600111222');
    const decisions = (await t.db.query<{ allowed: boolean }>(`SELECT allowed FROM policy_decisions WHERE tenant_id = $1`, [m.tenantId])).rows;
    expect(decisions).toEqual([{ allowed: true }]);
  });

  it('a sandbox send whose record never committed (a crash after the call) is sent again with the same link, once in the store', async () => {
    const m = await givenMessagingTenant(t.db);
    await sandbox(m.tenantId);
    const d = await m.debtor({ phone: '+34600111333' });
    const phone = d.contactPoints.find((c) => c.kind === 'phone')!;
    const due = await m.schedule({ ...d, contactPointId: phone.id, destination: phone.value, channel: 'sms', sendAt: '2026-03-16T09:00:00Z', windowEnd: '2026-03-16T19:00:00Z' });
    expect(await t.services.messaging.drain({ batchSize: 10 })).toMatchObject({ claimed: 1, sent: 1 });
    const first = (await t.services.messaging.sandbox.messages(m.tenantId, '+34600111333'))[0]!;
    // The sandbox has it; undo everything the record transaction wrote, as if it never committed.
    const msg = (await t.db.query<{ id: string }>(`SELECT id FROM messages WHERE tenant_id = $1 AND scheduled_contact_id = $2`, [m.tenantId, due])).rows[0]!;
    await t.db.query(`DELETE FROM tracked_links WHERE tenant_id = $1 AND message_id = $2`, [m.tenantId, msg.id]);
    await t.db.query(`DELETE FROM events WHERE tenant_id = $1 AND subject_id = $2`, [m.tenantId, msg.id]);
    await t.db.query(`DELETE FROM messages WHERE tenant_id = $1 AND id = $2`, [m.tenantId, msg.id]);
    await t.db.query(`UPDATE scheduled_contacts SET status = 'claimed', claimed_by = 'dead', claim_expires_at = '2026-03-16T09:59:00Z', sent_at = NULL WHERE tenant_id = $1 AND id = $2`, [m.tenantId, due]);

    expect(await t.services.messaging.drain({ batchSize: 10 })).toMatchObject({ claimed: 1, sent: 1 });
    expect((await m.contact(due)).status).toBe('delivered');
    const inbox = await t.services.messaging.sandbox.messages(m.tenantId, '+34600111333');
    expect(inbox).toHaveLength(1);
    expect(inbox[0]!.id).toBe(first.id);
    const messages = (await t.db.query<{ id: string; status: string; attempts: number }>(`SELECT id, status, attempts FROM messages WHERE tenant_id = $1 AND scheduled_contact_id = $2`, [m.tenantId, due])).rows;
    expect(messages).toMatchObject([{ status: 'delivered', attempts: 1 }]);
    // The link in the copy the store kept (the first) exists and points at the recorded message.
    const token = /\/l\/([A-Za-z0-9_-]+)/.exec(first.text)![1]!;
    const link = (await t.db.query<{ message_id: string }>(`SELECT message_id FROM tracked_links WHERE token = $1`, [token])).rows;
    expect(link).toEqual([{ message_id: messages[0]!.id }]);
  });

  it('sends one message per debtor per pass: a second one due at once waits for the next pass, where the policy sees the first', async () => {
    const m = await givenMessagingTenant(t.db);
    await sandbox(m.tenantId);
    const d = await m.debtor({ phone: '+34600111777' });
    // The debtor asked for one contact a day at most.
    await t.db.query(`UPDATE debtors SET preferences = '{"frequency":{"max":1,"days":1}}'::jsonb WHERE id = $1`, [d.debtorId]);
    const phone = d.contactPoints.find((c) => c.kind === 'phone')!;
    // Two contacts due together (two of the debtor's debts, or a dispatcher that was stopped).
    const first = await m.schedule({ ...d, contactPointId: phone.id, destination: phone.value, channel: 'sms', sendAt: '2026-03-16T09:00:00Z', windowEnd: '2026-03-16T19:00:00Z' });
    const second = await m.schedule({ ...d, contactPointId: phone.id, destination: phone.value, channel: 'sms', sendAt: '2026-03-16T09:00:01Z', windowEnd: '2026-03-16T19:00:00Z', purpose: 'missed_payment_2' });
    const s1 = await t.services.messaging.dispatchOnce({ batchSize: 10 });
    expect(s1).toMatchObject({ claimed: 2, sent: 1, deferred: 1 });
    expect((await m.contact(first)).status).toBe('delivered');
    expect((await m.contact(second)).status).toBe('claimed');
    // A minute later the second is claimed again and decided against a history that has the
    // first: the debtor's own limit refuses it.
    t.clock.set('2026-03-16T10:01:30Z');
    try {
      expect(await t.services.messaging.dispatchOnce({ batchSize: 10 })).toMatchObject({ claimed: 1, sent: 0, suppressed: 1 });
      const c = await m.contact(second);
      expect(c.status).toBe('suppressed');
      expect(c.status_reason).toMatch(/^POLICY_DENIED: .*PREFERENCE/);
      expect(await t.services.messaging.sandbox.messages(m.tenantId, '+34600111777')).toHaveLength(1);
    } finally {
      t.clock.set('2026-03-16T10:00:00Z');
    }
  });

  it('leaves a debtor\'s due contact alone while another dispatcher holds a claim on one of theirs', async () => {
    const m = await givenMessagingTenant(t.db);
    await sandbox(m.tenantId);
    const d = await m.debtor({ phone: '+34600111778' });
    const phone = d.contactPoints.find((c) => c.kind === 'phone')!;
    const held = await m.schedule({ ...d, contactPointId: phone.id, destination: phone.value, channel: 'sms', sendAt: '2026-03-16T09:00:00Z', windowEnd: '2026-03-16T19:00:00Z' });
    const waiting = await m.schedule({ ...d, contactPointId: phone.id, destination: phone.value, channel: 'sms', sendAt: '2026-03-16T09:30:00Z', windowEnd: '2026-03-16T19:00:00Z', purpose: 'missed_payment_2' });
    await t.db.query(`UPDATE scheduled_contacts SET status = 'claimed', claimed_by = 'other-worker', claim_expires_at = '2026-03-16T10:02:00Z', attempts = 1 WHERE id = $1`, [held]);
    expect((await t.services.messaging.dispatchOnce({ batchSize: 10 })).claimed).toBe(0);
    expect((await m.contact(waiting)).status).toBe('scheduled');
    // The other worker died: its claim expires and this dispatcher takes it over; the debtor's
    // other contact follows in the next pass, decided against a history that has the first.
    t.clock.set('2026-03-16T10:02:30Z');
    try {
      expect(await t.services.messaging.dispatchOnce({ batchSize: 10 })).toMatchObject({ claimed: 1, sent: 1 });
      expect((await m.contact(held)).status).toBe('delivered');
      expect((await m.contact(waiting)).status).toBe('scheduled');
      expect(await t.services.messaging.dispatchOnce({ batchSize: 10 })).toMatchObject({ claimed: 1, sent: 1 });
      expect((await m.contact(waiting)).status).toBe('delivered');
    } finally {
      t.clock.set('2026-03-16T10:00:00Z');
    }
  });

  it('drains in several lanes at once: every contact decided once, a debtor\'s limit kept across lanes', async () => {
    const m = await givenMessagingTenant(t.db);
    await sandbox(m.tenantId);
    const ids: string[] = [];
    const debtorOf = new Map<string, string>();
    for (let i = 0; i < 24; i++) {
      const d = await m.debtor({ phone: `+3460022${String(i).padStart(4, '0')}` });
      // Every debtor asked for one contact a day at most; eight of them have two due.
      await t.db.query(`UPDATE debtors SET preferences = '{"frequency":{"max":1,"days":1}}'::jsonb WHERE id = $1`, [d.debtorId]);
      const phone = d.contactPoints.find((c) => c.kind === 'phone')!;
      for (let k = 0; k < (i % 3 === 0 ? 2 : 1); k++) {
        const id = await m.schedule({ ...d, contactPointId: phone.id, destination: phone.value, channel: 'sms', sendAt: `2026-03-16T09:0${k}:00Z`, windowEnd: '2026-03-16T19:00:00Z', purpose: k === 0 ? 'missed_payment_1' : 'missed_payment_2' });
        ids.push(id);
        debtorOf.set(id, d.debtorId);
      }
    }
    const totals = { sent: 0, suppressed: 0 };
    const drain = async () => {
      const s = await t.services.messaging.drain({ batchSize: 4, lanes: 3 });
      totals.sent += s.sent;
      totals.suppressed += s.suppressed;
    };
    await drain();
    // What waited a minute behind a debtor's first message is decided then.
    t.clock.set('2026-03-16T10:01:30Z');
    try {
      await drain();
    } finally {
      t.clock.set('2026-03-16T10:00:00Z');
    }
    expect(totals).toEqual({ sent: 24, suppressed: 8 });
    const messages = (await t.db.query<{ scheduled_contact_id: string }>(`SELECT scheduled_contact_id FROM messages WHERE tenant_id = $1`, [m.tenantId])).rows;
    expect(messages).toHaveLength(24);
    expect(new Set(messages.map((r) => debtorOf.get(r.scheduled_contact_id))).size).toBe(24);
    const statuses = (await t.db.query<{ id: string; status: string }>(`SELECT id, status FROM scheduled_contacts WHERE tenant_id = $1`, [m.tenantId])).rows;
    expect(statuses.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(statuses.filter((r) => r.status === 'delivered')).toHaveLength(24);
    expect(statuses.filter((r) => r.status === 'suppressed')).toHaveLength(8);
  });

  it('re-checks at send time and suppresses with the reason', async () => {
    const m = await givenMessagingTenant(t.db, { channels: ['sms', 'email'] });
    await sandbox(m.tenantId);
    const d = await m.debtor({ phone: '+34600222333', email: 'ana@example.com', whatsapp: '+34600222333' });
    const cp = (k: string) => d.contactPoints.find((c) => c.kind === k)!;
    await t.db.query(`UPDATE contact_points SET opted_out_at = '2026-03-10T00:00:00Z' WHERE id = $1`, [cp('email').id]);
    const optedOut = await m.schedule({ ...d, contactPointId: cp('email').id, destination: 'ana@example.com', channel: 'email', sendAt: '2026-03-16T09:00:00Z' });
    const whatsapp = await m.schedule({ ...d, contactPointId: cp('whatsapp').id, destination: '+34600222333', channel: 'whatsapp', sendAt: '2026-03-16T09:00:00Z' });
    const late = await m.schedule({ ...d, contactPointId: cp('phone').id, destination: '+34600222333', channel: 'sms', sendAt: '2026-03-16T08:00:00Z', windowEnd: '2026-03-16T09:30:00Z' });
    const s = await t.services.messaging.drain();
    expect(s).toMatchObject({ claimed: 3, suppressed: 3, sent: 0 });
    expect(await m.contact(optedOut)).toMatchObject({ status: 'suppressed', status_reason: 'OPTED_OUT' });
    expect(await m.contact(whatsapp)).toMatchObject({ status: 'suppressed', status_reason: 'CHANNEL_NOT_ALLOWED' });
    expect(await m.contact(late)).toMatchObject({ status: 'suppressed', status_reason: 'WINDOW_ENDED' });
    expect(await t.services.messaging.sandbox.messages(m.tenantId, '+34600222333')).toEqual([]);
  });

  it('suppresses what the contact policy denies (the debtor prefers e-mail) and WhatsApp without opt-in', async () => {
    const m = await givenMessagingTenant(t.db);
    await sandbox(m.tenantId);
    const d = await m.debtor({ phone: '+34600333444', whatsapp: '+34600333445' });
    const wa = d.contactPoints.find((c) => c.kind === 'whatsapp')!;
    const noOptIn = await m.schedule({ ...d, contactPointId: wa.id, destination: wa.value, channel: 'whatsapp', sendAt: '2026-03-16T09:00:00Z' });
    await t.db.query(`UPDATE debtors SET preferences = '{"channels":["email"]}'::jsonb WHERE id = $1`, [d.debtorId]);
    const phone = d.contactPoints.find((c) => c.kind === 'phone')!;
    const sunday = await m.schedule({ ...d, contactPointId: phone.id, destination: phone.value, channel: 'sms', sendAt: '2026-03-16T09:00:00Z' });
    await t.services.messaging.drain();
    expect(await m.contact(noOptIn)).toMatchObject({ status: 'suppressed', status_reason: 'WHATSAPP_NO_OPT_IN' });
    const s = await m.contact(sunday);
    expect(s.status).toBe('suppressed');
    expect(s.status_reason).toMatch(/^POLICY_DENIED: /);
  });

  it('sends WhatsApp as the approved template outside the window and free-form inside it', async () => {
    const m = await givenMessagingTenant(t.db);
    await sandbox(m.tenantId);
    const d = await m.debtor({ whatsapp: '+34600444555', whatsappConsent: true });
    const wa = d.contactPoints.find((c) => c.kind === 'whatsapp')!;
    const firstId = await m.schedule({ ...d, contactPointId: wa.id, destination: wa.value, channel: 'whatsapp', sendAt: '2026-03-16T09:00:00Z' });
    expect((await t.services.messaging.drain()).sent, JSON.stringify(await m.contact(firstId))).toBe(1);
    const first = await t.services.messaging.sandbox.messages(m.tenantId, wa.value);
    expect(first[0]!.template).toBe('tacto_missed_payment_1');
    // The debtor writes: the 24-hour window opens, the next message goes free-form.
    const reply = await t.app.inject({ method: 'POST', url: '/api/v1/sandbox/replies', headers: { authorization: `Bearer ${m.apiKey}` }, payload: { channel: 'whatsapp', from: wa.value, text: 'Hola, ¿puedo pagar el viernes?' } });
    expect(reply.statusCode, reply.body).toBe(201);
    expect(reply.json()).toMatchObject({ stored: true, debtorId: d.debtorId, keywordAction: null });
    t.clock.advance(3600_000);
    await m.schedule({ ...d, contactPointId: wa.id, destination: wa.value, channel: 'whatsapp', sendAt: '2026-03-16T10:30:00Z', purpose: 'payment_link' });
    try {
      expect((await t.services.messaging.drain()).sent).toBe(1);
    } finally {
      t.clock.set('2026-03-16T10:00:00Z');
    }
    const all = await t.services.messaging.sandbox.messages(m.tenantId, wa.value);
    expect(all.map((x) => [x.direction, x.template])).toEqual([['outbound', 'tacto_missed_payment_1'], ['inbound', null], ['outbound', null]]);
    const kinds = (await t.db.query<{ content_kind: string }>(`SELECT content_kind FROM messages WHERE tenant_id = $1 ORDER BY created_at`, [m.tenantId])).rows.map((r) => r.content_kind);
    expect(kinds).toEqual(['template', 'free_form']);
  });

  it('honours BAJA from the inbox at once: opt-out, pending cancelled, one confirmation sent', async () => {
    const m = await givenMessagingTenant(t.db);
    await sandbox(m.tenantId);
    const d = await m.debtor({ phone: '+34600555666' });
    const phone = d.contactPoints.find((c) => c.kind === 'phone')!;
    const pending = await m.schedule({ ...d, contactPointId: phone.id, destination: phone.value, channel: 'sms', sendAt: '2026-03-18T09:00:00Z' });
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/sandbox/replies', headers: { authorization: `Bearer ${m.apiKey}` }, payload: { channel: 'sms', from: phone.value, text: 'baja' } });
    expect(r.json()).toMatchObject({ stored: true, keywordAction: 'opt_out', optedOut: 1, cancelled: 1 });
    expect(await m.contact(pending)).toMatchObject({ status: 'cancelled', status_reason: 'opted_out' });
    const cp = (await t.db.query<{ opted_out_at: Date | null }>(`SELECT opted_out_at FROM contact_points WHERE id = $1`, [phone.id])).rows[0]!;
    expect(cp.opted_out_at).not.toBeNull();
    expect((await t.services.messaging.drain()).sent).toBe(1);
    const msgs = await t.services.messaging.sandbox.messages(m.tenantId, phone.value);
    expect(msgs.map((x) => x.direction)).toEqual(['inbound', 'outbound']);
    expect(msgs[1]!.text).not.toMatch(/BAJA/);
    // A second BAJA changes nothing and confirms nothing.
    await t.app.inject({ method: 'POST', url: '/api/v1/sandbox/replies', headers: { authorization: `Bearer ${m.apiKey}` }, payload: { channel: 'sms', from: phone.value, text: 'BAJA' } });
    expect((await t.services.messaging.drain()).claimed).toBe(0);
    const types = (await t.db.query<{ type: string }>(`SELECT type FROM events WHERE tenant_id = $1 ORDER BY seq`, [m.tenantId])).rows.map((x) => x.type);
    expect(types.filter((x) => x === 'contact_point.opted_out')).toHaveLength(1);
    expect(types.filter((x) => x === 'message.received')).toHaveLength(2);
    const convs = (await t.app.inject({ method: 'GET', url: '/api/v1/sandbox/conversations', headers: { authorization: `Bearer ${m.apiKey}` } })).json().data;
    expect(convs[0]).toMatchObject({ address: phone.value, debtorId: d.debtorId, messages: 3 });
  });

  it('keeps provider secrets encrypted at rest and out of every response', async () => {
    const m = await givenMessagingTenant(t.db);
    const authToken = 'twilio-auth-token-0123456789';
    const put = await t.app.inject({
      method: 'PUT', url: '/api/v1/channel-configs', headers: { authorization: `Bearer ${m.apiKey}` },
      payload: { config: { provider: 'twilio', accountSid: `AC${'a'.repeat(32)}`, authToken, smsFrom: '+15005550006', statusCallbackUrl: 'https://tacto.example.com/webhooks/twilio/x/status' }, settings: { channels: ['sms'] } },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.body).not.toContain(authToken);
    const row = (await t.db.query<{ config_enc: string; summary: unknown }>(`SELECT config_enc, summary FROM channel_configs WHERE tenant_id = $1`, [m.tenantId])).rows[0]!;
    expect(row.config_enc).toMatch(/^v1\./);
    expect(JSON.stringify(row)).not.toContain(authToken);
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/channel-configs', headers: { authorization: `Bearer ${m.apiKey}` } });
    expect(list.body).not.toContain(authToken);
    expect(list.json().data[0]).toMatchObject({ provider: 'twilio', channels: ['sms'] });
    const bad = await t.app.inject({ method: 'PUT', url: '/api/v1/channel-configs', headers: { authorization: `Bearer ${m.apiKey}` }, payload: { config: { provider: 'meta' }, settings: { channels: ['sms'] } } });
    expect(bad.statusCode).toBe(400);
  });

  it('retries a render that ran out of its time budget (a busy machine), and fails it after three claims', async () => {
    const m = await givenMessagingTenant(t.db);
    await sandbox(m.tenantId);
    const d = await m.debtor({ phone: '+34600111444' });
    const phone = d.contactPoints.find((c) => c.kind === 'phone')!;
    const id = await m.schedule({ ...d, contactPointId: phone.id, destination: phone.value, channel: 'sms', sendAt: '2026-03-16T09:00:00Z', windowEnd: '2026-03-16T19:00:00Z' });
    // A budget no render can meet stands in for a machine too busy to render in time.
    const slow = createMessagingService({ db: t.db, clock: t.clock, newId, policy: t.services.policy, renderLimits: { renderMs: -1 } });
    await slow.registry.put(m.tenantId, { config: { provider: 'sandbox', tenantId: m.tenantId }, settings: { channels: ['sms', 'whatsapp', 'email'], ratePerSecond: 1000, burst: 1000 } });
    const statusOf = async () => (await t.db.query<{ status: string; status_reason: string | null; attempts: number }>('SELECT status, status_reason, attempts FROM scheduled_contacts WHERE id = $1', [id])).rows[0]!;
    try {
      for (let claim = 1; claim <= 2; claim++) {
        expect(await slow.drain({ batchSize: 10, maxPasses: 1 })).toMatchObject({ claimed: 1, deferred: 1, failed: 0, sent: 0 });
        expect(await statusOf()).toMatchObject({ status: 'claimed', attempts: claim });
        t.clock.advance(61_000);
      }
      expect(await slow.drain({ batchSize: 10, maxPasses: 1 })).toMatchObject({ claimed: 1, failed: 1 });
      expect(await statusOf()).toMatchObject({ status: 'failed', status_reason: expect.stringMatching(/^TEMPLATE\.RENDER_LIMIT/), attempts: 3 });
    } finally {
      t.clock.set('2026-03-16T10:00:00Z');
    }
  });
});
