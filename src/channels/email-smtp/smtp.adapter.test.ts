import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSmtp, type FakeSmtp } from '../../../test/fakes/smtp.ts';
import { startReceiver } from '../../../test/fakes/http.ts';
import { SmtpConfig } from '../channel.config.ts';
import type { ChannelAdapter, EmailMessage, SendFailure } from '../channel.types.ts';
import { classifySmtpReply } from './smtp.errors.ts';
import { createSmtpAdapter, messageIdFor } from './smtp.adapter.ts';

/**
 * E-mail through a real SMTP exchange with an in-process server (smtp-server), parsed back with
 * mailparser: headers, both bodies, the unsubscribe link, Message-ID stability, and the mapping
 * of SMTP replies.
 */
let smtp: FakeSmtp;
let adapter: ChannelAdapter;

const config = (overrides: Partial<SmtpConfig> = {}): SmtpConfig => SmtpConfig.parse({
  provider: 'smtp', host: '127.0.0.1', port: smtp.port, security: 'none', auth: { user: 'tacto', pass: 'smtp-secret' },
  from: { name: 'Financiera Sol', address: 'avisos@financierasol.es' }, replyTo: 'ayuda@financierasol.es', timeoutMs: 3000, ...overrides,
});

const email = (overrides: Partial<EmailMessage> = {}): EmailMessage => ({
  channel: 'email',
  to: 'lucia@example.es',
  subject: 'Tu cuota de 185,40 € vence el 15 de marzo',
  text: 'Hola, Lucía:\n\nTu próxima cuota es de 185,40 €.\n\nDarte de baja: https://pagos.financierasol.es/baja/7Hk2Qm',
  html: '<p>Hola, Lucía:</p><p>Tu próxima cuota es de <strong>185,40 €</strong>.</p><p><a href="https://pagos.financierasol.es/baja/7Hk2Qm">Darme de baja</a></p>',
  unsubscribe: { url: 'https://pagos.financierasol.es/baja/7Hk2Qm', mailto: 'baja+7Hk2Qm@financierasol.es' },
  ...overrides,
});

const failed = (r: unknown): SendFailure => {
  expect(r).toMatchObject({ ok: false });
  return r as SendFailure;
};

beforeAll(async () => {
  smtp = await startFakeSmtp({ user: 'tacto', pass: 'smtp-secret' });
  adapter = createSmtpAdapter(config());
});
afterAll(async () => {
  await adapter.close?.();
  await smtp.close();
});

describe('an e-mail over SMTP', () => {
  it('arrives with From, To, Reply-To, Subject, both bodies and the one-click unsubscribe headers', async () => {
    const r = await adapter.send(email(), { idempotencyKey: 'cnt_01J:1' });
    expect(r).toEqual({ ok: true, externalId: messageIdFor('cnt_01J:1', 'financierasol.es'), status: 'sent' });
    const mail = smtp.mails.at(-1);
    if (!mail) throw new Error('nothing received');
    const { parsed } = mail;
    expect(mail.envelope).toEqual({ from: 'avisos@financierasol.es', to: ['lucia@example.es'] });
    expect(parsed.from?.value).toEqual([{ name: 'Financiera Sol', address: 'avisos@financierasol.es' }]);
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0]?.address : undefined).toBe('lucia@example.es');
    expect(parsed.replyTo?.value[0]?.address).toBe('ayuda@financierasol.es');
    expect(parsed.subject).toBe('Tu cuota de 185,40 € vence el 15 de marzo');
    expect(parsed.messageId).toBe(messageIdFor('cnt_01J:1', 'financierasol.es'));
    expect(parsed.text).toContain('Tu próxima cuota es de 185,40 €.');
    expect(parsed.html).toContain('<strong>185,40 €</strong>');
    expect(parsed.html).toContain('href="https://pagos.financierasol.es/baja/7Hk2Qm"');
    // RFC 2369 + RFC 8058, as Gmail and Yahoo require of bulk senders.
    // mailparser folds List-* headers into `list`; the raw header block is checked as sent.
    const headerBlock = (mail.raw.split('\r\n\r\n')[0] ?? '').replace(/\r\n[ \t]+/g, ' ');
    expect(headerBlock).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    expect(headerBlock).toMatch(/^List-Unsubscribe: <mailto:baja\+7Hk2Qm@financierasol\.es\?subject=unsubscribe>,\s*<https:\/\/pagos\.financierasol\.es\/baja\/7Hk2Qm>/m);
    expect((parsed.headers.get('list') as { unsubscribe?: unknown } | undefined)?.unsubscribe).toMatchObject({ url: 'https://pagos.financierasol.es/baja/7Hk2Qm', mail: 'baja+7Hk2Qm@financierasol.es?subject=unsubscribe' });
  });

  it('gives a resend the same Message-ID, so the duplicate is recognisable', async () => {
    await adapter.send(email(), { idempotencyKey: 'cnt_02J:1' });
    await adapter.send(email(), { idempotencyKey: 'cnt_02J:1' });
    await adapter.send(email(), { idempotencyKey: 'cnt_02J:2' });
    const ids = smtp.mails.slice(-3).map((m) => m.parsed.messageId);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(ids[0]).not.toContain('cnt_02J');
  });

  it('uses the configured Message-ID domain', async () => {
    const branded = createSmtpAdapter(config({ messageIdDomain: 'mail.tacto.example' }));
    const r = await branded.send(email(), { idempotencyKey: 'cnt_03J:1' });
    expect(r.ok && r.externalId).toMatch(/^<[0-9a-f]{32}@mail\.tacto\.example>$/);
    await branded.close?.();
  });

  it('refuses a message whose one-click link is not https', async () => {
    const r = failed(await adapter.send(email({ unsubscribe: { url: 'http://pagos.financierasol.es/baja/1', mailto: 'baja@financierasol.es' } }), { idempotencyKey: 'cnt_04J:1' }));
    expect(r).toMatchObject({ kind: 'permanent', code: 'CHANNEL.INVALID_MESSAGE' });
  });
});

