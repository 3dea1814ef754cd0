import { systemClock, type Clock } from '../../lib/clock.ts';
import type { MetaConfig } from '../channel.config.ts';
import { httpCall, isRecord, isValidIdempotencyKey, parseJson, redact, retryAfterSeconds } from '../channel.support.ts';
import type { ChannelAdapter, FetchLike, OutboundMessage, SendFailure, SendOptions, SendResult } from '../channel.types.ts';
import { classifyMetaError, META_RETRY_SECONDS } from './meta.errors.ts';
import { createMetaWebhooks } from './meta.webhooks.ts';

/**
 * WhatsApp through Meta's WhatsApp Cloud API: POST /{version}/{phone-number-id}/messages with a
 * bearer token (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages).
 *
 * Outside the 24-hour customer-service window only pre-approved templates may be sent; reminders
 * belong to the utility category. Free-form text needs the caller to state when the window the
 * debtor opened closes, and is refused locally once it has closed (Meta would answer 131047).
 *
 * The Cloud API has no idempotency key and no list of sent messages. Our key travels as
 * `biz_opaque_callback_data`, which Meta echoes on every status webhook of that message, so an
 * orphaned send (crash after Meta accepted it) is linked to its contact by the first `sent`
 * status; the dispatcher waits for it before re-sending an `uncertain` failure.
 */
export interface MetaAdapterDeps {
  fetch?: FetchLike;
  clock?: Clock;
}

const failure = (f: Omit<SendFailure, 'ok'>): SendFailure => ({ ok: false, ...f });
const isFailure = (v: Record<string, unknown> | SendFailure): v is SendFailure => v.ok === false;

/** Body text parameters may not contain newlines, tabs or more than 4 spaces in a row (error 132018). */
const cleanParameter = (value: string): string => value.replace(/[\r\n\t]+/g, ' ').replace(/ {4,}/g, '   ');

export const buildMetaPayload = (message: OutboundMessage, idempotencyKey: string, now: Date): Record<string, unknown> | SendFailure => {
  if (message.channel !== 'whatsapp') {
    return failure({ kind: 'permanent', code: 'CHANNEL.UNSUPPORTED', scope: 'message', message: `the WhatsApp Cloud API does not carry ${message.channel}` });
  }
  const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: message.to, biz_opaque_callback_data: idempotencyKey };
  const content = message.content;
  if (content.kind === 'text') {
    if (content.serviceWindowClosesAt.getTime() <= now.getTime()) {
      return failure({ kind: 'permanent', code: 'CHANNEL.WINDOW_CLOSED', scope: 'message', message: 'the 24-hour WhatsApp service window is closed; send an approved template' });
    }
    return { ...base, type: 'text', text: { preview_url: false, body: content.body } };
  }
  const components = content.bodyParameters.length === 0
    ? []
    : [{ type: 'body', parameters: content.bodyParameters.map((text) => ({ type: 'text', text: cleanParameter(text) })) }];
  return { ...base, type: 'template', template: { name: content.name, language: { code: content.language }, components } };
};

/** Graph API error body: `{ error: { message, type, code, error_subcode, error_data: { details }, fbtrace_id } }`. */
const graphError = (status: number, text: string, retryHeader: string | null, now: Date): SendFailure => {
  const body = parseJson(text);
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const code = typeof error?.code === 'number' ? error.code : undefined;
  const details = isRecord(error?.error_data) && typeof error.error_data.details === 'string' ? error.error_data.details : undefined;
  const message = details ?? (typeof error?.message === 'string' ? error.message : `HTTP ${status}`);
  const cls = classifyMetaError(code, status);
  const retryAfter = retryAfterSeconds(retryHeader, now) ?? (code !== undefined ? META_RETRY_SECONDS[code] : undefined);
  return failure({
    ...cls,
    providerCode: code !== undefined ? String(code) : `HTTP ${status}`,
    message: redact(message),
    ...(retryAfter !== undefined && cls.kind === 'transient' ? { retryAfterSeconds: retryAfter } : {}),
    ...(status >= 500 ? { uncertain: true } : {}),
  });
};

export const createMetaAdapter = (config: MetaConfig, deps: MetaAdapterDeps = {}): ChannelAdapter => {
  const fetchFn = deps.fetch ?? ((input, init) => fetch(input, init));
  const clock = deps.clock ?? systemClock;
  const endpoint = `${config.baseUrl}/${config.apiVersion}/${config.phoneNumberId}/messages`;

  const send = async (message: OutboundMessage, options: SendOptions): Promise<SendResult> => {
    if (!isValidIdempotencyKey(options.idempotencyKey)) throw new TypeError('idempotencyKey must be 1–200 characters of [A-Za-z0-9._:-]');
    const now = clock.now();
    const payload = buildMetaPayload(message, options.idempotencyKey, now);
    if (isFailure(payload)) return payload;
    const res = await httpCall(fetchFn, endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${config.accessToken}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(payload),
    }, config.timeoutMs);
    if (res.kind === 'failure') return res.failure;
    if (res.status < 200 || res.status >= 300) return graphError(res.status, res.text, res.headers.get('retry-after'), now);
    const body = parseJson(res.text);
    const first = isRecord(body) && Array.isArray(body.messages) ? (body.messages as unknown[])[0] : undefined;
    if (!isRecord(first) || typeof first.id !== 'string') {
      return failure({ kind: 'transient', code: 'CHANNEL.PROVIDER_ERROR', scope: 'message', message: 'unreadable send response', uncertain: true });
    }
    // `message_status` is `accepted` (or `held_for_quality_assessment`): queued at Meta, not yet sent.
    return { ok: true, externalId: first.id, status: 'queued' };
  };

  return { provider: 'meta', channels: ['whatsapp'], send, webhooks: createMetaWebhooks(config) };
};
