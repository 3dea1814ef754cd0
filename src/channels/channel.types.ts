/**
 * The one interface every provider adapter implements (ARCHITECTURE.md convention 10). Channels
 * are adapters: they know providers' wire formats and nothing about debtors, journeys or
 * policy, so these types are defined here and never imported from `src/modules/**`.
 *
 * Contract in one paragraph: the dispatcher renders a message, then calls
 * `adapter.send(message, { idempotencyKey })`, which resolves to `{ ok: true, externalId,
 * status }` or to a typed failure (`transient` → retry with backoff, `permanent` →
 * dead-letter). Adapters never throw for expected outcomes (a provider error, a timeout, a
 * refused connection); a throw is a bug. Adapters never log: failures carry redacted messages
 * (no phone numbers, e-mail addresses, bodies or credentials) that are safe to store.
 */

/** Which debtor-facing channel a message travels on. */
export type MessageChannel = 'sms' | 'whatsapp' | 'email';

/** Which provider integration carries it. */
export type ProviderName = 'smtp' | 'twilio' | 'meta' | 'sandbox';

/**
 * Normalised delivery states, ordered by progress. Twilio's `accepted`/`scheduled` are
 * `queued`; `sending` is `sent`; `canceled` is `failed`. A status never moves backwards: a
 * `delivered` arriving after `read` (webhooks are not ordered) must not overwrite it; use
 * `isStatusAdvance` to decide.
 */
export type DeliveryStatus = 'queued' | 'sent' | 'delivered' | 'read' | 'undelivered' | 'failed';

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['queued', 'sent', 'delivered', 'read', 'undelivered', 'failed'];

/** An SMS: plain text to an E.164 number. */
export interface SmsMessage {
  channel: 'sms';
  /** E.164, e.g. `+34600111222`. */
  to: string;
  body: string;
  /**
   * Latest moment the provider may still hand the message to the carrier. Texts count when
   * sent (Reg F comment 6(b)(1)(i)), so a reminder stuck in a queue past the allowed hours must
   * expire rather than arrive at 23:00; Twilio maps this to `ValidityPeriod`.
   */
  expiresAt?: Date;
}

/** A pre-approved WhatsApp template (utility category for reminders; see COMPLIANCE.md). */
export interface WhatsAppTemplateContent {
  kind: 'template';
  /** Template name as approved at Meta (`tacto_missed_payment_1`). */
  name: string;
  /** Meta language code: `es`, `es_MX`, `pt_BR`, `en_US`. */
  language: string;
  /** Twilio Content API SID (`HX…`); required only by the Twilio adapter. */
  contentSid?: string;
  /** Values for `{{1}}`, `{{2}}`, … of the template body, in order. */
  bodyParameters: string[];
  /** The text as the debtor will read it; kept for the sandbox and the timeline, never sent. */
  previewText: string;
}

/**
 * Free-form text. WhatsApp accepts it only inside the 24-hour customer-service window opened
 * by the debtor's own last message; the caller must say so by giving the instant the window
 * closes, and the adapters refuse free-form text without it (Meta error 131047 otherwise).
 */
export interface WhatsAppTextContent {
  kind: 'text';
  body: string;
  serviceWindowClosesAt: Date;
}

export interface WhatsAppMessage {
  channel: 'whatsapp';
  /** E.164 of the debtor's WhatsApp number. */
  to: string;
  content: WhatsAppTemplateContent | WhatsAppTextContent;
}

/**
 * An e-mail. `unsubscribe` is mandatory: Reg F 1006.6(e) requires a simple opt-out in every
 * electronic communication, and Gmail/Yahoo bulk-sender rules require RFC 8058 one-click
 * unsubscribe (List-Unsubscribe + List-Unsubscribe-Post) on top of the link in the body.
 */
export interface EmailMessage {
  channel: 'email';
  to: string;
  subject: string;
  text: string;
  html: string;
  unsubscribe: {
    /** HTTPS endpoint that accepts `POST List-Unsubscribe=One-Click` (RFC 8058). */
    url: string;
    /** Address that records an opt-out when mailed (`optout+token@…`). */
    mailto: string;
  };
  /** Overrides the tenant's configured Reply-To for this message. */
  replyTo?: string;
}

