import { createHash } from 'node:crypto';
import { createTransport } from 'nodemailer';
import type { SmtpConfig } from '../channel.config.ts';
import { isValidIdempotencyKey } from '../channel.support.ts';
import type { ChannelAdapter, EmailMessage, OutboundMessage, SendFailure, SendOptions, SendResult } from '../channel.types.ts';
import { smtpFailure } from './smtp.errors.ts';

/**
 * E-mail over SMTP with nodemailer.
 *
 * SMTP has no idempotency key, so the Message-ID is derived from ours: a message re-sent after a
 * crash carries the same Message-ID, which receiving systems (Gmail among them) collapse into one
 * and which our bounce and reply handling can match back to the contact.
 *
 * Every message carries RFC 2369 List-Unsubscribe with a mailto and an HTTPS URI, plus RFC 8058
 * List-Unsubscribe-Post for one-click: Reg F 1006.6(e) wants a simple opt-out in each
 * electronic communication, and large mailbox providers require one-click for bulk senders.
 */

/** `<32 hex of sha256(key)@domain>`: stable for a key, reveals nothing about it. */
export const messageIdFor = (idempotencyKey: string, domain: string): string =>
  `<${createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 32)}@${domain}>`;

const invalid = (message: string): SendFailure => ({ ok: false, kind: 'permanent', code: 'CHANNEL.INVALID_MESSAGE', scope: 'message', message });

/** Header values for RFC 2369 / RFC 8058, or a reason the unsubscribe targets are unusable. */
export const listUnsubscribeHeaders = (unsubscribe: EmailMessage['unsubscribe']): Record<string, string> | string => {
  let url: URL;
  try {
    url = new URL(unsubscribe.url);
  } catch {
    return 'unsubscribe.url is not a URL';
  }
  // RFC 8058 section 3.1: the one-click URI must be HTTPS.
  if (url.protocol !== 'https:') return 'unsubscribe.url must be https (RFC 8058)';
  if (!/^[^\s@<>,]+@[^\s@<>,]+\.[^\s@<>,]+$/.test(unsubscribe.mailto)) return 'unsubscribe.mailto is not an address';
  const mailto = `mailto:${unsubscribe.mailto}?subject=unsubscribe`;
  return {
    'List-Unsubscribe': `<${mailto}>, <${url.toString()}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
};

export const createSmtpAdapter = (config: SmtpConfig): ChannelAdapter => {
  const transport = createTransport({
    host: config.host,
    port: config.port,
    secure: config.security === 'implicit',
    requireTLS: config.security === 'starttls',
    ignoreTLS: config.security === 'none',
    ...(config.auth ? { auth: { user: config.auth.user, pass: config.auth.pass } } : {}),
    connectionTimeout: config.timeoutMs,
    greetingTimeout: config.timeoutMs,
    socketTimeout: config.timeoutMs,
    // Message content is ours, but never let a message field make nodemailer read a local file
    // or fetch a URL (attachments, alternatives given by path).
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
    debug: false,
  });
  const domain = config.messageIdDomain ?? config.from.address.split('@')[1] ?? 'localhost';

  const send = async (message: OutboundMessage, options: SendOptions): Promise<SendResult> => {
    if (!isValidIdempotencyKey(options.idempotencyKey)) throw new TypeError('idempotencyKey must be 1–200 characters of [A-Za-z0-9._:-]');
    if (message.channel !== 'email') {
      return { ok: false, kind: 'permanent', code: 'CHANNEL.UNSUPPORTED', scope: 'message', message: `smtp does not carry ${message.channel}` };
    }
    const headers = listUnsubscribeHeaders(message.unsubscribe);
    if (typeof headers === 'string') return invalid(headers);
    const messageId = messageIdFor(options.idempotencyKey, domain);
    const replyTo = message.replyTo ?? config.replyTo;
    try {
      const info = await transport.sendMail({
        from: { name: config.from.name, address: config.from.address },
        to: message.to,
        ...(replyTo ? { replyTo } : {}),
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId,
        headers,
      });
      if (info.accepted.length === 0) {
        return { ok: false, kind: 'permanent', code: 'CHANNEL.INVALID_RECIPIENT', scope: 'recipient', message: 'the relay accepted no recipient' };
      }
      // Accepted by our relay: `sent`. Delivery is known only from bounces (DSN) later.
      return { ok: true, externalId: messageId, status: 'sent' };
    } catch (error) {
      return smtpFailure(error);
    }
  };

  return {
    provider: 'smtp',
    channels: ['email'],
    send,
    close: async () => {
      transport.close();
    },
  };
};
