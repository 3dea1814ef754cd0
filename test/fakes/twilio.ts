import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import twilio from 'twilio';
import { countSmsSegments } from '../../src/modules/messaging/index.ts';
import { listen, sendJson, type RunningServer } from './http.ts';

/**
 * A local fake of Twilio's Programmable Messaging REST API (2010-04-01), speaking its documented
 * request and response formats: form-encoded create with HTTP Basic auth, the Message resource
 * JSON, error bodies `{ code, message, more_info, status }`, the list endpoint with To/From and
 * DateSent filters and paging, and signed status callbacks and inbound webhooks (signed with
 * Twilio's own helper, so our verifier is tested against the reference implementation).
 * Twilio's magic test numbers fail as the real test credentials do.
 */
export interface FakeMessage {
  sid: string;
  to: string;
  from: string | null;
  body: string;
  status: string;
  messagingServiceSid: string | null;
  contentSid: string | null;
  contentVariables: Record<string, string> | null;
  statusCallback: string | null;
  validityPeriod: number | null;
  numSegments: number;
  dateCreated: Date;
  dateSent: Date | null;
  errorCode: number | null;
  /** Error the message will fail with when settled (e.g. 63016 for WhatsApp outside the window). */
  pendingError: number | null;
}

interface Failure { status: number; code?: number; message?: string; retryAfter?: string }

