import { createHash, timingSafeEqual } from 'node:crypto';
import type { DeliveryStatus, FetchLike, SendFailure, WebhookRequest } from './channel.types.ts';

/**
 * Small pieces every adapter needs: redaction, header and body access, constant-time
 * comparison, bounded HTTP calls that never throw, status ordering.
 */

/**
 * Removes personal data and secrets from provider messages before they leave the adapter.
 * Twilio's errors quote the number ("The 'To' number +1555… is not a valid phone number"),
 * SMTP replies quote the address; both end up in dead-letter rows and logs otherwise.
 */
export const redact = (text: string): string =>
  text
    .replace(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[email]')
    .replace(/\b(?:AC|SK)[0-9a-f]{32}\b/gi, (m) => `${m.slice(0, 2)}[sid]`)
    .replace(/\bEAA[A-Za-z0-9]{20,}\b/g, '[token]')
    .replace(/(?<![A-Za-z0-9])(?:whatsapp:)?[+(]?\d[\d\s().-]{5,}\d(?![A-Za-z0-9])/g, (m) =>
      /^\d{4}-\d{2}-\d{2}$/.test(m) || m.replace(/\D/g, '').length < 7 ? m : '[phone]')
    .slice(0, 500);

/** Case-insensitive header read; repeated headers yield their first value. */
export const header = (request: WebhookRequest, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(request.headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return typeof value === 'string' ? value : value[0];
  }
  return undefined;
};

export const bodyBytes = (request: WebhookRequest): Buffer =>
  typeof request.rawBody === 'string' ? Buffer.from(request.rawBody, 'utf8') : Buffer.from(request.rawBody);

export const bodyText = (request: WebhookRequest): string =>
  typeof request.rawBody === 'string' ? request.rawBody : Buffer.from(request.rawBody).toString('utf8');

/** `application/x-www-form-urlencoded` into name → values (Twilio repeats names for arrays). */
export const parseForm = (text: string): Map<string, string[]> => {
  const out = new Map<string, string[]>();
  for (const [key, value] of new URLSearchParams(text)) {
    const list = out.get(key);
    if (list) list.push(value);
    else out.set(key, [value]);
  }
  return out;
};

/** Constant-time string comparison; length is not secret (fixed by the digest algorithm). */
export const safeEqual = (a: string, b: string): boolean => {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
};

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

const KEY_PATTERN = /^[A-Za-z0-9._:-]{1,200}$/;

/** Idempotency keys travel in URLs and headers; keep them to a safe alphabet. */
export const isValidIdempotencyKey = (key: string): boolean => KEY_PATTERN.test(key);

const RANK: Record<DeliveryStatus, number> = { queued: 0, sent: 1, delivered: 2, undelivered: 2, failed: 2, read: 3 };

/**
 * Whether `next` should replace `current`. Webhooks arrive out of order and are retried, so a
 * late `sent` must not overwrite `delivered`. A read receipt proves delivery and wins over an
 * earlier failure report; otherwise the first terminal state stays.
 */
export const isStatusAdvance = (current: DeliveryStatus, next: DeliveryStatus): boolean => RANK[next] > RANK[current];

/** Seconds from a `Retry-After` header (delta-seconds or HTTP-date); undefined if absent or past. */
export const retryAfterSeconds = (value: string | null, now: Date): number | undefined => {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  const seconds = Math.ceil((at - now.getTime()) / 1000);
  return seconds > 0 ? seconds : undefined;
};

export type HttpOutcome =
  | { kind: 'response'; status: number; headers: Headers; text: string }
  | { kind: 'failure'; failure: SendFailure };

const networkFailure = (e: unknown, timeoutMs: number, bodySent: boolean): SendFailure => {
  const name = e instanceof Error ? e.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return {
      ok: false, kind: 'transient', code: 'CHANNEL.TIMEOUT', scope: 'message',
      message: `no response within ${timeoutMs} ms`, uncertain: bodySent,
    };
  }
  const cause = (e as { cause?: { code?: string; name?: string } }).cause;
  const code = cause?.code ?? 'unknown';
  // The outbound guard refused the provider's address (a tenant-given base URL pointing at a
  // private network): nothing was sent, and no retry will change it — the account's configuration is wrong.
  if (cause?.name === 'BlockedAddressError' || code === 'EADDRNOTPUBLIC') {
    return {
      ok: false, kind: 'permanent', code: 'CHANNEL.ADDRESS_NOT_PUBLIC', scope: 'account',
      message: 'the provider address is not public; outbound requests to private networks are refused (TACTO_OUTBOUND_ALLOW_PRIVATE)', uncertain: false,
    };
  }
  // A refused connection or a DNS failure happens before any byte is written: certainly not
  // sent. A reset after connecting may have delivered the request.
  const certainlyNotSent = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'].includes(code);
  return {
    ok: false, kind: 'transient', code: 'CHANNEL.NETWORK', scope: 'message',
    message: `network error (${code})`, uncertain: bodySent && !certainlyNotSent,
  };
};

/**
 * One bounded HTTP exchange that never throws. Redirects are refused: a credentialed API call
 * must not be replayed to wherever a 3xx points.
 */
export const httpCall = async (
  fetchFn: FetchLike,
  url: string,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  timeoutMs: number,
): Promise<HttpOutcome> => {
  try {
    const res = await fetchFn(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    return { kind: 'response', status: res.status, headers: res.headers, text };
  } catch (e) {
    return { kind: 'failure', failure: networkFailure(e, timeoutMs, init.method === 'POST') };
  }
};

export const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
