import { describe, expect, it } from 'vitest';
import { splitMetaWebhook } from './messaging.metaroute.domain.ts';

const change = (phoneNumberId: string | number | null, value: Record<string, unknown> = {}) => ({
  field: 'messages',
  value: { messaging_product: 'whatsapp', ...(phoneNumberId === null ? {} : { metadata: { display_phone_number: '15550001234', phone_number_id: phoneNumberId } }), ...value },
});
const status = (id: string) => ({ statuses: [{ id, status: 'delivered', timestamp: '1773655200', recipient_id: '34611222333' }] });
const body = (entry: unknown[]) => JSON.stringify({ object: 'whatsapp_business_account', entry });

describe('splitMetaWebhook', () => {
  it.each([
    {
      name: 'one number',
      raw: body([{ id: 'WABA1', changes: [change('111', status('wamid.1'))] }]),
      parts: [['111', [{ id: 'WABA1', changes: [change('111', status('wamid.1'))] }]]],
      unrouted: 0,
    },
    {
      name: 'two numbers in one entry, kept in order',
      raw: body([{ id: 'WABA1', time: 1773655200, changes: [change('111', status('a')), change('222', status('b')), change('111', status('c'))] }]),
      parts: [
        ['111', [{ id: 'WABA1', time: 1773655200, changes: [change('111', status('a')), change('111', status('c'))] }]],
        ['222', [{ id: 'WABA1', time: 1773655200, changes: [change('222', status('b'))] }]],
      ],
      unrouted: 0,
    },
    {
      name: 'numbers of different accounts (entries)',
      raw: body([{ id: 'WABA1', changes: [change('111', status('a'))] }, { id: 'WABA2', changes: [change('333', status('b'))] }, { id: 'WABA1', changes: [change('111', status('c'))] }]),
      parts: [
        ['111', [{ id: 'WABA1', changes: [change('111', status('a'))] }, { id: 'WABA1', changes: [change('111', status('c'))] }]],
        ['333', [{ id: 'WABA2', changes: [change('333', status('b'))] }]],
      ],
      unrouted: 0,
    },
    {
      name: 'a numeric id, and a change without metadata (e.g. an account alert)',
      raw: body([{ id: 'WABA1', changes: [change(444, status('a')), { field: 'account_alerts', value: { entity_type: 'WABA' } }, change(null, status('b'))] }]),
      parts: [['444', [{ id: 'WABA1', changes: [change(444, status('a'))] }]]],
      unrouted: 2,
    },
    { name: 'no entries', raw: body([]), parts: [], unrouted: 0 },
  ])('$name', ({ raw, parts, unrouted }) => {
    const r = splitMetaWebhook(raw);
    if (!r.ok) throw new Error(r.message);
    expect(r.parts.map((p) => [p.phoneNumberId, p.body.entry])).toEqual(parts);
    expect(r.parts.every((p) => p.body.object === 'whatsapp_business_account')).toBe(true);
    expect(r.unrouted).toBe(unrouted);
  });

  it.each([
    ['not JSON', '{"object":', 'the body is not JSON'],
    ['another object', JSON.stringify({ object: 'page', entry: [] }), 'object: expected "whatsapp_business_account"'],
    ['no entry array', JSON.stringify({ object: 'whatsapp_business_account' }), 'entry: expected an array'],
    ['an entry without changes', body([{ id: 'WABA1' }]), 'entry[0].changes: expected an array'],
  ])('refuses %s, naming the field', (_name, raw, message) => {
    expect(splitMetaWebhook(raw)).toEqual({ ok: false, message });
  });
});