const MAGIC: Readonly<Record<string, { code: number; message: string }>> = {
  '+15005550001': { code: 21211, message: "The 'To' number +15005550001 is not a valid phone number." },
  '+15005550002': { code: 21612, message: "The 'To' phone number: +15005550002, is not currently reachable using the 'From' phone number via SMS." },
  '+15005550003': { code: 21408, message: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: +15005550003." },
  '+15005550004': { code: 21610, message: 'Attempt to send to unsubscribed recipient' },
  '+15005550009': { code: 21614, message: "'To' number is not a valid mobile number" },
};

const E164 = /^\+[1-9]\d{6,14}$/;
const sid = (prefix: string): string => `${prefix}${randomBytes(16).toString('hex')}`;
const rfc2822 = (d: Date | null): string | null => (d ? d.toUTCString().replace('GMT', '+0000') : null);
const bare = (address: string): string => address.replace(/^whatsapp:/, '');

export interface FakeTwilio extends RunningServer {
  messages: FakeMessage[];
  /** POSTs to the create endpoint that reached the fake, including rejected and dropped ones. */
  createRequests: number;
  failNext(failure: Failure): void;
  /** Stores the next message, then cuts the connection before answering (a crash mid-send). */
  dropNextResponse(): void;
  /** Moves a message through sent to its final state and calls its StatusCallback for each step. */
  settle(sid: string, final?: 'delivered' | 'undelivered' | 'failed' | 'read', errorCode?: number): Promise<void>;
  /** Posts a signed inbound message to `url`, as Twilio does for replies. */
  sendInbound(url: string, params: Record<string, string>): Promise<Response>;
}

export const startFakeTwilio = async (options: {
  accountSid: string; authToken: string; apiKeys?: { sid: string; secret: string }[]; now?: () => Date;
  /** Messages leave the queue at once (status `sent`, `date_sent` set), as they mostly do: a lookup then finds them. */
  autoSend?: boolean;
  /** Latency of each create, to widen the window in which a client can die mid-request. */
  createDelayMs?: number;
}): Promise<FakeTwilio> => {
  const now = options.now ?? (() => new Date());
  const messages: FakeMessage[] = [];
  const failures: Failure[] = [];
  let drop = false;
  let createRequests = 0;
  const whatsappWindows = new Map<string, Date>();
  const base = `/2010-04-01/Accounts/${options.accountSid}`;

  const error = (res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void =>
    sendJson(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, headers);

  const resource = (m: FakeMessage): Record<string, unknown> => ({
    account_sid: options.accountSid, api_version: '2010-04-01', body: m.body,
    date_created: rfc2822(m.dateCreated), date_sent: rfc2822(m.dateSent), date_updated: rfc2822(m.dateSent ?? m.dateCreated),
    direction: 'outbound-api', error_code: m.errorCode, error_message: null, from: m.from,
    messaging_service_sid: m.messagingServiceSid, num_media: '0', num_segments: String(m.numSegments), price: null, price_unit: 'USD',
    sid: m.sid, status: m.status, subresource_uris: { media: `${base}/Messages/${m.sid}/Media.json` }, to: m.to,
    uri: `${base}/Messages/${m.sid}.json`,
  });

  const authenticated = (req: IncomingMessage): boolean => {
    const m = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    if (!m?.[1]) return false;
    const [user, pass] = Buffer.from(m[1], 'base64').toString('utf8').split(':');
    if (user === options.accountSid && pass === options.authToken) return true;
    return (options.apiKeys ?? []).some((k) => k.sid === user && k.secret === pass);
  };

  const create = async (req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> => {
    createRequests++;
    if (options.createDelayMs) await new Promise((r) => setTimeout(r, options.createDelayMs));
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return error(res, 400, 20001, 'Content-Type must be application/x-www-form-urlencoded');
    }
    const injected = failures.shift();
    if (injected) {
      return error(res, injected.status, injected.code ?? 20500, injected.message ?? 'Internal Server Error', injected.retryAfter ? { 'retry-after': injected.retryAfter } : {});
    }
    const form = new URLSearchParams(body.toString('utf8'));
    const to = form.get('To');
    const from = form.get('From');
    const service = form.get('MessagingServiceSid');
    const text = form.get('Body');
    const contentSid = form.get('ContentSid');
    if (!to) return error(res, 400, 21604, "A 'To' phone number is required.");
    if (!from && !service) return error(res, 400, 21603, "A 'From' phone number is required.");
    if (!text && !contentSid && !form.get('MediaUrl')) return error(res, 400, 21602, 'Message body is required.');
    if (text && text.length > 1600) return error(res, 400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    if (!E164.test(bare(to))) return error(res, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (from && to.startsWith('whatsapp:') !== from.startsWith('whatsapp:')) {
      return error(res, 400, 21910, 'Invalid From and To pair. From and To should be of the same channel');
    }
    const magic = MAGIC[bare(to)];
    if (magic) return error(res, 400, magic.code, magic.message);
    const callback = form.get('StatusCallback');
    if (callback !== null && !/^https?:\/\//.test(callback)) return error(res, 400, 21609, 'Invalid StatusCallback');
    const validity = form.get('ValidityPeriod');
    if (validity !== null && !(/^\d+$/.test(validity) && Number(validity) >= 1 && Number(validity) <= 36_000)) {
      return error(res, 400, 21624, 'Invalid validity period value');
    }
    let variables: Record<string, string> | null = null;
    const rawVariables = form.get('ContentVariables');
    if (rawVariables !== null) {
      try {
        variables = JSON.parse(rawVariables) as Record<string, string>;
      } catch {
        return error(res, 400, 21656, 'The ContentVariables Parameter is invalid.');
      }
    }
    const whatsapp = to.startsWith('whatsapp:');
    const windowOpened = whatsappWindows.get(bare(to));
    const outsideWindow = whatsapp && !contentSid && (!windowOpened || now().getTime() - windowOpened.getTime() > 24 * 3600_000);
    const message: FakeMessage = {
      sid: sid('SM'), to, from: from ?? null, body: text ?? `[template ${contentSid}]`, status: service && !from ? 'accepted' : 'queued',
      messagingServiceSid: service, contentSid, contentVariables: variables, statusCallback: callback,
      validityPeriod: validity === null ? null : Number(validity), numSegments: text ? countSmsSegments(text).segments : 1,
      dateCreated: now(), dateSent: null, errorCode: null, pendingError: outsideWindow ? 63016 : null,
    };
    messages.push(message);
    if (options.autoSend && message.pendingError === null) {
      message.status = 'sent';
      message.dateSent = now();
    }
    if (drop) {
      drop = false;
      req.socket.destroy();
      return;
    }
    sendJson(res, 201, resource(message));
  };

  const list = (url: URL, res: ServerResponse): void => {
    const q = url.searchParams;
    const bound = (value: string | null): Date | null => (value === null ? null : new Date(value.length === 10 ? `${value}T00:00:00Z` : value));
    const after = bound(q.get('DateSent>'));
    const before = bound(q.get('DateSent<'));
    const on = q.get('DateSent');
    const matching = messages
      .filter((m) => (q.get('To') === null || m.to === q.get('To')) && (q.get('From') === null || m.from === q.get('From')))
      // Like Twilio, date filters apply to date_sent: a message still queued has none.
      .filter((m) => (after === null && before === null && on === null) || m.dateSent !== null)
      .filter((m) => after === null || (m.dateSent as Date) >= after)
      .filter((m) => before === null || (m.dateSent as Date) <= before)
      .filter((m) => on === null || (m.dateSent as Date).toISOString().slice(0, 10) === on)
      .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime());
    const pageSize = Math.min(Math.max(Number(q.get('PageSize') ?? 50), 1), 1000);
    const page = Number(q.get('Page') ?? 0);
    const slice = matching.slice(page * pageSize, (page + 1) * pageSize);
    const pageUri = (n: number): string => {
      const p = new URLSearchParams(q);
      p.set('PageSize', String(pageSize));
      p.set('Page', String(n));
      if (n > 0) p.set('PageToken', `PA${n}`);
      else p.delete('PageToken');
      return `${base}/Messages.json?${p.toString()}`;
    };
    const more = (page + 1) * pageSize < matching.length;
    sendJson(res, 200, {
      messages: slice.map(resource), page, page_size: pageSize, start: page * pageSize, end: page * pageSize + Math.max(slice.length - 1, 0),
      uri: pageUri(page), first_page_uri: pageUri(0), next_page_uri: more ? pageUri(page + 1) : null,
      previous_page_uri: page > 0 ? pageUri(page - 1) : null,
    });
  };

  const server = await listen((req, body, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!url.pathname.startsWith('/2010-04-01/Accounts/')) return error(res, 404, 20404, 'The requested resource was not found');
    if (!authenticated(req)) return error(res, 401, 20003, 'Authenticate');
    if (!url.pathname.startsWith(`${base}/`)) return error(res, 404, 20404, `The requested resource ${url.pathname} was not found`);
    if (url.pathname === `${base}/Messages.json` && req.method === 'POST') return create(req, body, res);
    if (url.pathname === `${base}/Messages.json` && req.method === 'GET') return list(url, res);
    return error(res, 405, 20004, 'Method not allowed');
  });

  const signedPost = (url: string, params: Record<string, string>): Promise<Response> =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(options.authToken, url, params),
        'user-agent': 'TwilioProxy/1.1',
      },
      body: new URLSearchParams(params).toString(),
    });

  const callback = async (m: FakeMessage): Promise<void> => {
    if (!m.statusCallback) return;
    const params: Record<string, string> = {
      AccountSid: options.accountSid, ApiVersion: '2010-04-01', MessageSid: m.sid, SmsSid: m.sid,
      MessageStatus: m.status, SmsStatus: m.status, To: m.to, From: m.from ?? '+15005550006',
    };
    if (m.to.startsWith('whatsapp:')) params.ChannelPrefix = 'whatsapp';
    if (m.errorCode !== null) params.ErrorCode = String(m.errorCode);
    await signedPost(m.statusCallback, params);
  };

  return {
    ...server,
    messages,
    get createRequests() {
      return createRequests;
    },
    failNext: (f) => {
      failures.push(f);
    },
    dropNextResponse: () => {
      drop = true;
    },
    settle: async (messageSid, final = 'delivered', errorCode) => {
      const m = messages.find((x) => x.sid === messageSid);
      if (!m) throw new Error(`no message ${messageSid}`);
      if (m.pendingError !== null) {
        m.status = 'failed';
        m.errorCode = m.pendingError;
        await callback(m);
        return;
      }
      m.status = 'sent';
      m.dateSent = now();
      await callback(m);
      m.status = final;
      if (errorCode !== undefined) m.errorCode = errorCode;
      await callback(m);
    },
    sendInbound: async (url, params) => {
      const messageSid = sid('SM');
      const full: Record<string, string> = {
        AccountSid: options.accountSid, ApiVersion: '2010-04-01', MessageSid: messageSid, SmsSid: messageSid, SmsMessageSid: messageSid,
        SmsStatus: 'received', NumMedia: '0', NumSegments: '1', ...params,
      };
      if (full.From?.startsWith('whatsapp:')) whatsappWindows.set(bare(full.From), now());
      return signedPost(url, full);
    },
  };
};
