import { createHmac } from 'node:crypto';
import type { MetaConfig } from '../channel.config.ts';
import { bodyBytes, header, isRecord, parseJson, redact, safeEqual } from '../channel.support.ts';
import type {
  DeliveryStatus, InboundEvent, ParseResult, SignatureCheck, StatusEvent, WebhookHandlers, WebhookRequest,
} from '../channel.types.ts';
import { classifyMetaError } from './meta.errors.ts';

/**
 * Meta webhooks (https://developers.facebook.com/docs/graph-api/webhooks/getting-started):
 * every POST carries X-Hub-Signature-256: `sha256=` + hex(HMAC-SHA256(app secret, raw body)).
 * The body must be verified as received; parsing and re-serialising the JSON changes bytes
 * (escaped slashes, unicode escapes) and breaks the signature.
 */
export const computeMetaSignature = (appSecret: string, rawBody: Uint8Array): string =>
  `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;

export const verifyMetaSignature = (appSecret: string, request: WebhookRequest): SignatureCheck => {
  const signature = header(request, 'x-hub-signature-256');
  if (!signature) return { ok: false, code: 'CHANNEL.SIGNATURE_MISSING', message: 'X-Hub-Signature-256 header is missing' };
  const expected = computeMetaSignature(appSecret, bodyBytes(request));
  return safeEqual(signature.trim().toLowerCase(), expected)
    ? { ok: true }
    : { ok: false, code: 'CHANNEL.SIGNATURE_INVALID', message: 'X-Hub-Signature-256 does not match' };
};

/**
 * The GET handshake Meta makes when the webhook is configured: echo `hub.challenge` when
 * `hub.mode=subscribe` and `hub.verify_token` is the token we chose.
 */
export const answerMetaSubscription = (query: URLSearchParams, verifyToken: string): { ok: true; challenge: string } | { ok: false } => {
  const token = query.get('hub.verify_token') ?? '';
  const challenge = query.get('hub.challenge');
  return query.get('hub.mode') === 'subscribe' && challenge !== null && safeEqual(token, verifyToken) ? { ok: true, challenge } : { ok: false };
};

const STATUS: Readonly<Record<string, DeliveryStatus>> = { sent: 'sent', delivered: 'delivered', read: 'read', failed: 'failed' };

const malformed = (message: string): { ok: false; code: 'CHANNEL.WEBHOOK_MALFORMED'; message: string } =>
  ({ ok: false, code: 'CHANNEL.WEBHOOK_MALFORMED', message });

/** WhatsApp ids are E.164 digits without the plus. */
const e164 = (waId: string): string => (waId.startsWith('+') ? waId : `+${waId}`);

const fromUnixSeconds = (value: unknown): Date | undefined => {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? new Date(n * 1000) : undefined;
};

/** The `value` objects of every `messages` change, in order. */
const messageValues = (request: WebhookRequest): Record<string, unknown>[] | string => {
  const body = parseJson(bodyBytes(request).toString('utf8'));
  if (!isRecord(body) || body.object !== 'whatsapp_business_account' || !Array.isArray(body.entry)) {
    return 'expected { object: "whatsapp_business_account", entry: [...] }';
  }
  const values: Record<string, unknown>[] = [];
  for (const entry of body.entry as unknown[]) {
    if (!isRecord(entry) || !Array.isArray(entry.changes)) return 'entry[].changes must be an array';
    for (const change of entry.changes as unknown[]) {
      // Other fields (template status updates, account alerts) are not delivery events.
      if (isRecord(change) && change.field === 'messages' && isRecord(change.value)) values.push(change.value);
    }
  }
  return values;
};

/** `entry[].changes[].value.statuses[]`: sent, delivered, read, failed (with `errors[]`). */
export const parseMetaStatuses = (request: WebhookRequest): ParseResult<StatusEvent> => {
  const values = messageValues(request);
  if (typeof values === 'string') return malformed(values);
  const events: StatusEvent[] = [];
  for (const value of values) {
    for (const s of Array.isArray(value.statuses) ? (value.statuses as unknown[]) : []) {
      if (!isRecord(s) || typeof s.id !== 'string' || typeof s.status !== 'string') return malformed('statuses[] need id and status');
      const status = STATUS[s.status];
      if (!status) continue; // e.g. `deleted`, `warning`: informative, not a delivery state
      const event: StatusEvent = { type: 'status', provider: 'meta', channel: 'whatsapp', externalId: s.id, status };
      const at = fromUnixSeconds(s.timestamp);
      if (at) event.occurredAt = at;
      if (typeof s.recipient_id === 'string') event.recipient = e164(s.recipient_id);
      if (typeof s.biz_opaque_callback_data === 'string' && s.biz_opaque_callback_data) event.idempotencyKey = s.biz_opaque_callback_data;
      const error = Array.isArray(s.errors) ? (s.errors as unknown[])[0] : undefined;
      if (isRecord(error) && typeof error.code === 'number') {
        const details = isRecord(error.error_data) && typeof error.error_data.details === 'string' ? error.error_data.details : undefined;
        const text = details ?? (typeof error.title === 'string' ? error.title : `Meta error ${error.code}`);
        event.error = { providerCode: String(error.code), ...classifyMetaError(error.code), message: redact(text) };
      }
      events.push(event);
    }
  }
  return { ok: true, events };
};

const inboundText = (m: Record<string, unknown>): string => {
  if (m.type === 'text' && isRecord(m.text) && typeof m.text.body === 'string') return m.text.body;
  if (m.type === 'button' && isRecord(m.button) && typeof m.button.text === 'string') return m.button.text;
  if (m.type === 'interactive' && isRecord(m.interactive)) {
    const reply = m.interactive.button_reply ?? m.interactive.list_reply;
    if (isRecord(reply) && typeof reply.title === 'string') return reply.title;
  }
  // Media may carry a caption; anything else has no text for keyword detection.
  const media = typeof m.type === 'string' ? m[m.type] : undefined;
  return isRecord(media) && typeof media.caption === 'string' ? media.caption : '';
};

/** `entry[].changes[].value.messages[]`: replies from the debtor. */
export const parseMetaInbound = (request: WebhookRequest): ParseResult<InboundEvent> => {
  const values = messageValues(request);
  if (typeof values === 'string') return malformed(values);
  const events: InboundEvent[] = [];
  for (const value of values) {
    const metadata = isRecord(value.metadata) ? value.metadata : {};
    const to = typeof metadata.phone_number_id === 'string' ? metadata.phone_number_id : '';
    for (const m of Array.isArray(value.messages) ? (value.messages as unknown[]) : []) {
      if (!isRecord(m) || typeof m.id !== 'string' || typeof m.from !== 'string' || typeof m.type !== 'string') {
        return malformed('messages[] need id, from and type');
      }
      const event: InboundEvent = {
        type: 'inbound', provider: 'meta', channel: 'whatsapp', externalId: m.id, from: e164(m.from), to,
        text: inboundText(m), contentType: m.type,
      };
      const at = fromUnixSeconds(m.timestamp);
      if (at) event.receivedAt = at;
      events.push(event);
    }
  }
  return { ok: true, events };
};

export const createMetaWebhooks = (config: Pick<MetaConfig, 'appSecret'>): WebhookHandlers => ({
  verifySignature: (request) => verifyMetaSignature(config.appSecret, request),
  parseStatusCallback: parseMetaStatuses,
  parseInbound: parseMetaInbound,
});
