import fc from 'fast-check';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../channel.types.ts';
import { computeTwilioSignature, parseTwilioInbound, parseTwilioStatusCallback, verifyTwilioSignature } from './twilio.webhooks.ts';

/**
 * Signature verification checked against Twilio's official helper library (twilio-node's
 * `getExpectedTwilioSignature` and `validateRequest`), and the parsing of status callbacks and
 * inbound messages as Twilio documents them.
 */
const TOKEN = '12345678901234567890abcdef';

const formRequest = (url: string, params: Record<string, string>, signature?: string): WebhookRequest => ({
  url,
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(signature === undefined ? {} : { 'X-Twilio-Signature': signature }) },
  rawBody: new URLSearchParams(params).toString(),
});

const asMap = (params: Record<string, string>): Map<string, string[]> => new Map(Object.entries(params).map(([k, v]) => [k, [v]]));

describe('X-Twilio-Signature', () => {
  it('computes the same signature as twilio.getExpectedTwilioSignature for any URL and parameters', () => {
    const name = fc.string({ minLength: 1, maxLength: 12, unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_') });
    const value = fc.string({ maxLength: 40, unit: 'grapheme' });
    const url = fc.webUrl({ withQueryParameters: true });
    fc.assert(fc.property(url, fc.dictionary(name, value, { maxKeys: 12 }), (u, params) => {
      expect(computeTwilioSignature(TOKEN, u, asMap(params))).toBe(twilio.getExpectedTwilioSignature(TOKEN, u, params));
    }), { numRuns: 300 });
  });

  it('accepts exactly what twilio.validateRequest accepts', () => {
    const url = 'https://api.tacto.example/webhooks/twilio/status?tenant=ten_1&ik=cnt_01%3A1';
    const params = { MessageSid: `SM${'0'.repeat(32)}`, MessageStatus: 'delivered', To: '+34600111222', From: '+15005550006', AccountSid: `AC${'1'.repeat(32)}` };
    const good = twilio.getExpectedTwilioSignature(TOKEN, url, params);
    const cases: { name: string; url: string; params: Record<string, string>; signature: string }[] = [
      { name: 'as signed', url, params, signature: good },
      { name: 'received with the default port', url: url.replace('api.tacto.example', 'api.tacto.example:443'), params, signature: good },
      { name: 'a parameter changed', url, params: { ...params, MessageStatus: 'failed' }, signature: good },
      { name: 'a parameter added', url, params: { ...params, ErrorCode: '30003' }, signature: good },
      { name: 'the query changed', url: url.replace('ten_1', 'ten_2'), params, signature: good },
      { name: 'signed with another token', url, params, signature: twilio.getExpectedTwilioSignature('another-token-000000000', url, params) },
    ];
    for (const c of cases) {
      const ours = verifyTwilioSignature(TOKEN, formRequest(c.url, c.params, c.signature)).ok;
      expect({ name: c.name, ok: ours }).toEqual({ name: c.name, ok: twilio.validateRequest(TOKEN, c.signature, c.url, c.params) });
    }
  });

  it('reports a missing header apart from a wrong one', () => {
    expect(verifyTwilioSignature(TOKEN, formRequest('https://x.example/s', { A: '1' }))).toMatchObject({ ok: false, code: 'CHANNEL.SIGNATURE_MISSING' });
    expect(verifyTwilioSignature(TOKEN, formRequest('https://x.example/s', { A: '1' }, 'bm9wZQ=='))).toMatchObject({ ok: false, code: 'CHANNEL.SIGNATURE_INVALID' });
  });

  it('binds JSON bodies through bodySHA256 in the signed URL', () => {
    const body = JSON.stringify({ event: 'x' });
    const url = `https://api.tacto.example/hook?bodySHA256=${twilio.getExpectedBodyHash(body)}`;
    const signature = twilio.getExpectedTwilioSignature(TOKEN, url, {});
    const request = (raw: string): WebhookRequest => ({ url, method: 'POST', headers: { 'content-type': 'application/json', 'x-twilio-signature': signature }, rawBody: raw });
    expect(twilio.validateRequestWithBody(TOKEN, signature, url, body)).toBe(true);
    expect(verifyTwilioSignature(TOKEN, request(body))).toEqual({ ok: true });
    expect(verifyTwilioSignature(TOKEN, request(body.replace('x', 'y')))).toMatchObject({ ok: false, code: 'CHANNEL.SIGNATURE_INVALID' });
  });
});

describe('status callbacks', () => {
  const base = { MessageSid: 'SMabc', AccountSid: 'ACx', From: '+15005550006', To: '+34600111222', ApiVersion: '2010-04-01' };
  const rows: { twilio: string; ours: string }[] = [
    { twilio: 'accepted', ours: 'queued' }, { twilio: 'scheduled', ours: 'queued' }, { twilio: 'queued', ours: 'queued' },
    { twilio: 'sending', ours: 'sent' }, { twilio: 'sent', ours: 'sent' }, { twilio: 'delivered', ours: 'delivered' },
    { twilio: 'read', ours: 'read' }, { twilio: 'undelivered', ours: 'undelivered' }, { twilio: 'failed', ours: 'failed' },
    { twilio: 'canceled', ours: 'failed' },
  ];
  for (const row of rows) {
    it(`MessageStatus=${row.twilio} → ${row.ours}`, () => {
      const parsed = parseTwilioStatusCallback(formRequest('https://h.example/s?ik=k1', { ...base, MessageStatus: row.twilio }));
      expect(parsed).toMatchObject({ ok: true, events: [{ status: row.ours, externalId: 'SMabc', idempotencyKey: 'k1', channel: 'sms', recipient: '+34600111222' }] });
    });
  }

  it('classifies ErrorCode: 30003 handset off is transient, 21610 is an opt-out', () => {
    const off = parseTwilioStatusCallback(formRequest('https://h.example/s', { ...base, MessageStatus: 'undelivered', ErrorCode: '30003' }));
    expect(off).toMatchObject({ ok: true, events: [{ error: { providerCode: '30003', kind: 'transient', scope: 'recipient' } }] });
    const stop = parseTwilioStatusCallback(formRequest('https://h.example/s', { ...base, MessageStatus: 'failed', ErrorCode: '21610' }));
    expect(stop).toMatchObject({ ok: true, events: [{ error: { code: 'CHANNEL.RECIPIENT_OPTED_OUT', optOut: true } }] });
  });

  it('recognises WhatsApp by the address prefix', () => {
    const parsed = parseTwilioStatusCallback(formRequest('https://h.example/s', { ...base, To: 'whatsapp:+34600111222', MessageStatus: 'read' }));
    expect(parsed).toMatchObject({ ok: true, events: [{ channel: 'whatsapp', recipient: '+34600111222', status: 'read' }] });
  });

  it('rejects callbacks without a SID or a known status', () => {
    expect(parseTwilioStatusCallback(formRequest('https://h.example/s', { MessageStatus: 'sent' }))).toMatchObject({ ok: false, code: 'CHANNEL.WEBHOOK_MALFORMED' });
    expect(parseTwilioStatusCallback(formRequest('https://h.example/s', { ...base, MessageStatus: 'teleported' }))).toMatchObject({ ok: false });
  });
});

describe('inbound messages', () => {
  it('parses an SMS reply and Twilio’s own opt-out handling', () => {
    const parsed = parseTwilioInbound(formRequest('https://h.example/in', {
      MessageSid: 'SMin1', AccountSid: 'ACx', From: '+34600111222', To: '+15005550006', Body: 'BAJA', NumMedia: '0', OptOutType: 'STOP',
    }));
    expect(parsed).toEqual({ ok: true, events: [{ type: 'inbound', provider: 'twilio', channel: 'sms', externalId: 'SMin1', from: '+34600111222', to: '+15005550006', text: 'BAJA', contentType: 'text', providerOptOut: 'stop' }] });
  });

  it('parses a WhatsApp quick-reply button', () => {
    const parsed = parseTwilioInbound(formRequest('https://h.example/in', {
      MessageSid: 'SMin2', From: 'whatsapp:+5511999990000', To: 'whatsapp:+14155238886', Body: 'Quero pagar', ButtonText: 'Quero pagar', ButtonPayload: 'pay',
    }));
    expect(parsed).toMatchObject({ ok: true, events: [{ channel: 'whatsapp', from: '+5511999990000', text: 'Quero pagar', contentType: 'button' }] });
  });

  it('needs MessageSid, From and To', () => {
    expect(parseTwilioInbound(formRequest('https://h.example/in', { Body: 'hola' }))).toMatchObject({ ok: false, code: 'CHANNEL.WEBHOOK_MALFORMED' });
  });
});
