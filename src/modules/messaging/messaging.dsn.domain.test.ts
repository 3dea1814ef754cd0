import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyRecipient, interpretDsn, parseFieldBlock } from './messaging.dsn.domain.ts';
import { parseDsnEmail } from './messaging.dsn.ts';

/**
 * Bounce e-mails as mail servers write them (test/fixtures/dsn: Postfix, Exim, Gmail, Exchange
 * Online, a report on three recipients, a delay warning), through mailparser and the pure reading.
 */
const fixture = (name: string): Buffer => readFileSync(new URL(`../../../test/fixtures/dsn/${name}`, import.meta.url));

describe('parseDsnEmail over real-world bounces', () => {
  it.each([
    {
      file: 'postfix-user-unknown.eml', messageId: '<3f1c9a0b2e4d5f60718293a4b5c6d7e8@bancoejemplo.es>', source: 'message/rfc822', mta: 'mail.bancoejemplo.es',
      recipients: [{ recipient: 'ana.perez@example.com', action: 'failed', status: '5.1.1', type: 'hard', diagnostic: expect.stringMatching(/^550 5\.1\.1 <ana\.perez@example\.com>: Recipient address rejected: User unknown in virtual mailbox table$/) }],
      occurredAt: '2026-03-16T10:05:01.000Z',
    },
    {
      file: 'exim-failed.eml', messageId: '<9b2e41c07d5a4f3e8a1b6c2d3e4f5a6b@financierasol.es>', source: 'message/rfc822', mta: 'mx1.financierasol.es',
      recipients: [{ recipient: 'jose.garcia@correo.example.mx', action: 'failed', status: '5.0.0', type: 'hard', diagnostic: expect.stringContaining('550 5.1.1') }],
      // No Arrival-Date or Last-Attempt-Date: the report's Date.
      occurredAt: '2026-03-16T10:06:12.000Z',
    },
    {
      file: 'gmail-no-such-user.eml', messageId: '<4d5e6f708192a3b4c5d6e7f8091a2b3c@creditoagil.mx>', source: 'text/rfc822-headers', mta: 'googlemail.com',
      recipients: [{ recipient: 'laura.mendez.no.existe@gmail.com', action: 'failed', status: '5.1.1', type: 'hard', diagnostic: expect.stringMatching(/^550-5\.1\.1 The email account that you tried to reach does not exist\. .* gsmtp$/) }],
      occurredAt: '2026-03-16T10:07:45.000Z',
    },
    {
      file: 'exchange-ndr.eml', messageId: '<7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d@bancoandino.co>', source: 'message/rfc822', mta: 'AM9PR02MB7321.eurprd02.prod.outlook.com',
      recipients: [{ recipient: 'andres.gomez@contoso.com.co', action: 'failed', status: '5.1.10', type: 'hard', diagnostic: '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient andres.gomez@contoso.com.co not found by SMTP address lookup' }],
      occurredAt: '2026-03-16T10:08:29.000Z',
    },
    {
      file: 'postfix-multi-recipient.eml', messageId: '<c0ffee00c0ffee00c0ffee00c0ffee00@gestionesnorte.es>', source: 'text/rfc822-headers', mta: 'relay.gestionesnorte.es',
      recipients: [
        { recipient: 'marta.ruiz@example.org', action: 'failed', status: '5.2.2', type: 'hard', diagnostic: '552 5.2.2 <marta.ruiz@example.org>: Mailbox full' },
        { recipient: 'pagos@example.net', action: 'delayed', status: '4.4.1', type: 'soft', diagnostic: 'connect to mx.example.net[198.51.100.9]:25: Connection timed out' },
        { recipient: 'copia@example.com', action: 'delivered', status: '2.0.0', type: 'none', diagnostic: null },
      ],
      occurredAt: '2026-03-16T10:09:30.000Z',
    },
    {
      file: 'postfix-delayed.eml', messageId: '<5d0e1f2a3b4c5d6e7f8091a2b3c4d5e6@bancoejemplo.es>', source: 'text/rfc822-headers', mta: 'mail.bancoejemplo.es',
      recipients: [{ recipient: 'lucia@example.es', action: 'delayed', status: '4.2.2', type: 'soft', diagnostic: '452 4.2.2 Mailbox full, try again later' }],
      occurredAt: '2026-03-16T10:05:01.000Z',
    },
  ])('$file', async ({ file, messageId, source, mta, recipients, occurredAt }) => {
    const r = await parseDsnEmail(fixture(file));
    if (!r.ok) throw new Error(r.message);
    expect(r.messageId).toBe(messageId);
    expect(r.messageIdSource).toBe(source);
    expect(r.reportingMta).toBe(mta);
    expect(r.recipients).toEqual(recipients.map((x) => expect.objectContaining(x)));
    expect(r.occurredAt?.toISOString()).toBe(occurredAt);
  });

  const report = (statusPart: string, topHeaders = '') => [
    'From: MAILER-DAEMON@mail.example.es', 'To: avisos@example.es', 'Subject: Undelivered Mail Returned to Sender', 'MIME-Version: 1.0', ...(topHeaders ? [topHeaders] : []),
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"', '', '--b1', 'Content-Type: text/plain', '', 'Your message could not be delivered.', '',
    '--b1', 'Content-Type: message/delivery-status', '', statusPart, '', '--b1--', '',
  ].join('\r\n');
  const failed = 'Reporting-MTA: dns; mail.example.es\r\nOriginal-Envelope-Id: <aa11bb22cc33dd44ee55ff6600112233@example.es>\r\n\r\nFinal-Recipient: rfc822; ana@example.com\r\nAction: failed\r\nStatus: 5.1.1';
  const noIds = 'Reporting-MTA: dns; mail.example.es\r\n\r\nFinal-Recipient: rfc822; ana@example.com\r\nAction: failed\r\nStatus: 5.1.1';

  it.each([
    ['Original-Envelope-Id when no message is returned', report(failed), '<aa11bb22cc33dd44ee55ff6600112233@example.es>', 'original-envelope-id'],
    ['an X-Original-Message-ID header', report(noIds, 'X-Original-Message-ID: 99887766554433221100aabbccddeeff@example.es'), '<99887766554433221100aabbccddeeff@example.es>', 'x-original-message-id'],
  ])('finds the Message-ID in %s', async (_name, raw, id, source) => {
    const r = await parseDsnEmail(raw);
    expect(r).toMatchObject({ ok: true, messageId: id, messageIdSource: source, recipients: [{ type: 'hard' }] });
  });

  it.each([
    ['an ordinary reply', 'From: ana@example.com\r\nTo: avisos@example.es\r\nSubject: Re: Tu cuota\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nYa pagué, gracias.\r\n',
      'Content-Type', 'expected multipart/report; report-type=delivery-status (RFC 3464), got text/plain'],
    ['a read receipt (MDN)', 'From: ana@example.com\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=disposition-notification; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nRead.\r\n--b--\r\n',
      'Content-Type', 'got multipart/report; report-type=disposition-notification'],
    ['a report without its status part', 'From: x@example.es\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nFailed.\r\n--b--\r\n',
      'message/delivery-status', 'no message/delivery-status part'],
    ['a status part without recipients', report('Reporting-MTA: dns; mail.example.es\r\nArrival-Date: Mon, 16 Mar 2026 11:05:01 +0100'), 'Final-Recipient', 'no per-recipient fields'],
    ['a report that does not name the original message', report(noIds), 'Message-ID', 'the original Message-ID was not found'],
    ['an empty body', '', 'body', 'the body is empty'],
  ])('refuses %s, naming what is missing', async (_name, raw, field, message) => {
    const r = await parseDsnEmail(raw);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.field).toBe(field);
    expect(r.message).toContain(message);
  });
});