export type OutboundMessage = SmsMessage | WhatsAppMessage | EmailMessage;

export interface SendOptions {
  /**
   * One key per contact attempt, stable across retries. Adapters pass it to the provider where
   * the provider can carry it (Message-ID for SMTP, the status-callback URL for Twilio,
   * `biz_opaque_callback_data` for Meta, the store key for the sandbox) so that a send repeated
   * after a crash can be recognised. At most 200 characters of `[A-Za-z0-9._:-]`.
   */
  idempotencyKey: string;
}

/** Stable codes of send and webhook outcomes, in the style of `lib/errors.ts`. */
export type ChannelErrorCode =
  | 'CHANNEL.INVALID_RECIPIENT'
  | 'CHANNEL.RECIPIENT_OPTED_OUT'
  | 'CHANNEL.RECIPIENT_UNREACHABLE'
  | 'CHANNEL.WINDOW_CLOSED'
  | 'CHANNEL.TEMPLATE_REJECTED'
  | 'CHANNEL.CONTENT_REJECTED'
  | 'CHANNEL.RATE_LIMITED'
  | 'CHANNEL.PROVIDER_UNAVAILABLE'
  | 'CHANNEL.NETWORK'
  | 'CHANNEL.TIMEOUT'
  | 'CHANNEL.AUTH_FAILED'
  | 'CHANNEL.ADDRESS_NOT_PUBLIC'
  | 'CHANNEL.ACCOUNT_RESTRICTED'
  | 'CHANNEL.MISCONFIGURED'
  | 'CHANNEL.INVALID_MESSAGE'
  | 'CHANNEL.EXPIRED'
  | 'CHANNEL.UNSUPPORTED'
  | 'CHANNEL.PROVIDER_ERROR';

/**
 * What a failure is about, so the dispatcher knows what to stop:
 * - `message`: this message only (dead-letter it or retry it);
 * - `recipient`: the address is bad or opted out (mark the contact point, stop all sends to it);
 * - `account`: the tenant's provider account is broken (credentials, suspension, sender not
 *   registered) — pause the channel for the tenant instead of burning through the queue.
 */
export type FailureScope = 'message' | 'recipient' | 'account';

/** How a provider error code is to be handled; one table per provider. */
export interface ErrorClass {
  kind: 'transient' | 'permanent';
  code: ChannelErrorCode;
  scope: FailureScope;
  optOut?: boolean;
}

export interface SendFailure {
  ok: false;
  /** `transient`: retry later with backoff. `permanent`: retrying cannot help. */
  kind: 'transient' | 'permanent';
  code: ChannelErrorCode;
  scope: FailureScope;
  /** Provider's own code (`21610`, `131047`, `550`), for the record and for support. */
  providerCode?: string;
  /** Redacted: safe to store and log. */
  message: string;
  /** From `Retry-After` or the provider's documented back-off, when known. */
  retryAfterSeconds?: number;
  /** The provider reports the recipient opted out (Twilio 21610, Meta 131050): record it. */
  optOut?: boolean;
  /**
   * The request may have reached the provider (a timeout after the body was written, a reset
   * connection, a 5xx from behind the API gateway). Before retrying, reconcile: `findSent` for
   * Twilio, the webhook for Meta, Message-ID de-duplication for e-mail.
   */
  uncertain?: boolean;
}

export interface SendSuccess {
  ok: true;
  /** Provider's id: Twilio `SM…`/`MM…`, Meta `wamid.…`, the SMTP Message-ID, `sbx_…`. */
  externalId: string;
  status: DeliveryStatus;
  /** Billable parts when the provider reports them (Twilio `num_segments`). */
  segments?: number;
}

export type SendResult = SendSuccess | SendFailure;

