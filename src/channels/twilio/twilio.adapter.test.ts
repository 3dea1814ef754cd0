import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver } from '../../../test/fakes/http.ts';
import { startFakeTwilio, type FakeTwilio } from '../../../test/fakes/twilio.ts';
import { TwilioConfig } from '../channel.config.ts';
import { isStatusAdvance, sha256Hex } from '../channel.support.ts';
import type { ChannelAdapter, SendFailure, StatusEvent, WebhookRequest } from '../channel.types.ts';
import { createOutboundFetch } from '../../lib/outbound-fetch.ts';
import { createTwilioAdapter } from './twilio.adapter.ts';

/**
 * The Twilio adapter against a local fake speaking Twilio's REST API over real HTTP: form
 * fields, Basic auth, error mapping, status callbacks signed like Twilio's, and post-crash
 * reconciliation through the list endpoint.
 */
const ACCOUNT = `AC${'a1'.repeat(16)}`;
const TOKEN = 'test-auth-token-0123456789abcdef';
const KEY = { sid: `SK${'b2'.repeat(16)}`, secret: 'api-key-secret-0123456789' };
const SERVICE = `MG${'c3'.repeat(16)}`;

let fake: FakeTwilio;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let adapter: ChannelAdapter;

const config = (overrides: Partial<TwilioConfig> = {}): TwilioConfig => TwilioConfig.parse({
  provider: 'twilio', accountSid: ACCOUNT, authToken: TOKEN, smsFrom: '+15005550006', whatsappFrom: '+14155238886',
  statusCallbackUrl: `${receiver.url}/webhooks/twilio/status?tenant=ten_1`, baseUrl: fake.url, timeoutMs: 2000, ...overrides,
});

const asRequest = (r: { url: string; method: string; headers: Record<string, string | string[] | undefined>; rawBody: Buffer }): WebhookRequest =>
  ({ url: r.url, method: r.method, headers: r.headers, rawBody: r.rawBody });

const failed = (r: unknown): SendFailure => {
  expect(r).toMatchObject({ ok: false });
  return r as SendFailure;
};

beforeAll(async () => {
  fake = await startFakeTwilio({ accountSid: ACCOUNT, authToken: TOKEN, apiKeys: [KEY] });
  receiver = await startReceiver();
  adapter = createTwilioAdapter(config());
});
afterAll(async () => {
  await fake.close();
  await receiver.close();
});

