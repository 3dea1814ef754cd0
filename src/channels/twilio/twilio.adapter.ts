import { systemClock, type Clock } from '../../lib/clock.ts';
import type { TwilioConfig } from '../channel.config.ts';
import {
  httpCall, isRecord, isValidIdempotencyKey, parseJson, redact, retryAfterSeconds, sha256Hex, type HttpOutcome,
} from '../channel.support.ts';
import type {
  ChannelAdapter, FetchLike, FindSentQuery, FindSentResult, OutboundMessage, SendFailure, SendOptions, SendResult, SentMatch,
} from '../channel.types.ts';
import { classifyTwilioError, mapTwilioStatus } from './twilio.errors.ts';
import { createTwilioWebhooks } from './twilio.webhooks.ts';

/**
 * SMS and WhatsApp through Twilio's Programmable Messaging REST API
 * (POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded, HTTP Basic auth).
 *
 * Twilio has no idempotency key on message creation, so a crash between "Twilio accepted it"
 * and "we recorded it" would send twice on retry. Two things close that gap: our key rides in
 * the StatusCallback URL (signed by Twilio when it calls back, so the first callback of an
 * orphaned message names its contact), and `findSent` lists messages to the recipient since the
 * attempt so the dispatcher can check before re-sending.
 */
export interface TwilioAdapterDeps {
  fetch?: FetchLike;
  clock?: Clock;
}

/** Twilio rejects ValidityPeriod outside 1–36000 s (10 hours). */
const MAX_VALIDITY_SECONDS = 36_000;
const MAX_LIST_PAGES = 10;

const failure = (f: Omit<SendFailure, 'ok'>): SendFailure => ({ ok: false, ...f });

export const callbackUrlFor = (base: string, idempotencyKey: string): string => {
  const url = new URL(base);
  url.searchParams.set('ik', idempotencyKey);
  return url.toString();
};

/** Twilio's error body: `{ code, message, more_info, status }`. */
const errorFromResponse = (res: Extract<HttpOutcome, { kind: 'response' }>, now: Date, isPost: boolean): SendFailure => {
  const body = parseJson(res.text);
  const code = isRecord(body) && typeof body.code === 'number' ? body.code : undefined;
  const text = isRecord(body) && typeof body.message === 'string' ? body.message : `HTTP ${res.status}`;
  const cls = classifyTwilioError(code, res.status);
  const retryAfter = retryAfterSeconds(res.headers.get('retry-after'), now);
  return failure({
    ...cls,
    ...(code !== undefined ? { providerCode: String(code) } : { providerCode: `HTTP ${res.status}` }),
    message: redact(text),
    ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
    // Behind Twilio's edge a 5xx can follow a create that went through: reconcile first.
    ...(isPost && res.status >= 500 ? { uncertain: true } : {}),
  });
};