describe('the pure reading', () => {
  it.each([
    ['failed', '5.1.1', 'hard'], ['failed', '5.7.1', 'hard'], ['failed', '4.4.7', 'soft'], ['delayed', '4.2.2', 'soft'], ['delayed', '5.0.0', 'soft'],
    ['delivered', '2.0.0', 'none'], ['relayed', '2.0.0', 'none'], ['expanded', '2.0.0', 'none'], [null, '5.1.1', 'hard'], ['failed', null, 'soft'],
  ] as const)('Action %s, Status %s → %s', (action, status, type) => {
    expect(classifyRecipient(action, status)).toBe(type);
  });

  it('unfolds continuation lines and keeps the first of repeated fields', () => {
    const f = parseFieldBlock('Diagnostic-Code: smtp; 550 5.1.1 user\r\n    unknown\r\nStatus: 5.1.1\r\nstatus: 4.0.0');
    expect(f.get('diagnostic-code')).toBe('smtp; 550 5.1.1 user unknown');
    expect(f.get('status')).toBe('5.1.1');
  });

  it('reads parts already decoded by any MIME parser', () => {
    const r = interpretDsn({
      contentType: { value: 'multipart/report', params: { 'report-type': 'Delivery-Status' } }, headers: {},
      parts: [
        { contentType: 'message/delivery-status', content: 'Final-Recipient: rfc822; a@example.com\nAction: failed\nStatus: 5.1.2 (bad domain)\nDiagnostic-Code: smtp; 550 no such domain' },
        { contentType: 'text/rfc822-headers', content: 'Message-ID: abc123@example.es\nSubject: x\n' },
      ],
    });
    expect(r).toEqual({ ok: true, messageId: '<abc123@example.es>', messageIdSource: 'text/rfc822-headers', reportingMta: null,
      recipients: [{ recipient: 'a@example.com', action: 'failed', status: '5.1.2', diagnostic: '550 no such domain', type: 'hard' }] });
  });
});
