import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSmtp, type FakeSmtp } from '../../../test/fakes/smtp.ts';
import { createMemorySandboxStore, createSandboxAdapter, createSmtpAdapter } from '../../channels/index.ts';
import { fixedClock } from '../../lib/clock.ts';
import { detectOptOutKeyword } from './messaging.optout.domain.ts';
import { loadTemplateLibrary } from './messaging.library.ts';
import { toOutboundMessage } from './messaging.outbound.ts';
import { createTemplateRenderer, type RenderedMessage } from './messaging.render.ts';
import { sampleContext } from './messaging.samples.ts';
import type { Language, RenderContext, TemplateChannel } from './messaging.types.ts';

/**
 * From a starter template to a provider: render, build the adapter's message, send. The e-mail
 * goes through a real SMTP exchange and is read back; the rest through the sandbox channel.
 */
const library = loadTemplateLibrary();
// The 200 ms render limit is wall-clock: on a loaded machine it can trip a content test. The
// limit has tests of its own (messaging.render.test.ts, messaging.dispatch.test.ts).
const renderer = createTemplateRenderer({ layouts: library.layouts, clock: fixedClock('2026-03-10T10:00:00Z'), limits: { renderMs: 10_000 } });
let smtp: FakeSmtp;

const rendered = async (purpose: string, channel: TemplateChannel, language: Language, context: RenderContext): Promise<RenderedMessage> => {
  const source = library.find(purpose, channel, language);
  if (!source) throw new Error(`no ${purpose}/${channel}/${language}`);
  const compiled = renderer.compile(source);
  if (!compiled.ok) throw new Error(compiled.message);
  const r = await renderer.render(compiled.template, context);
  if (!r.ok) throw new Error(r.message);
  return r.message;
};

beforeAll(async () => {
  smtp = await startFakeSmtp();
});
afterAll(async () => {
  await smtp.close();
});

describe('e-mail end to end', () => {
  it('arrives with the payment link, the opt-out link in both bodies and one-click headers', async () => {
    const context = sampleContext('es', 'MX', 'agency');
    const message = await rendered('missed_payment_1', 'email', 'es', context);
    const optOutUrl = context.optOut?.url ?? '';
    const built = toOutboundMessage(message, { to: 'jose@example.mx', unsubscribe: { url: optOutUrl, mailto: 'baja+7Hk2Qm@creditoagil.mx' } });
    if (!built.ok) throw new Error(built.message);
    const adapter = createSmtpAdapter({ provider: 'smtp', host: '127.0.0.1', port: smtp.port, security: 'none', from: { name: 'Servicios Alfa', address: 'avisos@serviciosalfa.mx' }, timeoutMs: 3000 });
    const r = await adapter.send(built.message, { idempotencyKey: 'cnt_mx_1:1' });
    await adapter.close?.();
    expect(r.ok).toBe(true);
    const mail = smtp.mails.at(-1);
    expect(mail?.parsed.subject).toBe('¿Te ayudamos con tu cuota del 15 de marzo?');
    expect(mail?.parsed.text).toContain('Te escribimos de Servicios Alfa, en nombre de Crédito Ágil.');
    expect(mail?.parsed.text).toContain(optOutUrl);
    expect(mail?.parsed.html).toContain(`href="${context.link}"`);
    expect(mail?.parsed.html).toContain(`href="${optOutUrl}"`);
    expect(mail?.parsed.html).toContain('Darme de baja');
    expect(mail?.raw.replace(/\r\n[ \t]+/g, ' ')).toContain(`<${optOutUrl}>`);
  });
});

describe('SMS and WhatsApp through the sandbox', () => {
  const store = createMemorySandboxStore();
  const sandbox = createSandboxAdapter({ provider: 'sandbox', tenantId: 'ten_demo' }, { store, clock: fixedClock('2026-03-10T10:00:00Z') });

  it('stores the SMS exactly as rendered, within two GSM-7 segments', async () => {
    const message = await rendered('pre_due_reminder', 'sms', 'pt', sampleContext('pt', 'BR'));
    const built = toOutboundMessage(message, { to: '+5511999990000' });
    if (!built.ok) throw new Error(built.message);
    expect(await sandbox.send(built.message, { idempotencyKey: 'cnt_br_1:1' })).toMatchObject({ ok: true, status: 'delivered' });
    const [stored] = await store.list({ tenantId: 'ten_demo', address: '+5511999990000' });
    expect(stored?.text).toBe(message.parts.text);
    expect(message.sms).toMatchObject({ encoding: 'GSM-7', segments: 2 });
    expect(stored?.text).toContain('Responda SAIR para nao receber mais SMS.');
  });

  it('sends WhatsApp as the approved template, or as text inside an open window', async () => {
    const message = await rendered('plan_offer', 'whatsapp', 'es', sampleContext('es', 'CO'));
    const asTemplate = toOutboundMessage(message, { to: '+573001112233', twilioContentSid: `HX${'0'.repeat(32)}` });
    expect(asTemplate).toMatchObject({ ok: true, message: { content: { kind: 'template', name: 'tacto_plan_offer', language: 'es', bodyParameters: ['Camila', 'Banco Andino', '6', 'mensuales', '$\u00a0150.000', sampleContext('es', 'CO').link] } } });
    const asText = toOutboundMessage(message, { to: '+573001112233', serviceWindowClosesAt: new Date('2026-03-11T09:00:00Z') });
    if (!asText.ok) throw new Error(asText.message);
    expect(await sandbox.send(asText.message, { idempotencyKey: 'cnt_co_1:1' })).toMatchObject({ ok: true });
  });

  it('a debtor replying with the opt-out word is recognised', async () => {
    const reply = await sandbox.receive({ channel: 'sms', from: '+5511999990000', to: 'ten_demo', text: 'Sair.' });
    expect(detectOptOutKeyword(reply.text, 'pt')).toMatchObject({ action: 'opt_out', keyword: 'SAIR' });
  });

  it('refuses what no adapter carries', async () => {
    const c = sampleContext('en', 'US', 'agency');
    const voicemail = await rendered('voicemail_limited_content', 'voicemail', 'en', c);
    expect(toOutboundMessage(voicemail, { to: '+12125550100' })).toMatchObject({ ok: false, code: 'MESSAGING.NOT_SENDABLE' });
    const email = await rendered('lesson', 'email', 'en', c);
    expect(toOutboundMessage(email, { to: 'maria@example.com' })).toMatchObject({ ok: false, code: 'MESSAGING.NOT_SENDABLE' });
  });
});