export const createTwilioAdapter = (config: TwilioConfig, deps: TwilioAdapterDeps = {}): ChannelAdapter => {
  const fetchFn = deps.fetch ?? ((input, init) => fetch(input, init));
  const clock = deps.clock ?? systemClock;
  const accountPath = `/2010-04-01/Accounts/${config.accountSid}`;
  const user = config.apiKey?.sid ?? config.accountSid;
  const pass = config.apiKey?.secret ?? config.authToken;
  const authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

  const buildForm = (message: OutboundMessage, idempotencyKey: string, now: Date): URLSearchParams | SendFailure => {
    const form = new URLSearchParams();
    form.set('StatusCallback', callbackUrlFor(config.statusCallbackUrl, idempotencyKey));
    if (message.channel === 'sms') {
      form.set('To', message.to);
      if (config.messagingServiceSid) form.set('MessagingServiceSid', config.messagingServiceSid);
      else if (config.smsFrom) form.set('From', config.smsFrom);
      else return failure({ kind: 'permanent', code: 'CHANNEL.MISCONFIGURED', scope: 'account', message: 'no SMS sender configured (messagingServiceSid or smsFrom)' });
      form.set('Body', message.body);
      if (message.expiresAt) {
        const seconds = Math.floor((message.expiresAt.getTime() - now.getTime()) / 1000);
        if (seconds < 1) return failure({ kind: 'permanent', code: 'CHANNEL.EXPIRED', scope: 'message', message: 'the message expired before it could be sent' });
        form.set('ValidityPeriod', String(Math.min(seconds, MAX_VALIDITY_SECONDS)));
      }
      return form;
    }
    if (message.channel === 'whatsapp') {
      if (!config.whatsappFrom) {
        return failure({ kind: 'permanent', code: 'CHANNEL.MISCONFIGURED', scope: 'account', message: 'no WhatsApp sender configured (whatsappFrom)' });
      }
      form.set('To', `whatsapp:${message.to}`);
      form.set('From', `whatsapp:${config.whatsappFrom}`);
      const content = message.content;
      if (content.kind === 'text') {
        // Checked here as well as by the dispatcher: Twilio would charge nothing but return
        // 63016 after the fact, and a free-form message outside the window breaks Meta's policy.
        if (content.serviceWindowClosesAt.getTime() <= now.getTime()) {
          return failure({ kind: 'permanent', code: 'CHANNEL.WINDOW_CLOSED', scope: 'message', message: 'the 24-hour WhatsApp service window is closed; send an approved template' });
        }
        form.set('Body', content.body);
        return form;
      }
      if (!content.contentSid) {
        return failure({ kind: 'permanent', code: 'CHANNEL.MISCONFIGURED', scope: 'message', message: `template ${content.name} has no Twilio Content SID` });
      }
      form.set('ContentSid', content.contentSid);
      form.set('ContentVariables', JSON.stringify(Object.fromEntries(content.bodyParameters.map((v, i) => [String(i + 1), v]))));
      return form;
    }
    return failure({ kind: 'permanent', code: 'CHANNEL.UNSUPPORTED', scope: 'message', message: `twilio does not carry ${message.channel}` });
  };

  const send = async (message: OutboundMessage, options: SendOptions): Promise<SendResult> => {
    if (!isValidIdempotencyKey(options.idempotencyKey)) throw new TypeError('idempotencyKey must be 1–200 characters of [A-Za-z0-9._:-]');
    const now = clock.now();
    const form = buildForm(message, options.idempotencyKey, now);
    if (!(form instanceof URLSearchParams)) return form;
    const res = await httpCall(fetchFn, `${config.baseUrl}${accountPath}/Messages.json`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
    }, config.timeoutMs);
    if (res.kind === 'failure') return res.failure;
    if (res.status !== 200 && res.status !== 201) return errorFromResponse(res, now, true);
    const body = parseJson(res.text);
    const sid = isRecord(body) && typeof body.sid === 'string' ? body.sid : undefined;
    const status = isRecord(body) && typeof body.status === 'string' ? mapTwilioStatus(body.status) : undefined;
    if (!sid || !status) {
      // Created (2xx) but unreadable: the message may well exist. Never report success without an id.
      return failure({ kind: 'transient', code: 'CHANNEL.PROVIDER_ERROR', scope: 'message', message: 'unreadable create response', uncertain: true });
    }
    const segments = isRecord(body) ? Number(body.num_segments) : NaN;
    return { ok: true, externalId: sid, status, ...(Number.isInteger(segments) && segments > 0 ? { segments } : {}) };
  };

  /**
   * Lists messages to `to` with `DateSent>=` the attempt and matches the body hash. Twilio
   * sets `date_sent` when the message leaves its queue, so a message still queued is not
   * listed: reconcile after the ValidityPeriod given at send time has passed, when Twilio has
   * either sent the message or failed it.
   */
  const findSent = async (query: FindSentQuery): Promise<FindSentResult> => {
    const now = clock.now();
    const params = new URLSearchParams();
    params.set('To', query.channel === 'whatsapp' ? `whatsapp:${query.to}` : query.to);
    // `DateSent>=` in Twilio's docs; the parameter name is `DateSent>` and the value a UTC
    // datetime without milliseconds, exactly as twilio-node serialises `dateSentAfter`.
    params.set('DateSent>', query.sentAfter.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    params.set('PageSize', '100');
    let path: string | null = `${accountPath}/Messages.json?${params.toString()}`;
    const matches: SentMatch[] = [];
    for (let page = 0; path && page < MAX_LIST_PAGES; page++) {
      const res: HttpOutcome = await httpCall(fetchFn, `${config.baseUrl}${path}`, {
        method: 'GET', headers: { authorization, accept: 'application/json' },
      }, config.timeoutMs);
      if (res.kind === 'failure') return res.failure;
      if (res.status !== 200) return errorFromResponse(res, now, false);
      const body = parseJson(res.text);
      if (!isRecord(body) || !Array.isArray(body.messages)) {
        return failure({ kind: 'transient', code: 'CHANNEL.PROVIDER_ERROR', scope: 'message', message: 'unreadable list response' });
      }
      for (const m of body.messages as unknown[]) {
        if (!isRecord(m) || typeof m.sid !== 'string' || m.direction === 'inbound') continue;
        const createdAt = new Date(String(m.date_created));
        const status = mapTwilioStatus(String(m.status));
        if (!status || Number.isNaN(createdAt.getTime()) || createdAt < new Date(query.sentAfter.getTime() - 1000)) continue;
        const bodyMatched = query.bodySha256 !== undefined && typeof m.body === 'string' && sha256Hex(m.body) === query.bodySha256;
        if (query.bodySha256 !== undefined && !bodyMatched) continue;
        matches.push({ externalId: m.sid, status, createdAt, bodyMatched });
      }
      path = typeof body.next_page_uri === 'string' ? body.next_page_uri : null;
    }
    return { ok: true, matches };
  };

  return {
    provider: 'twilio',
    channels: ['sms', 'whatsapp'],
    send,
    findSent,
    webhooks: createTwilioWebhooks(config),
  };
};
