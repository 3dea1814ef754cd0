import { Webhook } from 'standardwebhooks';

/**
 * Webhook rules: who gets which event, what is sent, how it is signed, and when a failed
 * attempt is tried again. Pure: the caller supplies `now`, ids and HTTP results.
 */

/** Attempts per delivery, the first included; after the last failure the delivery is `failed`. */
export const MAX_ATTEMPTS = 8;

/** Wait after failed attempt n (index n-1) before attempt n+1: 30 s, 2 min, 10 min, 1 h, 6 h, 24 h, 24 h. */
export const RETRY_DELAYS_SECONDS: readonly number[] = [30, 120, 600, 3_600, 21_600, 86_400, 86_400];

/** Each wait is spread ±10 % so that endpoints recovering from an outage are not hit in lockstep. */
export const JITTER_RATIO = 0.1;

/** Whole attempt budget: a receiver down for about two days and a quarter still gets the event. */
export const RETRY_WINDOW_SECONDS = RETRY_DELAYS_SECONDS.reduce((a, b) => a + b, 0);

/**
 * A stable fraction in [0, 1) from a key (FNV-1a, 32 bit). Jitter comes from the delivery id and
 * attempt number rather than from a random source, so a schedule can be recomputed and tested.
 */
export const jitterFraction = (key: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 0x1_0000_0000;
};

/** Milliseconds to wait after failed attempt `attempt` (1-based); `null` when none remain. */
export const retryDelayMs = (attempt: number, jitter: number): number | null => {
  if (!Number.isInteger(attempt) || attempt < 1) throw new Error(`attempt must be a positive integer, got ${attempt}`);
  if (attempt >= MAX_ATTEMPTS) return null;
  const base = RETRY_DELAYS_SECONDS[Math.min(attempt, RETRY_DELAYS_SECONDS.length) - 1]! * 1000;
  const factor = 1 - JITTER_RATIO + 2 * JITTER_RATIO * Math.min(Math.max(jitter, 0), 1);
  return Math.round(base * factor);
};

/** The full schedule for one delivery: when each retry would happen after `first`. */
export const retrySchedule = (deliveryId: string, first: Date): Date[] => {
  const out: Date[] = [];
  let at = first.getTime();
  for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
    at += retryDelayMs(attempt, jitterFraction(`${deliveryId}:${attempt}`))!;
    out.push(new Date(at));
  }
  return out;
};

/**
 * Subscription filters: `*` (every event), an exact type (`payment.recorded`) or a family
 * (`account.*`).
 */
export const matchesFilter = (filters: readonly string[], type: string): boolean =>
  filters.some((f) => f === '*' || f === type || (f.endsWith('.*') && type.startsWith(f.slice(0, -1))));

export interface RelayEvent {
  tenantId: string;
  id: string;
  type: string;
  /** Omitted: the event is taken as new to every endpoint. */
  occurredAt?: Date;
}
export interface RelayEndpoint {
  tenantId: string;
  id: string;
  eventTypes: readonly string[];
  /** Omitted: the endpoint is taken as older than every event. */
  createdAt?: Date;
}

/**
 * One delivery per (event, active endpoint of the same tenant whose filters match). The tenant
 * check lives here as well as in the query, so isolation never rests on one place alone. An
 * endpoint hears of what happens after it was registered, not of the backlog before it (an
 * import of a million accounts must not become a million webhooks to a CRM added next week);
 * the event feed (`GET /api/v1/events`) and exports serve history.
 */
export const planDeliveries = (
  events: readonly RelayEvent[],
  endpoints: readonly RelayEndpoint[],
): { tenantId: string; eventId: string; endpointId: string }[] =>
  events.flatMap((e) =>
    endpoints
      .filter((w) => w.tenantId === e.tenantId && matchesFilter(w.eventTypes, e.type) && !(e.occurredAt && w.createdAt && e.occurredAt < w.createdAt))
      .map((w) => ({ tenantId: e.tenantId, eventId: e.id, endpointId: w.id })),
  );

/** The body every receiver gets (Standard Webhooks' recommended shape). */
export interface Envelope {
  type: string;
  /** When the change happened (the event's `occurred_at`), ISO 8601 UTC. */
  timestamp: string;
  data: Record<string, unknown>;
}

export const buildEnvelope = (e: { id: string; type: string; occurredAt: Date; payload: Record<string, unknown> }): Envelope => ({
  type: e.type,
  timestamp: e.occurredAt.toISOString(),
  // eventId last so a payload can never shadow it; receivers deduplicate on it.
  data: { ...e.payload, eventId: e.id },
});

export interface SignedRequest {
  headers: Record<string, string>;
  body: string;
}

/**
 * Standard Webhooks signature: HMAC-SHA256 over `${msgId}.${unixSeconds}.${body}` with the
 * base64-decoded secret, sent as `v1,<base64>`. `msgId` is the event id, the same on every
 * retry, which is what lets a receiver drop duplicates.
 */
export const signRequest = (secret: string, msgId: string, at: Date, envelope: Envelope): SignedRequest => {
  const body = JSON.stringify(envelope);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Tacto-Webhooks/1',
      'webhook-id': msgId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(msgId, at, body),
    },
  };
};

/** `whsec_` followed by base64 of 24 to 64 bytes: the format Standard Webhooks libraries accept. */
export const isSecret = (s: string): boolean => {
  const m = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(s);
  if (!m) return false;
  const bytes = Buffer.from(m[1]!, 'base64').length;
  return bytes >= 24 && bytes <= 64;
};

export const secretFromBytes = (bytes: Uint8Array): string => `whsec_${Buffer.from(bytes).toString('base64')}`;

export type AttemptResult =
  | { kind: 'response'; status: number; body: string }
  | { kind: 'timeout'; afterMs: number }
  | { kind: 'network'; message: string };

export type AttemptOutcome =
  | { status: 'delivered' }
  | { status: 'retry'; nextAttemptAt: Date }
  | { status: 'failed' }
  /** 410 Gone: the receiver asks us to stop; the endpoint is disabled. */
  | { status: 'endpoint_gone' };

/**
 * What a finished attempt means. 2xx delivers; 410 disables the endpoint; anything else (other
 * status codes, 3xx included since redirects are not followed, timeouts, refused connections) is
 * retried on the schedule until the attempts run out.
 */
export const decideAfterAttempt = (result: AttemptResult, attempt: number, now: Date, deliveryId: string): AttemptOutcome => {
  if (result.kind === 'response' && result.status >= 200 && result.status < 300) return { status: 'delivered' };
  if (result.kind === 'response' && result.status === 410) return { status: 'endpoint_gone' };
  const wait = retryDelayMs(attempt, jitterFraction(`${deliveryId}:${attempt}`));
  return wait === null ? { status: 'failed' } : { status: 'retry', nextAttemptAt: new Date(now.getTime() + wait) };
};

/** A short, log-safe description of a failed attempt, kept as `last_error`. */
export const describeAttempt = (result: AttemptResult): string | null => {
  switch (result.kind) {
    case 'response': {
      if (result.status >= 200 && result.status < 300) return null;
      const snippet = result.body.replace(/\s+/g, ' ').trim().slice(0, 200);
      return `HTTP ${result.status}${snippet ? `: ${snippet}` : ''}`;
    }
    case 'timeout':
      return `timed out after ${result.afterMs} ms`;
    case 'network':
      return `network error: ${result.message}`.slice(0, 300);
  }
};
