import type { ErrorClass } from '../channel.types.ts';
import { classifyProviderError, permanent, transient } from '../channel.errors.ts';

/**
 * WhatsApp Cloud API error codes
 * (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes) mapped to what
 * the dispatcher must do. They arrive synchronously (Graph error on POST /messages) and in
 * `statuses[].errors[]` of `failed` webhooks.
 */
const P = permanent;
const T = transient;

const TABLE: Readonly<Record<number, ErrorClass>> = {
  // Account, app and token problems: pause the channel for the tenant.
  0: P('CHANNEL.AUTH_FAILED', 'account'), // AuthException
  3: P('CHANNEL.MISCONFIGURED', 'account'), // app lacks the capability
  10: P('CHANNEL.AUTH_FAILED', 'account'), // permission denied
  190: P('CHANNEL.AUTH_FAILED', 'account'), // access token expired or invalid
  200: P('CHANNEL.AUTH_FAILED', 'account'), // permission not granted
  368: P('CHANNEL.ACCOUNT_RESTRICTED', 'account'), // temporarily blocked for policy violations
  131031: P('CHANNEL.ACCOUNT_RESTRICTED', 'account'), // business account locked
  131042: P('CHANNEL.ACCOUNT_RESTRICTED', 'account'), // payment method problem
  131045: P('CHANNEL.MISCONFIGURED', 'account'), // phone number not registered (certificate)
  133010: P('CHANNEL.MISCONFIGURED', 'account'), // phone number not registered with the Cloud API

  // The recipient.
  131026: P('CHANNEL.RECIPIENT_UNREACHABLE', 'recipient'), // undeliverable: no WhatsApp, old app, terms not accepted
  131030: P('CHANNEL.INVALID_RECIPIENT', 'recipient'), // not in the test allow-list
  131021: P('CHANNEL.INVALID_RECIPIENT', 'recipient'), // recipient is the sender
  131050: P('CHANNEL.RECIPIENT_OPTED_OUT', 'recipient', true), // the user stopped marketing messages from us

  // This message: content, template or the 24-hour window.
  100: P('CHANNEL.INVALID_MESSAGE', 'message'), // invalid parameter
  131008: P('CHANNEL.INVALID_MESSAGE', 'message'), // required parameter missing
  131009: P('CHANNEL.INVALID_MESSAGE', 'message'), // parameter value invalid
  131047: P('CHANNEL.WINDOW_CLOSED', 'message'), // re-engagement: more than 24 h since the user's last message
  131051: P('CHANNEL.UNSUPPORTED', 'message'), // unsupported message type
  132000: P('CHANNEL.TEMPLATE_REJECTED', 'message'), // parameter count mismatch
  132001: P('CHANNEL.TEMPLATE_REJECTED', 'message'), // template does not exist in that language
  132005: P('CHANNEL.TEMPLATE_REJECTED', 'message'), // hydrated text too long
  132007: P('CHANNEL.TEMPLATE_REJECTED', 'message'), // format character policy violated
  132012: P('CHANNEL.TEMPLATE_REJECTED', 'message'), // parameter format mismatch
  132015: P('CHANNEL.TEMPLATE_REJECTED', 'message'), // template paused for low quality
  132016: P('CHANNEL.TEMPLATE_REJECTED', 'message'), // template disabled

  // Try again later. Meta's throughput and pair-rate limits reset within seconds to minutes.
  1: T('CHANNEL.PROVIDER_ERROR'), // unknown API error
  2: T('CHANNEL.PROVIDER_UNAVAILABLE'), // service temporarily unavailable
  4: T('CHANNEL.RATE_LIMITED', 'account'), // app-level rate limit
  80007: T('CHANNEL.RATE_LIMITED', 'account'), // WABA rate limit
  130429: T('CHANNEL.RATE_LIMITED', 'account'), // cloud API throughput reached
  131000: T('CHANNEL.PROVIDER_ERROR'), // something went wrong
  131016: T('CHANNEL.PROVIDER_UNAVAILABLE'), // service unavailable
  131048: T('CHANNEL.RATE_LIMITED', 'account'), // spam rate limit: quality dropped, slow down
  131049: T('CHANNEL.RATE_LIMITED', 'recipient'), // Meta chose not to deliver now (per-user engagement limit)
  131056: T('CHANNEL.RATE_LIMITED', 'recipient'), // pair rate limit: too many messages to this user
};

/** Back-off Meta documents or that its limits imply, when no Retry-After is given. */
export const META_RETRY_SECONDS: Readonly<Record<number, number>> = { 130429: 60, 131048: 3600, 131049: 86_400, 131056: 60, 4: 300, 80007: 300 };

export const classifyMetaError = (errorCode: number | undefined, httpStatus?: number): ErrorClass =>
  classifyProviderError(TABLE, errorCode, httpStatus);
