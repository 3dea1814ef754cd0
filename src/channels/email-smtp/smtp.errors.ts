import type { ErrorClass, SendFailure } from '../channel.types.ts';
import { redact } from '../channel.support.ts';

/**
 * SMTP failures as nodemailer reports them (`code`, `command`, `responseCode`, `response`),
 * classified by RFC 5321 reply class (4xx transient, 5xx permanent) and RFC 3463 enhanced
 * status subject (X.1.x addressing → the recipient; X.7.x policy → content or our account).
 */
interface SmtpError {
  code?: string;
  command?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/** Stages that end before the message body is handed over: a failure there cannot have sent it. */
const BEFORE_DATA = /^(CONN|EHLO|HELO|LHLO|STARTTLS|AUTH|MAIL FROM|RCPT TO)/i;

const enhanced = (response: string | undefined): [number, number, number] | undefined => {
  const m = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/.exec(response ?? '');
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
};

export const classifySmtpReply = (responseCode: number, response: string | undefined): ErrorClass => {
  const status = enhanced(response);
  if (responseCode >= 400 && responseCode < 500) {
    // 4xx: the relay or mailbox asks us to come back later (greylisting 4.7.1, mailbox full
    // 4.2.2, too many connections 421). Retrying is the protocol's own answer.
    if (status?.[1] === 1 || status?.[1] === 2) return { kind: 'transient', code: 'CHANNEL.RECIPIENT_UNREACHABLE', scope: 'recipient' };
    return { kind: 'transient', code: responseCode === 421 || responseCode === 451 ? 'CHANNEL.PROVIDER_UNAVAILABLE' : 'CHANNEL.RATE_LIMITED', scope: 'message' };
  }
  if (status?.[1] === 1) return { kind: 'permanent', code: 'CHANNEL.INVALID_RECIPIENT', scope: 'recipient' };
  if (status?.[1] === 2) return { kind: 'permanent', code: 'CHANNEL.RECIPIENT_UNREACHABLE', scope: 'recipient' };
  if (status?.[1] === 7) {
    // 5.7.0/5.7.8 authentication, 5.7.23–27 SPF/DKIM/DMARC failures: our sending set-up is
    // broken, not this message. Other 5.7.x are policy rejections of the content.
    const account = [0, 8, 23, 24, 25, 26, 27].includes(status[2]);
    return account
      ? { kind: 'permanent', code: 'CHANNEL.ACCOUNT_RESTRICTED', scope: 'account' }
      : { kind: 'permanent', code: 'CHANNEL.CONTENT_REJECTED', scope: 'message' };
  }
  if (responseCode === 550 || responseCode === 551 || responseCode === 553) return { kind: 'permanent', code: 'CHANNEL.INVALID_RECIPIENT', scope: 'recipient' };
  if (responseCode === 552 || responseCode === 554) return { kind: 'permanent', code: 'CHANNEL.CONTENT_REJECTED', scope: 'message' };
  if (responseCode === 535 || responseCode === 530) return { kind: 'permanent', code: 'CHANNEL.AUTH_FAILED', scope: 'account' };
  return { kind: 'permanent', code: 'CHANNEL.PROVIDER_ERROR', scope: 'message' };
};

export const smtpFailure = (error: unknown): SendFailure => {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SmtpError;
  const stage = e.command ?? '';
  const text = redact(e.response ?? e.message ?? 'SMTP error');
  const uncertain = !BEFORE_DATA.test(stage) && !['EAUTH', 'EDNS', 'ETLS', 'EENVELOPE', 'ECONNECTION'].includes(e.code ?? '');
  if (e.code === 'EAUTH') return { ok: false, kind: 'permanent', code: 'CHANNEL.AUTH_FAILED', scope: 'account', providerCode: String(e.responseCode ?? 'EAUTH'), message: text };
  if (e.code === 'ETLS') return { ok: false, kind: 'permanent', code: 'CHANNEL.MISCONFIGURED', scope: 'account', providerCode: 'ETLS', message: text };
  if (e.code === 'EENVELOPE' && e.responseCode === undefined) {
    return { ok: false, kind: 'permanent', code: 'CHANNEL.INVALID_RECIPIENT', scope: 'recipient', providerCode: 'EENVELOPE', message: text };
  }
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) {
    const cls = classifySmtpReply(e.responseCode, e.response);
    return { ok: false, ...cls, providerCode: String(e.responseCode), message: text, ...(uncertain && cls.kind === 'transient' ? { uncertain } : {}) };
  }
  const timeout = e.code === 'ETIMEDOUT';
  return {
    ok: false, kind: 'transient', code: timeout ? 'CHANNEL.TIMEOUT' : 'CHANNEL.NETWORK', scope: 'message',
    providerCode: e.code ?? 'ESOCKET', message: text, ...(uncertain ? { uncertain } : {}),
  };
};
