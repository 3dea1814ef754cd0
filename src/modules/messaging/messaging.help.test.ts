import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../../../test/support/app.ts';
import { givenMessagingTenant } from '../../../test/support/messaging.ts';

/**
 * HELP replies through the sandbox inbox: HELP/INFO/AYUDA/AJUDA is answered once per address
 * every 24 hours, on the same channel, in the debtor's language, with who writes, how to reach
 * them and how to stop.
 */
let t: Awaited<ReturnType<typeof startTestApp>>;
const START = '2026-03-16T10:00:00Z'; // Monday 11:00 in Madrid
beforeAll(async () => {
  t = await startTestApp(START);
});
afterAll(async () => t.close());

const reply = async (apiKey: string, channel: 'sms' | 'whatsapp' | 'email', from: string, text: string) => {
  const r = await t.app.inject({ method: 'POST', url: '/api/v1/sandbox/replies', headers: { authorization: `Bearer ${apiKey}` }, payload: { channel, from, text } });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { keywordAction: string | null; helpReply: boolean };
};

describe('help replies', () => {
  it.each([
    { language: 'es' as const, word: 'AYUDA', phone: '+34600800001', expected: ['Te escribe Banco Ejemplo', '910 000 000', 'ayuda@financierasol.es', 'BAJA'] },
    { language: 'en' as const, word: 'help', phone: '+34600800002', expected: ['This is Banco Ejemplo', '910 000 000', 'ayuda@financierasol.es', 'STOP'] },
    { language: 'pt' as const, word: 'Ajuda!', phone: '+34600800003', expected: ['Quem escreve é Banco Ejemplo', '910 000 000', 'ayuda@financierasol.es', 'SAIR'] },
  ])('answers $word by SMS in $language, once per address every 24 hours', async ({ language, word, phone, expected }) => {
    const m = await givenMessagingTenant(t.db);
    await t.services.messaging.registry.put(m.tenantId, { config: { provider: 'sandbox', tenantId: m.tenantId }, settings: { channels: ['sms', 'whatsapp', 'email'], ratePerSecond: 1000, burst: 1000 } });
    const d = await m.debtor({ phone, language });
    expect(await reply(m.apiKey, 'sms', phone, word)).toMatchObject({ keywordAction: 'help', helpReply: true });
    try {
      expect(await t.services.messaging.drain()).toMatchObject({ claimed: 1, sent: 1 });
      const thread = await t.services.messaging.sandbox.messages(m.tenantId, phone);
      expect(thread.map((x) => x.direction)).toEqual(['inbound', 'outbound']);
      const answer = thread[1]!;
      expect(answer.channel).toBe('sms');
      for (const part of expected) expect(answer.text).toContain(part);
      const contact = (await t.db.query<{ purpose: string; language: string; status: string; debtor_id: string }>(
        `SELECT purpose, language, status, debtor_id FROM scheduled_contacts WHERE tenant_id = $1 AND purpose = 'help_reply'`, [m.tenantId])).rows;
      expect(contact).toEqual([{ purpose: 'help_reply', language, status: 'delivered', debtor_id: d.debtorId }]);

      // Asked again within 24 hours: recorded, not answered.
      t.clock.advance(23 * 3600_000);
      expect(await reply(m.apiKey, 'sms', phone, 'INFO')).toMatchObject({ keywordAction: 'help', helpReply: false });
      expect((await t.services.messaging.drain()).claimed).toBe(0);
      // After 24 hours, answered again.
      t.clock.advance(2 * 3600_000);
      expect(await reply(m.apiKey, 'sms', phone, word)).toMatchObject({ keywordAction: 'help', helpReply: true });
      expect((await t.services.messaging.drain()).sent).toBe(1);
      expect((await t.services.messaging.sandbox.messages(m.tenantId, phone)).filter((x) => x.direction === 'outbound')).toHaveLength(2);
    } finally {
      t.clock.set(START);
    }
  });

  it('answers on WhatsApp inside the window it opened, free-form; other words and unknown numbers are not answered', async () => {
    const m = await givenMessagingTenant(t.db);
    await t.services.messaging.registry.put(m.tenantId, { config: { provider: 'sandbox', tenantId: m.tenantId }, settings: { channels: ['sms', 'whatsapp', 'email'], ratePerSecond: 1000, burst: 1000 } });
    await m.debtor({ whatsapp: '+34600800010', whatsappConsent: true });
    expect(await reply(m.apiKey, 'whatsapp', '+34600800010', 'ayuda')).toMatchObject({ keywordAction: 'help', helpReply: true });
    expect(await reply(m.apiKey, 'whatsapp', '+34600800010', 'Hola, ¿quién eres?')).toMatchObject({ keywordAction: null, helpReply: false });
    expect(await reply(m.apiKey, 'sms', '+34600800099', 'HELP')).toMatchObject({ keywordAction: 'help', helpReply: false });
    expect(await t.services.messaging.drain()).toMatchObject({ claimed: 1, sent: 1 });
    const answer = (await t.services.messaging.sandbox.messages(m.tenantId, '+34600800010')).find((x) => x.direction === 'outbound')!;
    expect(answer).toMatchObject({ channel: 'whatsapp', template: null });
    expect(answer.text).toContain('Te escribe Banco Ejemplo');
    expect(answer.text).toContain('910 000 000');
    expect(answer.text).toContain('escribe BAJA');
    const kinds = (await t.db.query<{ content_kind: string; purpose: string }>(`SELECT content_kind, purpose FROM messages WHERE tenant_id = $1`, [m.tenantId])).rows;
    expect(kinds).toEqual([{ content_kind: 'free_form', purpose: 'help_reply' }]);
  });
});
