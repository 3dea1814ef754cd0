import { describe, expect, it } from 'vitest';
import { describeChannelConfig, TwilioConfig } from './channel.config.ts';
import { DELIVERY_STATUSES, type DeliveryStatus } from './channel.types.ts';
import { header, isStatusAdvance, isValidIdempotencyKey, parseForm, redact, retryAfterSeconds } from './channel.support.ts';

describe('redact', () => {
  const rows: [string, string][] = [
    ["The 'To' number +15005550001 is not a valid phone number.", "The 'To' number [phone] is not a valid phone number."],
    ['Message Undeliverable for whatsapp:+5511999990000', 'Message Undeliverable for [phone]'],
    ['550 5.1.1 <nobody@example.es>: User unknown', '550 5.1.1 <[email]>: User unknown'],
    [`Account AC${'ab'.repeat(16)} suspended`, 'Account AC[sid] suspended'],
    ['(#131026) Message undeliverable on 2026-03-15', '(#131026) Message undeliverable on 2026-03-15'],
    ['call (11) 4000-0000 now', 'call [phone] now'],
  ];
  for (const [input, output] of rows) it(input, () => expect(redact(input)).toBe(output));
});

describe('status order', () => {
  it('never moves back, and a read receipt proves delivery', () => {
    const advances = (from: DeliveryStatus) => DELIVERY_STATUSES.filter((to) => isStatusAdvance(from, to));
    expect(advances('queued')).toEqual(['sent', 'delivered', 'read', 'undelivered', 'failed']);
    expect(advances('sent')).toEqual(['delivered', 'read', 'undelivered', 'failed']);
    expect(advances('delivered')).toEqual(['read']);
    expect(advances('failed')).toEqual(['read']);
    expect(advances('read')).toEqual([]);
  });
});

describe('helpers', () => {
  it('reads headers in any case and forms with repeated names', () => {
    const req = { url: 'https://x', method: 'POST', headers: { 'X-Twilio-Signature': 'abc', 'x-multi': ['1', '2'] }, rawBody: '' };
    expect(header(req, 'x-twilio-signature')).toBe('abc');
    expect(header(req, 'X-MULTI')).toBe('1');
    expect(parseForm('a=1&b=2&a=3&c=%C3%B1+x').get('a')).toEqual(['1', '3']);
    expect(parseForm('c=%C3%B1+x').get('c')).toEqual(['ñ x']);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = new Date('2026-03-15T10:00:00Z');
    expect(retryAfterSeconds('30', now)).toBe(30);
    expect(retryAfterSeconds('Sun, 15 Mar 2026 10:01:00 GMT', now)).toBe(60);
    expect(retryAfterSeconds('Sun, 15 Mar 2026 09:00:00 GMT', now)).toBeUndefined();
    expect(retryAfterSeconds(null, now)).toBeUndefined();
  });

  it('accepts idempotency keys safe in URLs and headers', () => {
    expect(['cnt_01J8:3', 'a.b-c_d', 'x'.repeat(200)].every(isValidIdempotencyKey)).toBe(true);
    expect(['', 'with space', 'a/b', 'x'.repeat(201), 'ñ'].some(isValidIdempotencyKey)).toBe(false);
  });

  it('never prints secrets of a configuration', () => {
    const config = TwilioConfig.parse({ provider: 'twilio', accountSid: `AC${'0'.repeat(32)}`, authToken: 'super-secret-token-1', apiKey: { sid: `SK${'1'.repeat(32)}`, secret: 'another-secret-value' }, smsFrom: '+15005550006', statusCallbackUrl: 'https://x.example/s' });
    const printed = JSON.stringify(describeChannelConfig(config));
    expect(printed).not.toContain('super-secret-token-1');
    expect(printed).not.toContain('another-secret-value');
    expect(printed).toContain('"authToken":"[secret]"');
  });
});
