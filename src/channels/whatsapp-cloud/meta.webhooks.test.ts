import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../channel.types.ts';
import { answerMetaSubscription, parseMetaInbound, parseMetaStatuses, verifyMetaSignature } from './meta.webhooks.ts';

/**
 * Meta webhook verification against a signature computed here with node:crypto, independently
 * of the adapter, and parsing of the documented payloads (statuses[] and messages[]).
 */
const SECRET = 'meta-app-secret-0123456789';

/** Meta's documented algorithm, written out independently: HMAC-SHA256 of the raw bytes, hex. */
const metaSign = (raw: Buffer): string => `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`;

const request = (raw: string | Buffer, signature?: string): WebhookRequest => ({
  url: 'https://api.tacto.example/webhooks/meta',
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(signature ? { 'X-Hub-Signature-256': signature } : {}) },
  rawBody: typeof raw === 'string' ? raw : new Uint8Array(raw),
});

const envelope = (value: Record<string, unknown>): string => JSON.stringify({
  object: 'whatsapp_business_account',
  entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001234', phone_number_id: '106540352242922' }, ...value } }] }],
});

describe('X-Hub-Signature-256', () => {
  // Unicode and escaped slashes: re-serialising this JSON would change its bytes.
  const raw = Buffer.from('{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[{"from":"34600111222","id":"wamid.A","timestamp":"1700000000","type":"text","text":{"body":"Ya pagu\\u00e9 \\/ gracias 🙏"}}]}}]}]}', 'utf8');

  it('accepts the raw body signed with the app secret', () => {
    expect(verifyMetaSignature(SECRET, request(raw, metaSign(raw)))).toEqual({ ok: true });
    expect(verifyMetaSignature(SECRET, request(raw.toString('utf8'), metaSign(raw)))).toEqual({ ok: true });
  });

  it('rejects the same JSON re-serialised, a changed body, another secret and a missing header', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8'))), 'utf8');
    expect(reserialised.equals(raw)).toBe(false);
    expect(verifyMetaSignature(SECRET, request(reserialised, metaSign(raw)))).toMatchObject({ ok: false, code: 'CHANNEL.SIGNATURE_INVALID' });
    expect(verifyMetaSignature(SECRET, request(raw.toString('utf8').replace('gracias', 'graciaS'), metaSign(raw)))).toMatchObject({ ok: false });
    expect(verifyMetaSignature('another-secret-0000000000', request(raw, metaSign(raw)))).toMatchObject({ ok: false, code: 'CHANNEL.SIGNATURE_INVALID' });
    expect(verifyMetaSignature(SECRET, request(raw))).toMatchObject({ ok: false, code: 'CHANNEL.SIGNATURE_MISSING' });
  });
});

describe('subscription handshake', () => {
  it('echoes hub.challenge only for our verify token', () => {
    const q = (token: string): URLSearchParams => new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.verify_token': token, 'hub.challenge': '1158201444' });
    expect(answerMetaSubscription(q('our-verify-token'), 'our-verify-token')).toEqual({ ok: true, challenge: '1158201444' });
    expect(answerMetaSubscription(q('guess'), 'our-verify-token')).toEqual({ ok: false });
  });
});

describe('statuses[]', () => {
  it('normalises sent, delivered, read and failed, with timestamps and our key', () => {
    const body = envelope({
      statuses: [
        { id: 'wamid.1', status: 'sent', timestamp: '1700000000', recipient_id: '34600111222', biz_opaque_callback_data: 'cnt_9:1' },
        { id: 'wamid.1', status: 'delivered', timestamp: '1700000005', recipient_id: '34600111222' },
        { id: 'wamid.1', status: 'read', timestamp: '1700000060', recipient_id: '34600111222' },
        { id: 'wamid.2', status: 'failed', timestamp: '1700000001', recipient_id: '15550000404', errors: [{ code: 131026, title: 'Message undeliverable', error_data: { details: 'Message Undeliverable.' } }] },
        { id: 'wamid.3', status: 'deleted', timestamp: '1700000002', recipient_id: '34600111222' },
      ],
    });
    const parsed = parseMetaStatuses(request(body));
    expect(parsed).toMatchObject({
      ok: true,
      events: [
        { externalId: 'wamid.1', status: 'sent', idempotencyKey: 'cnt_9:1', recipient: '+34600111222', occurredAt: new Date(1_700_000_000_000) },
        { externalId: 'wamid.1', status: 'delivered' },
        { externalId: 'wamid.1', status: 'read' },
        { externalId: 'wamid.2', status: 'failed', error: { providerCode: '131026', kind: 'permanent', scope: 'recipient' } },
      ],
    });
    expect(parsed.ok && parsed.events).toHaveLength(4);
  });

  it('ignores changes of other fields and rejects other objects', () => {
    const templateUpdate = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED' } }] }] });
    expect(parseMetaStatuses(request(templateUpdate))).toEqual({ ok: true, events: [] });
    expect(parseMetaStatuses(request(JSON.stringify({ object: 'page', entry: [] })))).toMatchObject({ ok: false, code: 'CHANNEL.WEBHOOK_MALFORMED' });
    expect(parseMetaStatuses(request('not json'))).toMatchObject({ ok: false });
  });
});

describe('messages[]', () => {
  it('reads text, button and interactive replies; media gives its caption or nothing', () => {
    const body = envelope({
      contacts: [{ profile: { name: 'Ana' }, wa_id: '5511999990000' }],
      messages: [
        { from: '5511999990000', id: 'wamid.t', timestamp: '1700000000', type: 'text', text: { body: 'SAIR' } },
        { from: '5511999990000', id: 'wamid.b', timestamp: '1700000001', type: 'button', button: { payload: 'pay', text: 'Quero pagar' } },
        { from: '5511999990000', id: 'wamid.i', timestamp: '1700000002', type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'plan6', title: '6 parcelas' } } },
        { from: '5511999990000', id: 'wamid.m', timestamp: '1700000003', type: 'image', image: { id: 'media1', mime_type: 'image/jpeg', caption: 'comprovante' } },
        { from: '5511999990000', id: 'wamid.a', timestamp: '1700000004', type: 'audio', audio: { id: 'media2' } },
      ],
    });
    const parsed = parseMetaInbound(request(body));
    expect(parsed.ok && parsed.events.map((e) => [e.contentType, e.text])).toEqual([
      ['text', 'SAIR'], ['button', 'Quero pagar'], ['interactive', '6 parcelas'], ['image', 'comprovante'], ['audio', ''],
    ]);
    expect(parsed.ok && parsed.events[0]).toMatchObject({ from: '+5511999990000', to: '106540352242922', externalId: 'wamid.t', receivedAt: new Date(1_700_000_000_000) });
  });

  it('a status-only webhook has no inbound messages', () => {
    expect(parseMetaInbound(request(envelope({ statuses: [] })))).toEqual({ ok: true, events: [] });
  });
});
