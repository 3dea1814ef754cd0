import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../lib/clock.ts';
import { createChannelAdapter } from '../index.ts';
import { createSandboxAdapter } from './sandbox.adapter.ts';
import { createMemorySandboxStore } from './sandbox.store.ts';

/**
 * The sandbox channel: provider rules and failures without a provider, idempotent by key, and a
 * conversation the web inbox can show (outbound and the tester's replies).
 */
const setup = () => {
  const store = createMemorySandboxStore();
  const clock = fixedClock('2026-03-15T10:00:00Z');
  const adapter = createSandboxAdapter({ provider: 'sandbox', tenantId: 'ten_1' }, { store, clock, senderLabel: 'Financiera Sol' });
  return { store, clock, adapter };
};

describe('sandbox sends', () => {
  it('delivers SMS, WhatsApp templates and e-mail into the store', async () => {
    const { store, adapter } = setup();
    const sms = await adapter.send({ channel: 'sms', to: '+34600111222', body: 'Hola' }, { idempotencyKey: 'k1' });
    const wa = await adapter.send({ channel: 'whatsapp', to: '+34600111222', content: { kind: 'template', name: 'tacto_lesson', language: 'es', bodyParameters: ['a'], previewText: 'Hola, Lucía…' } }, { idempotencyKey: 'k2' });
    const mail = await adapter.send({ channel: 'email', to: 'lucia@example.es', subject: 'S', text: 'T', html: '<p>H</p>', unsubscribe: { url: 'https://x.es/u', mailto: 'u@x.es' } }, { idempotencyKey: 'k3' });
    expect([sms, wa, mail].map((r) => r.ok && r.status)).toEqual(['delivered', 'delivered', 'delivered']);
    const listed = await store.list({ tenantId: 'ten_1' });
    expect(listed.map((m) => [m.channel, m.text, m.template ?? null])).toEqual([['sms', 'Hola', null], ['whatsapp', 'Hola, Lucía…', 'tacto_lesson'], ['email', 'T', null]]);
    expect(listed[2]).toMatchObject({ subject: 'S', html: '<p>H</p>', from: 'Financiera Sol' });
  });

  it('sends a key once: a retry returns the first message and stores nothing new', async () => {
    const { store, adapter } = setup();
    const first = await adapter.send({ channel: 'sms', to: '+34600111222', body: 'Hola' }, { idempotencyKey: 'cnt_1:1' });
    const again = await adapter.send({ channel: 'sms', to: '+34600111222', body: 'Hola' }, { idempotencyKey: 'cnt_1:1' });
    expect(again).toEqual(first);
    expect(store.size()).toBe(1);
    const otherTenant = createSandboxAdapter({ provider: 'sandbox', tenantId: 'ten_2' }, { store });
    const theirs = await otherTenant.send({ channel: 'sms', to: '+34600111222', body: 'Hola' }, { idempotencyKey: 'cnt_1:1' });
    expect(theirs.ok && first.ok && theirs.externalId !== first.externalId).toBe(true);
    expect(store.size()).toBe(2);
  });

  it('enforces the WhatsApp window and SMS expiry like the real providers', async () => {
    const { adapter, clock } = setup();
    const closed = await adapter.send({ channel: 'whatsapp', to: '+34600111222', content: { kind: 'text', body: 'hola', serviceWindowClosesAt: new Date('2026-03-15T09:59:59Z') } }, { idempotencyKey: 'w1' });
    expect(closed).toMatchObject({ ok: false, kind: 'permanent', code: 'CHANNEL.WINDOW_CLOSED', providerCode: '131047' });
    const open = await adapter.send({ channel: 'whatsapp', to: '+34600111222', content: { kind: 'text', body: 'hola', serviceWindowClosesAt: new Date('2026-03-16T09:00:00Z') } }, { idempotencyKey: 'w2' });
    expect(open.ok).toBe(true);
    clock.advance(3600_000);
    const expired = await adapter.send({ channel: 'sms', to: '+34600111222', body: 'x', expiresAt: new Date('2026-03-15T10:30:00Z') }, { idempotencyKey: 's1' });
    expect(expired).toMatchObject({ ok: false, code: 'CHANNEL.EXPIRED' });
  });

  it('fails on Twilio’s test numbers and its own test addresses, and records the failure', async () => {
    const { store, adapter } = setup();
    expect(await adapter.send({ channel: 'sms', to: '+15005550004', body: 'x' }, { idempotencyKey: 'f1' })).toMatchObject({ ok: false, code: 'CHANNEL.RECIPIENT_OPTED_OUT', optOut: true, providerCode: '21610' });
    expect(await adapter.send({ channel: 'sms', to: '+15005550429', body: 'x' }, { idempotencyKey: 'f2' })).toMatchObject({ ok: false, kind: 'transient', code: 'CHANNEL.RATE_LIMITED' });
    expect(await adapter.send({ channel: 'email', to: 'bounce@sandbox.invalid', subject: 's', text: 't', html: 'h', unsubscribe: { url: 'https://x.es/u', mailto: 'u@x.es' } }, { idempotencyKey: 'f3' })).toMatchObject({ ok: false, code: 'CHANNEL.INVALID_RECIPIENT' });
    expect((await store.list({ tenantId: 'ten_1' })).map((m) => m.status)).toEqual(['failed', 'failed', 'failed']);
    expect(await adapter.send({ channel: 'sms', to: '+15005550004', body: 'x' }, { idempotencyKey: 'f1' })).toMatchObject({ ok: false, code: 'CHANNEL.RECIPIENT_OPTED_OUT' });
  });
});