describe('sending an SMS', () => {
  it('posts the documented form fields and returns the SID', async () => {
    const expiresAt = new Date(Date.now() + 2 * 3600_000);
    const result = await adapter.send({ channel: 'sms', to: '+34600111222', body: 'Hola, Lucia. Responde BAJA para no recibir mas SMS.', expiresAt }, { idempotencyKey: 'cnt_01:1' });
    expect(result).toMatchObject({ ok: true, status: 'queued', segments: 1 });
    const stored = fake.messages.at(-1);
    expect(result.ok && result.externalId).toBe(stored?.sid);
    expect(stored).toMatchObject({ to: '+34600111222', from: '+15005550006', body: 'Hola, Lucia. Responde BAJA para no recibir mas SMS.' });
    expect(new URL(stored?.statusCallback ?? '').searchParams.get('ik')).toBe('cnt_01:1');
    expect(new URL(stored?.statusCallback ?? '').searchParams.get('tenant')).toBe('ten_1');
    expect(stored?.validityPeriod).toBeGreaterThan(7100);
    expect(stored?.validityPeriod).toBeLessThanOrEqual(7200);
  });

  it('sends through a Messaging Service with an API key', async () => {
    const viaService = createTwilioAdapter(config({ messagingServiceSid: SERVICE, apiKey: KEY }));
    const result = await viaService.send({ channel: 'sms', to: '+34600111223', body: 'Hola' }, { idempotencyKey: 'cnt_02:1' });
    expect(result).toMatchObject({ ok: true, status: 'queued' });
    expect(fake.messages.at(-1)).toMatchObject({ messagingServiceSid: SERVICE, from: null, status: 'accepted' });
  });

  it('caps the validity period at Twilio’s 10 hours and refuses an expired message without calling Twilio', async () => {
    await adapter.send({ channel: 'sms', to: '+34600111224', body: 'x', expiresAt: new Date(Date.now() + 20 * 3600_000) }, { idempotencyKey: 'cnt_03:1' });
    expect(fake.messages.at(-1)?.validityPeriod).toBe(36_000);
    const before = fake.createRequests;
    const r = failed(await adapter.send({ channel: 'sms', to: '+34600111224', body: 'x', expiresAt: new Date(Date.now() - 1000) }, { idempotencyKey: 'cnt_03:2' }));
    expect(r).toMatchObject({ kind: 'permanent', code: 'CHANNEL.EXPIRED' });
    expect(fake.createRequests).toBe(before);
  });

  it('a tenant-given base URL on a private network is refused by the outbound guard: permanent, nothing reaches it', async () => {
    const guarded = createTwilioAdapter(config(), { fetch: createOutboundFetch({ allowPrivate: false }) });
    const before = fake.createRequests;
    const r = failed(await guarded.send({ channel: 'sms', to: '+34600111226', body: 'x' }, { idempotencyKey: 'cnt_04:1' }));
    expect(r).toMatchObject({ kind: 'permanent', code: 'CHANNEL.ADDRESS_NOT_PUBLIC', scope: 'account', uncertain: false });
    expect(fake.createRequests).toBe(before);
    // Allowed on purpose (an on-premises gateway): it goes through.
    const allowed = createTwilioAdapter(config(), { fetch: createOutboundFetch({ allowPrivate: true }) });
    expect(await allowed.send({ channel: 'sms', to: '+34600111226', body: 'x' }, { idempotencyKey: 'cnt_04:2' })).toMatchObject({ ok: true });
  });

  it('rejects a malformed idempotency key as a programming error', async () => {
    await expect(adapter.send({ channel: 'sms', to: '+34600111225', body: 'x' }, { idempotencyKey: 'has spaces' })).rejects.toThrow(TypeError);
  });
});

describe('Twilio errors become typed failures', () => {
  const rows: { to: string; code: string; kind: string; scope: string; provider: string; optOut?: boolean }[] = [
    { to: '+15005550001', code: 'CHANNEL.INVALID_RECIPIENT', kind: 'permanent', scope: 'recipient', provider: '21211' },
    { to: '+15005550002', code: 'CHANNEL.RECIPIENT_UNREACHABLE', kind: 'permanent', scope: 'recipient', provider: '21612' },
    { to: '+15005550003', code: 'CHANNEL.ACCOUNT_RESTRICTED', kind: 'permanent', scope: 'account', provider: '21408' },
    { to: '+15005550004', code: 'CHANNEL.RECIPIENT_OPTED_OUT', kind: 'permanent', scope: 'recipient', provider: '21610', optOut: true },
    { to: '+15005550009', code: 'CHANNEL.INVALID_RECIPIENT', kind: 'permanent', scope: 'recipient', provider: '21614' },
  ];
  for (const row of rows) {
    it(`${row.provider} → ${row.code}`, async () => {
      const r = failed(await adapter.send({ channel: 'sms', to: row.to, body: 'hola' }, { idempotencyKey: `err_${row.provider}` }));
      expect(r).toMatchObject({ kind: row.kind, code: row.code, scope: row.scope, providerCode: row.provider });
      expect(r.optOut ?? false).toBe(row.optOut ?? false);
      // Twilio quotes the number in its message; it must not leave the adapter.
      expect(r.message).not.toMatch(/5005550/);
    });
  }

  it('bad credentials pause the account, not the message', async () => {
    const wrong = createTwilioAdapter(config({ authToken: 'wrong-token-0123456789' }));
    const r = failed(await wrong.send({ channel: 'sms', to: '+34600111226', body: 'x' }, { idempotencyKey: 'auth_1' }));
    expect(r).toMatchObject({ kind: 'permanent', code: 'CHANNEL.AUTH_FAILED', scope: 'account', providerCode: '20003' });
  });

  it('429 is transient and carries Retry-After', async () => {
    fake.failNext({ status: 429, code: 20429, message: 'Too Many Requests', retryAfter: '7' });
    const r = failed(await adapter.send({ channel: 'sms', to: '+34600111227', body: 'x' }, { idempotencyKey: 'rl_1' }));
    expect(r).toMatchObject({ kind: 'transient', code: 'CHANNEL.RATE_LIMITED', retryAfterSeconds: 7 });
    expect(r.uncertain).toBeUndefined();
  });

  it('a 5xx is transient and uncertain: reconcile before retrying', async () => {
    fake.failNext({ status: 503, message: 'Service Unavailable' });
    const r = failed(await adapter.send({ channel: 'sms', to: '+34600111228', body: 'x' }, { idempotencyKey: 'srv_1' }));
    expect(r).toMatchObject({ kind: 'transient', code: 'CHANNEL.PROVIDER_UNAVAILABLE', uncertain: true });
  });

  it('a refused connection is transient and certainly not sent', async () => {
    const closed = await startReceiver();
    await closed.close();
    const offline = createTwilioAdapter(config({ baseUrl: closed.url }));
    const r = failed(await offline.send({ channel: 'sms', to: '+34600111229', body: 'x' }, { idempotencyKey: 'net_1' }));
    expect(r).toMatchObject({ kind: 'transient', code: 'CHANNEL.NETWORK', uncertain: false });
  });
});

