import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listen, sendJson, type RunningServer } from './http.ts';

/**
 * A local fake of Meta's WhatsApp Cloud API (Graph API): POST /{version}/{phone-number-id}/messages
 * with a bearer token, the documented success body (`messaging_product`, `contacts`, `messages`
 * with `wamid` ids) and Graph error bodies (`{ error: { message, type, code, error_data,
 * fbtrace_id } }`). Like Meta, it accepts most messages synchronously and reports delivery
 * failures (131026 undeliverable, 131047 outside the 24-hour window) in status webhooks, which it
 * posts signed with X-Hub-Signature-256 computed here, independently of the adapter's code.
 */
export interface FakeWhatsAppMessage {
  id: string;
  to: string;
  type: 'template' | 'text';
  template?: { name: string; language: string; parameters: string[] };
  text?: string;
  bizOpaqueCallbackData?: string;
  /** Error Meta will report in the `failed` status webhook. */
  pendingError?: { code: number; title: string };
}

interface Failure { status: number; code: number; message?: string; subcode?: number; retryAfter?: string }

export interface FakeMeta extends RunningServer {
  messages: FakeWhatsAppMessage[];
  failNext(failure: Failure): void;
  /** Registers an approved template and its body parameter count. */
  approveTemplate(name: string, language: string, parameterCount: number): void;
  /** Records that the user wrote to us (opens the 24-hour window) and posts the inbound webhook. */
  userWrites(webhookUrl: string, from: string, text: string): Promise<Response>;
  /** Posts status webhooks for a message: sent, then delivered and read, or failed with its pending error. */
  deliver(webhookUrl: string, id: string): Promise<void>;
  /** Posts any JSON body signed as Meta signs it. */
  post(webhookUrl: string, body: unknown): Promise<Response>;
}

/** Numbers without WhatsApp: accepted, then reported failed with 131026. */
export const NO_WHATSAPP = '+15550000404';