describe('sandbox replies', () => {
  it('records a tester’s reply as the debtor and returns the inbound event', async () => {
    const { store, adapter, clock } = setup();
    await adapter.send({ channel: 'sms', to: '+34600111222', body: 'Hola, Lucía' }, { idempotencyKey: 'c1' });
    clock.advance(60_000);
    const event = await adapter.receive({ channel: 'sms', from: '+34600111222', to: 'Financiera Sol', text: 'BAJA' });
    expect(event).toMatchObject({ type: 'inbound', provider: 'sandbox', channel: 'sms', from: '+34600111222', text: 'BAJA', receivedAt: new Date('2026-03-15T10:01:00Z') });
    const conversation = await store.list({ tenantId: 'ten_1', address: '+34600111222' });
    expect(conversation.map((m) => [m.direction, m.text])).toEqual([['outbound', 'Hola, Lucía'], ['inbound', 'BAJA']]);
    expect(await store.list({ tenantId: 'ten_1', since: new Date('2026-03-15T10:00:30Z') })).toHaveLength(1);
    expect(await store.list({ tenantId: 'ten_1', direction: 'outbound', limit: 1 })).toHaveLength(1);
  });
});

describe('createChannelAdapter', () => {
  it('validates stored configuration and names the field', () => {
    expect(() => createChannelAdapter({ provider: 'twilio', accountSid: 'nope', authToken: 'x' })).toThrow(/accountSid/);
    expect(() => createChannelAdapter({ provider: 'sandbox', tenantId: 'ten_1' })).toThrow(/sandboxStore/);
    expect(() => createChannelAdapter({ provider: 'carrier-pigeon' })).toThrow();
  });

  it('builds each provider from its configuration', () => {
    const store = createMemorySandboxStore();
    expect(createChannelAdapter({ provider: 'sandbox', tenantId: 'ten_1' }, { sandboxStore: store }).provider).toBe('sandbox');
    const twilio = createChannelAdapter({ provider: 'twilio', accountSid: `AC${'0'.repeat(32)}`, authToken: '0123456789abcdef0', smsFrom: '+15005550006', statusCallbackUrl: 'https://api.tacto.example/webhooks/twilio' });
    expect([twilio.provider, twilio.channels, typeof twilio.findSent]).toEqual(['twilio', ['sms', 'whatsapp'], 'function']);
    const meta = createChannelAdapter({ provider: 'meta', phoneNumberId: '106540352242922', accessToken: 'EAA0123456789abcdef', appSecret: '0123456789abcdef0' });
    expect([meta.provider, meta.channels, meta.findSent]).toEqual(['meta', ['whatsapp'], undefined]);
  });

  it('refuses plain-http provider URLs other than loopback', () => {
    expect(() => createChannelAdapter({ provider: 'meta', phoneNumberId: '106540352242922', accessToken: 'EAA0123456789abcdef', appSecret: '0123456789abcdef0', baseUrl: 'http://graph.facebook.com' })).toThrow(/https/);
  });
});
