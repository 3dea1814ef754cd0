import { createHmac } from 'node:crypto';
import type { TwilioConfig } from '../channel.config.ts';
import { bodyText, header, parseForm, redact, safeEqual, sha256Hex } from '../channel.support.ts';
import type {
  InboundEvent, MessageChannel, ParseResult, SignatureCheck, StatusEvent, WebhookHandlers, WebhookRequest,
} from '../channel.types.ts';
import { classifyTwilioError, mapTwilioStatus } from './twilio.errors.ts';

/**
 * Twilio webhooks: status callbacks and inbound messages, both form-encoded POSTs signed with
 * X-Twilio-Signature (https://www.twilio.com/docs/usage/webhooks/webhooks-security):
 * base64(HMAC-SHA1(auth token, full URL + each POST parameter name and value, sorted by name)).
 * JSON-bodied webhooks instead carry `bodySHA256` in the signed URL's query.
 */

/** The string Twilio signs: the URL, then name+value of every parameter in name order. */
export const twilioSignaturePayload = (url: string, params: ReadonlyMap<string, readonly string[]>): string => {
  let data = url;
  // Plain code-unit order, as Twilio's helpers sort ("Unix-style case-sensitive" in the docs).
  for (const name of [...params.keys()].sort()) {
    // Repeated names (arrays) are signed once per distinct value, values in order.
    for (const value of [...new Set(params.get(name) ?? [])].sort()) data += name + value;
  }
  return data;
};

export const computeTwilioSignature = (authToken: string, url: string, params: ReadonlyMap<string, readonly string[]>): string =>
  createHmac('sha1', authToken).update(Buffer.from(twilioSignaturePayload(url, params), 'utf8')).digest('base64');

/**
 * Twilio signs the URL as it was configured, which for https may or may not carry `:443`
 * depending on how it was entered; the official helpers accept both, and so do we.
 */
const urlCandidates = (url: string): string[] => {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/i.exec(url);
  if (!m) return [url];
  const [, scheme = '', authority = '', rest = ''] = m;
  const at = authority.lastIndexOf('@');
  const userInfo = authority.slice(0, at + 1);
  const hostPort = authority.slice(at + 1);
  const colon = hostPort.indexOf(':', hostPort.lastIndexOf(']') + 1);
  const host = colon === -1 ? hostPort : hostPort.slice(0, colon);
  const defaultPort = scheme.toLowerCase() === 'https://' ? ':443' : ':80';
  return [...new Set([url, scheme + userInfo + host + rest, scheme + userInfo + host + defaultPort + rest])];
};

const isForm = (request: WebhookRequest): boolean =>
  (header(request, 'content-type') ?? 'application/x-www-form-urlencoded').toLowerCase().startsWith('application/x-www-form-urlencoded');

export const verifyTwilioSignature = (authToken: string, request: WebhookRequest): SignatureCheck => {
  const signature = header(request, 'x-twilio-signature');
  if (!signature) return { ok: false, code: 'CHANNEL.SIGNATURE_MISSING', message: 'X-Twilio-Signature header is missing' };
  const form = request.method.toUpperCase() === 'POST' && isForm(request);
  // GET callbacks and JSON bodies: only the URL is signed; JSON bodies are bound by bodySHA256.
  const params = form ? parseForm(bodyText(request)) : new Map<string, string[]>();
  if (!form && request.method.toUpperCase() === 'POST') {
    let declared: string;
    try {
      declared = new URL(request.url).searchParams.get('bodySHA256') ?? '';
    } catch {
      return { ok: false, code: 'CHANNEL.SIGNATURE_INVALID', message: 'request URL is not absolute' };
    }
    if (!safeEqual(declared, sha256Hex(bodyText(request)))) {
      return { ok: false, code: 'CHANNEL.SIGNATURE_INVALID', message: 'bodySHA256 does not match the body' };
    }
  }
  for (const candidate of urlCandidates(request.url)) {
    if (safeEqual(signature, computeTwilioSignature(authToken, candidate, params))) return { ok: true };
  }
  return { ok: false, code: 'CHANNEL.SIGNATURE_INVALID', message: 'X-Twilio-Signature does not match' };
};