describe('WhatsApp through Twilio', () => {
  it('sends an approved template by Content SID with numbered variables', async () => {
    const r = await adapter.send({
      channel: 'whatsapp', to: '+34600111230',
      content: { kind: 'template', name: 'tacto_pre_due_reminder', language: 'es', contentSid: `HX${'d4'.repeat(16)}`, bodyParameters: ['Lucía', '185,40 €'], previewText: '…' },
    }, { idempotencyKey: 'wa_1' });
    expect(r).toMatchObject({ ok: true });
    expect(fake.messages.at(-1)).toMatchObject({ to: 'whatsapp:+34600111230', from: 'whatsapp:+14155238886', contentVariables: { 1: 'Lucía', 2: '185,40 €' } });
  });

  it('refuses free-form text once the 24-hour window has closed, without calling Twilio', async () => {
    const before = fake.createRequests;
    const r = failed(await adapter.send({ channel: 'whatsapp', to: '+34600111231', content: { kind: 'text', body: 'hola', serviceWindowClosesAt: new Date(Date.now() - 1) } }, { idempotencyKey: 'wa_2' }));
    expect(r).toMatchObject({ kind: 'permanent', code: 'CHANNEL.WINDOW_CLOSED' });
    expect(fake.createRequests).toBe(before);
  });

  it('reports 63016 from the callback when the caller was wrong about the window', async () => {
    const r = await adapter.send({ channel: 'whatsapp', to: '+34600111232', content: { kind: 'text', body: 'hola', serviceWindowClosesAt: new Date(Date.now() + 3600_000) } }, { idempotencyKey: 'wa_3' });
    expect(r.ok).toBe(true);
    const seen = receiver.requests.length;
    await fake.settle(r.ok ? r.externalId : '');
    const [call] = (await receiver.waitFor(seen + 1)).slice(seen);
    const parsed = adapter.webhooks?.parseStatusCallback(asRequest(call as never));
    expect(parsed).toMatchObject({ ok: true, events: [{ status: 'failed', channel: 'whatsapp', idempotencyKey: 'wa_3', error: { providerCode: '63016', code: 'CHANNEL.WINDOW_CLOSED', kind: 'permanent' } }] });
  });
});

