import { simpleParser, type HeaderValue } from 'mailparser';
import { interpretDsn, type DsnResult } from './messaging.dsn.domain.ts';
import type { Bounce } from './messaging.receipts.ts';

/**
 * A raw bounce e-mail (RFC 3464) as an inbound-mail relay posts it: MIME decoding by mailparser
 * (transfer encodings, charsets, nesting), then the pure reading in messaging.dsn.domain.ts.
 * The returned message is kept as an attachment and only its headers are read; nothing is
 * fetched, written or logged.
 */
export const parseDsnEmail = async (raw: Buffer | string): Promise<DsnResult> => {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  if (bytes.length === 0) return { ok: false, field: 'body', message: 'the body is empty: expected a bounce e-mail (message/rfc822)' };
  const mail = await simpleParser(bytes, {
    keepDeliveryStatus: true, skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true, maxHtmlLengthToParse: 0,
  });
  const ct = mail.headers.get('content-type');
  const contentType = isStructured(ct) ? { value: ct.value.toLowerCase(), params: ct.params } : { value: typeof ct === 'string' ? ct.toLowerCase() : 'text/plain', params: {} };
  const header = (name: string): string | undefined => {
    const v = mail.headers.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  return interpretDsn({
    contentType,
    headers: { 'x-original-message-id': header('x-original-message-id') },
    ...(mail.date ? { date: mail.date } : {}),
    parts: mail.attachments.map((a) => ({ contentType: a.contentType, content: a.content.toString('utf8') })),
  });
};

const isStructured = (v: HeaderValue | undefined): v is { value: string; params: Record<string, string> } =>
  typeof v === 'object' && v !== null && 'value' in v && 'params' in v && typeof (v as { value: unknown }).value === 'string';

/** A DSN's recipients as bounces of the original message (what `Receipts.applyBounces` takes). */
export const bouncesOf = (dsn: Extract<DsnResult, { ok: true }>): Bounce[] =>
  dsn.recipients.map((r) => {
    const at = r.lastAttemptAt ?? dsn.occurredAt;
    return { messageId: dsn.messageId, type: r.type, ...(r.status ? { status: r.status } : {}), ...(r.diagnostic ? { diagnostic: r.diagnostic } : {}), ...(at ? { occurredAt: at } : {}) };
  });