describe('SMTP failures', () => {
  it('550 5.1.1 for the recipient is permanent for that address, and the address is redacted', async () => {
    smtp.rejectRecipient('nobody@example.es', 550, '5.1.1 <nobody@example.es>: Recipient address rejected: User unknown');
    const r = failed(await adapter.send(email({ to: 'nobody@example.es' }), { idempotencyKey: 'bounce_1' }));
    expect(r).toMatchObject({ kind: 'permanent', code: 'CHANNEL.INVALID_RECIPIENT', scope: 'recipient', providerCode: '550' });
    expect(r.message).not.toContain('nobody@');
  });

  it('451 4.7.1 greylisting is transient', async () => {
    smtp.rejectRecipient('grey@example.es', 451, '4.7.1 Greylisted, please try again later');
    const r = failed(await adapter.send(email({ to: 'grey@example.es' }), { idempotencyKey: 'grey_1' }));
    expect(r).toMatchObject({ kind: 'transient', code: 'CHANNEL.PROVIDER_UNAVAILABLE' });
    expect(r.uncertain).toBeFalsy();
  });

  it('wrong credentials pause the account', async () => {
    const wrong = createSmtpAdapter(config({ auth: { user: 'tacto', pass: 'wrong' } }));
    const r = failed(await wrong.send(email(), { idempotencyKey: 'auth_1' }));
    expect(r).toMatchObject({ kind: 'permanent', code: 'CHANNEL.AUTH_FAILED', scope: 'account' });
    await wrong.close?.();
  });

  it('a relay that is down is transient and certainly not sent', async () => {
    const closed = await startReceiver();
    await closed.close();
    const port = Number(new URL(closed.url).port);
    const down = createSmtpAdapter(config({ port }));
    const r = failed(await down.send(email(), { idempotencyKey: 'down_1' }));
    expect(r).toMatchObject({ kind: 'transient', code: 'CHANNEL.NETWORK' });
    expect(r.uncertain).toBeFalsy();
    await down.close?.();
  });

  it('classifies replies by class and enhanced status', () => {
    expect(classifySmtpReply(552, '5.2.2 Mailbox full')).toMatchObject({ kind: 'permanent', code: 'CHANNEL.RECIPIENT_UNREACHABLE' });
    expect(classifySmtpReply(452, '4.2.2 Mailbox full')).toMatchObject({ kind: 'transient', scope: 'recipient' });
    expect(classifySmtpReply(550, '5.7.26 Unauthenticated email is not accepted (DMARC)')).toMatchObject({ code: 'CHANNEL.ACCOUNT_RESTRICTED', scope: 'account' });
    expect(classifySmtpReply(554, '5.7.1 Message rejected as spam')).toMatchObject({ code: 'CHANNEL.CONTENT_REJECTED', scope: 'message' });
    expect(classifySmtpReply(421, 'Too many connections')).toMatchObject({ kind: 'transient', code: 'CHANNEL.PROVIDER_UNAVAILABLE' });
  });

  it('will not be configured to send in clear to a remote relay', () => {
    expect(() => SmtpConfig.parse({ provider: 'smtp', host: 'smtp.example.com', port: 25, security: 'none', from: { name: 'x', address: 'a@b.es' } })).toThrow(/loopback/);
  });
});