const first = (form: Map<string, string[]>, name: string): string | undefined => form.get(name)?.[0];

const address = (value: string): { address: string; whatsapp: boolean } =>
  value.startsWith('whatsapp:') ? { address: value.slice('whatsapp:'.length), whatsapp: true } : { address: value, whatsapp: false };

const malformed = (message: string): { ok: false; code: 'CHANNEL.WEBHOOK_MALFORMED'; message: string } =>
  ({ ok: false, code: 'CHANNEL.WEBHOOK_MALFORMED', message });

/** Status callback parameters: MessageSid, MessageStatus, To, From, ErrorCode (on failures). */
export const parseTwilioStatusCallback = (request: WebhookRequest): ParseResult<StatusEvent> => {
  const form = parseForm(bodyText(request));
  const sid = first(form, 'MessageSid') ?? first(form, 'SmsSid');
  const rawStatus = first(form, 'MessageStatus') ?? first(form, 'SmsStatus');
  if (!sid || !rawStatus) return malformed('MessageSid and MessageStatus are required');
  const status = mapTwilioStatus(rawStatus);
  if (!status) return malformed(`unknown MessageStatus "${redact(rawStatus)}"`);
  const to = address(first(form, 'To') ?? '');
  const channel: MessageChannel = to.whatsapp || first(form, 'ChannelPrefix') === 'whatsapp' ? 'whatsapp' : 'sms';
  const event: StatusEvent = { type: 'status', provider: 'twilio', channel, externalId: sid, status };
  if (to.address) event.recipient = to.address;
  let key: string | null;
  try {
    key = new URL(request.url).searchParams.get('ik');
  } catch {
    return malformed('request URL is not absolute');
  }
  if (key) event.idempotencyKey = key;
  const errorCode = first(form, 'ErrorCode');
  if (errorCode && /^\d+$/.test(errorCode) && errorCode !== '0') {
    const cls = classifyTwilioError(Number(errorCode));
    event.error = { providerCode: errorCode, ...cls, message: redact(first(form, 'ErrorMessage') ?? `Twilio error ${errorCode}`) };
  }
  return { ok: true, events: [event] };
};

/**
 * Inbound message parameters: MessageSid, From, To, Body, NumMedia; WhatsApp adds ButtonText
 * for quick replies; Advanced Opt-Out adds OptOutType (STOP, START, HELP).
 */
export const parseTwilioInbound = (request: WebhookRequest): ParseResult<InboundEvent> => {
  const form = parseForm(bodyText(request));
  const sid = first(form, 'MessageSid') ?? first(form, 'SmsSid');
  const from = first(form, 'From');
  const to = first(form, 'To');
  if (!sid || !from || !to) return malformed('MessageSid, From and To are required');
  const sender = address(from);
  const button = first(form, 'ButtonText');
  const media = Number(first(form, 'NumMedia') ?? '0');
  const text = button ?? first(form, 'Body') ?? '';
  const event: InboundEvent = {
    type: 'inbound', provider: 'twilio', channel: sender.whatsapp ? 'whatsapp' : 'sms', externalId: sid,
    from: sender.address, to: address(to).address, text,
    contentType: button ? 'button' : media > 0 && text === '' ? 'media' : 'text',
  };
  const optOut = first(form, 'OptOutType')?.toUpperCase();
  if (optOut === 'STOP') event.providerOptOut = 'stop';
  else if (optOut === 'START') event.providerOptOut = 'start';
  else if (optOut === 'HELP') event.providerOptOut = 'help';
  return { ok: true, events: [event] };
};

export const createTwilioWebhooks = (config: Pick<TwilioConfig, 'authToken'>): WebhookHandlers => ({
  verifySignature: (request) => verifyTwilioSignature(config.authToken, request),
  parseStatusCallback: parseTwilioStatusCallback,
  parseInbound: parseTwilioInbound,
});