describe('status callbacks', () => {
  it('verifies and parses each callback Twilio posts, in order', async () => {
    const r = await adapter.send({ channel: 'sms', to: '+34600111233', body: 'status test' }, { idempotencyKey: 'st_1' });
    const seen = receiver.requests.length;
    await fake.settle(r.ok ? r.externalId : '', 'delivered');
    const calls = (await receiver.waitFor(seen + 2)).slice(seen);
    const events: StatusEvent[] = [];
    for (const call of calls) {
      expect(adapter.webhooks?.verifySignature(asRequest(call))).toEqual({ ok: true });
      const parsed = adapter.webhooks?.parseStatusCallback(asRequest(call));
      if (parsed?.ok) events.push(...parsed.events);
    }
    expect(events.map((e) => e.status)).toEqual(['sent', 'delivered']);
    expect(events.every((e) => e.idempotencyKey === 'st_1' && e.externalId === (r.ok ? r.externalId : ''))).toBe(true);
    expect(isStatusAdvance('delivered', 'sent')).toBe(false);
  });

  it('a callback replayed with a changed status fails verification', async () => {
    const call = receiver.requests.at(-1);
    if (!call) throw new Error('no callback recorded');
    const tampered = Buffer.from(call.rawBody.toString('utf8').replace('MessageStatus=delivered', 'MessageStatus=failed'));
    expect(adapter.webhooks?.verifySignature({ ...asRequest(call), rawBody: tampered })).toMatchObject({ ok: false, code: 'CHANNEL.SIGNATURE_INVALID' });
  });
});

describe('reconciliation after a crash between send and record', () => {
  it('finds the message Twilio created although the response never arrived', async () => {
    const body = 'Hola, José. Tu cuota vence el 15 de marzo.';
    const sentAfter = new Date(Date.now() - 1000);
    fake.dropNextResponse();
    const r = failed(await adapter.send({ channel: 'sms', to: '+5215512345678', body }, { idempotencyKey: 'crash_1' }));
    expect(r).toMatchObject({ kind: 'transient', uncertain: true });
    const created = fake.messages.at(-1);
    if (!created) throw new Error('the fake stored nothing');

    // Still queued at Twilio: no date_sent yet, so the DateSent filter cannot see it.
    expect(await adapter.findSent?.({ channel: 'sms', to: '+5215512345678', sentAfter, bodySha256: sha256Hex(body) })).toEqual({ ok: true, matches: [] });

    const seen = receiver.requests.length;
    await fake.settle(created.sid);
    const found = await adapter.findSent?.({ channel: 'sms', to: '+5215512345678', sentAfter, bodySha256: sha256Hex(body) });
    expect(found).toMatchObject({ ok: true, matches: [{ externalId: created.sid, status: 'delivered', bodyMatched: true }] });
    const other = await adapter.findSent?.({ channel: 'sms', to: '+5215512345678', sentAfter, bodySha256: sha256Hex('another body') });
    expect(other).toEqual({ ok: true, matches: [] });

    // The orphan's callbacks name the contact through the signed callback URL.
    const [first] = (await receiver.waitFor(seen + 1)).slice(seen);
    const parsed = adapter.webhooks?.parseStatusCallback(asRequest(first as never));
    expect(parsed).toMatchObject({ ok: true, events: [{ idempotencyKey: 'crash_1', externalId: created.sid }] });
  });

  it('follows next_page_uri across pages', async () => {
    const to = '+5215599990000';
    const sentAfter = new Date(Date.now() - 1000);
    for (let i = 0; i < 105; i++) {
      const r = await adapter.send({ channel: 'sms', to, body: `mensaje ${i}` }, { idempotencyKey: `page_${i}` });
      if (r.ok) await fake.settle(r.externalId);
    }
    const all = await adapter.findSent?.({ channel: 'sms', to, sentAfter });
    expect(all?.ok && all.matches.length).toBe(105);
    const one = await adapter.findSent?.({ channel: 'sms', to, sentAfter, bodySha256: sha256Hex('mensaje 3') });
    expect(one?.ok && one.matches.map((m) => m.bodyMatched)).toEqual([true]);
  });
});