/** An HTTP request as it reached our webhook endpoint, before any parsing. */
export interface WebhookRequest {
  /**
   * The public URL the provider called, exactly as configured at the provider, with its query
   * string (Twilio signs it). Behind a proxy, rebuild it from the configured public base URL,
   * never from `Host`, which an attacker controls.
   */
  url: string;
  method: string;
  /** Header names in any case. */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The exact bytes received: Meta signs the raw body, and re-serialised JSON does not match. */
  rawBody: string | Uint8Array;
}

export type SignatureCheck =
  | { ok: true }
  | { ok: false; code: 'CHANNEL.SIGNATURE_MISSING' | 'CHANNEL.SIGNATURE_INVALID'; message: string };

/** Normalised error attached to a status event. */
export interface StatusError {
  providerCode: string;
  code: ChannelErrorCode;
  kind: 'transient' | 'permanent';
  scope: FailureScope;
  optOut?: boolean;
  message: string;
}

export interface StatusEvent {
  type: 'status';
  provider: ProviderName;
  channel: MessageChannel;
  externalId: string;
  status: DeliveryStatus;
  /** When the provider says it happened; absent when it does not say (Twilio callbacks). */
  occurredAt?: Date;
  /** Recovered from the callback URL (Twilio) or `biz_opaque_callback_data` (Meta). */
  idempotencyKey?: string;
  /** Recipient address as the provider reports it; personal data, redact before logging. */
  recipient?: string;
  error?: StatusError;
}

export interface InboundEvent {
  type: 'inbound';
  provider: ProviderName;
  channel: MessageChannel;
  externalId: string;
  /** Sender (the debtor) in E.164; personal data. */
  from: string;
  /** Our number (E.164) or, for Meta, our phone-number id. */
  to: string;
  /** Text of the message; buttons and list replies give their visible title. Personal data. */
  text: string;
  /** `text` for typed text, else the provider's type (`button`, `image`, `audio`, …). */
  contentType: string;
  receivedAt?: Date;
  /**
   * The provider already acted on an opt-out keyword (Twilio Advanced Opt-Out sends
   * `OptOutType`). Our own keyword detection runs regardless; this records what the provider
   * did so the two stay in step.
   */
  providerOptOut?: 'stop' | 'start' | 'help';
}

export type ChannelEvent = StatusEvent | InboundEvent;

export type ParseResult<T> =
  | { ok: true; events: T[] }
  | { ok: false; code: 'CHANNEL.WEBHOOK_MALFORMED'; message: string };

/** Post-crash reconciliation query (Twilio): did a message to `to` already go out? */
export interface FindSentQuery {
  channel: 'sms' | 'whatsapp';
  /** E.164 of the recipient. */
  to: string;
  /** Lower bound of the send attempt; matches created on or after it. */
  sentAfter: Date;
  /** `sha256` hex of the exact body sent; when absent, every message to `to` in the window matches. */
  bodySha256?: string;
}

export interface SentMatch {
  externalId: string;
  status: DeliveryStatus;
  createdAt: Date;
  /** True when the body hash matched; false when matched by recipient and time only. */
  bodyMatched: boolean;
}

export type FindSentResult = { ok: true; matches: SentMatch[] } | SendFailure;

export interface WebhookHandlers {
  verifySignature(request: WebhookRequest): SignatureCheck;
  /** Delivery receipts. Call only after `verifySignature` succeeded. */
  parseStatusCallback(request: WebhookRequest): ParseResult<StatusEvent>;
  /** Replies from the debtor. Call only after `verifySignature` succeeded. */
  parseInbound(request: WebhookRequest): ParseResult<InboundEvent>;
}

/** What every adapter offers. Webhooks exist only where the provider calls us back. */
export interface ChannelAdapter {
  readonly provider: ProviderName;
  readonly channels: readonly MessageChannel[];
  send(message: OutboundMessage, options: SendOptions): Promise<SendResult>;
  readonly webhooks?: WebhookHandlers;
  /** Providers without an idempotency key and with a list API implement reconciliation. */
  findSent?(query: FindSentQuery): Promise<FindSentResult>;
  /** Releases connections (SMTP pool). */
  close?(): Promise<void>;
}

/** `fetch` as adapters use it, injectable for callers that route through a proxy. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;