export const startFakeMeta = async (options: { accessToken: string; appSecret: string; phoneNumberId: string; wabaId?: string; now?: () => Date }): Promise<FakeMeta> => {
  const now = options.now ?? (() => new Date());
  const messages: FakeWhatsAppMessage[] = [];
  const failures: Failure[] = [];
  const templates = new Map<string, number>();
  const windows = new Map<string, Date>();
  const waba = options.wabaId ?? '102290129340398';

  const graphError = (res: ServerResponse, status: number, code: number, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): void =>
    sendJson(res, status, {
      error: { message, type: 'OAuthException', code, ...extra, fbtrace_id: randomBytes(8).toString('base64url') },
    }, headers);

  const send = (req: IncomingMessage, body: Buffer, res: ServerResponse): void => {
    if (req.headers.authorization !== `Bearer ${options.accessToken}`) return graphError(res, 401, 190, 'Invalid OAuth access token - Cannot parse access token');
    const injected = failures.shift();
    if (injected) {
      return graphError(res, injected.status, injected.code, injected.message ?? 'Injected failure',
        { error_data: { messaging_product: 'whatsapp', details: injected.message ?? 'Injected failure' }, ...(injected.subcode ? { error_subcode: injected.subcode } : {}) },
        injected.retryAfter ? { 'retry-after': injected.retryAfter } : {});
    }
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return graphError(res, 400, 100, 'Invalid parameter', { error_data: { messaging_product: 'whatsapp', details: 'Request body is not JSON' } });
    }
    const missing = (details: string): void => graphError(res, 400, 131008, '(#131008) Required parameter is missing', { error_data: { messaging_product: 'whatsapp', details } });
    if (payload.messaging_product !== 'whatsapp') return missing('The parameter messaging_product is required.');
    if (typeof payload.to !== 'string') return missing('The parameter to is required.');
    const to = payload.to.startsWith('+') ? payload.to : `+${payload.to}`;
    const id = `wamid.${Buffer.from(`${to}:${randomBytes(12).toString('hex')}`).toString('base64')}`;
    const message: FakeWhatsAppMessage = { id, to, type: 'text' };
    if (typeof payload.biz_opaque_callback_data === 'string') message.bizOpaqueCallbackData = payload.biz_opaque_callback_data;
    if (payload.type === 'template') {
      const t = payload.template as { name?: string; language?: { code?: string }; components?: { type: string; parameters?: { type: string; text: string }[] }[] } | undefined;
      if (!t?.name || !t.language?.code) return missing('template.name and template.language.code are required.');
      const expected = templates.get(`${t.name}/${t.language.code}`);
      if (expected === undefined) {
        return graphError(res, 404, 132001, '(#132001) Template name does not exist in the translation', { error_data: { messaging_product: 'whatsapp', details: `template name (${t.name}) does not exist in ${t.language.code}` } });
      }
      const parameters = (t.components ?? []).filter((c) => c.type === 'body').flatMap((c) => c.parameters ?? []).map((p) => p.text);
      if (parameters.length !== expected) {
        return graphError(res, 400, 132000, '(#132000) Number of parameters does not match the expected number of params', { error_data: { messaging_product: 'whatsapp', details: `body: number of localizable_params (${parameters.length}) does not match the expected number of params (${expected})` } });
      }
      message.type = 'template';
      message.template = { name: t.name, language: t.language.code, parameters };
    } else if (payload.type === 'text') {
      const text = (payload.text as { body?: string } | undefined)?.body;
      if (!text) return missing('text.body is required.');
      message.text = text;
      const opened = windows.get(to);
      if (!opened || now().getTime() - opened.getTime() > 24 * 3600_000) {
        message.pendingError = { code: 131047, title: 'Re-engagement message' };
      }
    } else {
      return graphError(res, 400, 131051, '(#131051) Unsupported message type');
    }
    if (to === NO_WHATSAPP) message.pendingError = { code: 131026, title: 'Message undeliverable' };
    messages.push(message);
    sendJson(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: payload.to, wa_id: to.slice(1) }], messages: [{ id, message_status: 'accepted' }] });
  };

  const server = await listen((req, body, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const m = /^\/v\d+\.\d+\/(\d+)\/messages$/.exec(url.pathname);
    if (!m || req.method !== 'POST') return graphError(res, 400, 100, 'Unsupported request', { error_subcode: 33 });
    if (m[1] !== options.phoneNumberId) {
      return graphError(res, 400, 100, `Unsupported post request. Object with ID '${m[1]}' does not exist`, { error_subcode: 33 });
    }
    return send(req, body, res);
  });

  const post = (url: string, body: unknown): Promise<Response> => {
    const raw = Buffer.from(JSON.stringify(body), 'utf8');
    const signature = `sha256=${createHmac('sha256', options.appSecret).update(raw).digest('hex')}`;
    return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature }, body: raw });
  };

  const envelope = (value: Record<string, unknown>): unknown => ({
    object: 'whatsapp_business_account',
    entry: [{
      id: waba,
      changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001234', phone_number_id: options.phoneNumberId }, ...value } }],
    }],
  });

  const status = (m: FakeWhatsAppMessage, state: string, errors?: unknown[]): Record<string, unknown> => ({
    id: m.id, status: state, timestamp: String(Math.floor(now().getTime() / 1000)), recipient_id: m.to.slice(1),
    ...(m.bizOpaqueCallbackData ? { biz_opaque_callback_data: m.bizOpaqueCallbackData } : {}),
    ...(state === 'sent' ? { conversation: { id: 'c0ffee', origin: { type: 'utility' } }, pricing: { billable: true, pricing_model: 'CBP', category: 'utility' } } : {}),
    ...(errors ? { errors } : {}),
  });

  return {
    ...server,
    messages,
    failNext: (f) => {
      failures.push(f);
    },
    approveTemplate: (name, language, count) => {
      templates.set(`${name}/${language}`, count);
    },
    userWrites: async (url, from, text) => {
      windows.set(from, now());
      const id = `wamid.${randomBytes(16).toString('hex')}`;
      return post(url, envelope({
        contacts: [{ profile: { name: 'Debtor' }, wa_id: from.slice(1) }],
        messages: [{ from: from.slice(1), id, timestamp: String(Math.floor(now().getTime() / 1000)), type: 'text', text: { body: text } }],
      }));
    },
    deliver: async (url, id) => {
      const m = messages.find((x) => x.id === id);
      if (!m) throw new Error(`no message ${id}`);
      if (m.pendingError) {
        const e = m.pendingError;
        await post(url, envelope({ statuses: [status(m, 'failed', [{ code: e.code, title: e.title, message: e.title, error_data: { details: `${e.title} for ${m.to}` } }])] }));
        return;
      }
      await post(url, envelope({ statuses: [status(m, 'sent')] }));
      // One webhook can carry several statuses, and they need not arrive in order.
      await post(url, envelope({ statuses: [status(m, 'read'), status(m, 'delivered')] }));
    },
    post,
  };
};
