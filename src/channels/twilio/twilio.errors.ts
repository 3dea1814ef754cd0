import type { DeliveryStatus, ErrorClass } from '../channel.types.ts';
import { classifyProviderError, permanent, transient } from '../channel.errors.ts';

/**
 * Twilio error codes (https://www.twilio.com/docs/api/errors) mapped to what the dispatcher
 * must do. The same codes arrive synchronously (REST 4xx on create) and asynchronously
 * (`ErrorCode` on an `undelivered`/`failed` status callback), so one table serves both.
 */
const P = permanent;
const T = transient;

const TABLE: Readonly<Record<number, ErrorClass>> = {
  // Account and configuration: pause the channel for the tenant.
  20003: P('CHANNEL.AUTH_FAILED', 'account'), // authentication failed
  20404: P('CHANNEL.MISCONFIGURED', 'account'), // resource (account, service) not found
  20429: T('CHANNEL.RATE_LIMITED'), // too many requests (REST concurrency)
  21408: P('CHANNEL.ACCOUNT_RESTRICTED', 'account'), // geo permission for the region not enabled
  21606: P('CHANNEL.MISCONFIGURED', 'account'), // From is not an SMS-capable number of this account
  21659: P('CHANNEL.MISCONFIGURED', 'account'), // From is not a Twilio number
  21703: P('CHANNEL.MISCONFIGURED', 'account'), // Messaging Service has no senders
  30002: P('CHANNEL.ACCOUNT_RESTRICTED', 'account'), // account suspended
  30032: P('CHANNEL.ACCOUNT_RESTRICTED', 'account'), // toll-free number not verified
  30034: P('CHANNEL.ACCOUNT_RESTRICTED', 'account'), // US A2P 10DLC: number not registered to a campaign
  63007: P('CHANNEL.MISCONFIGURED', 'account'), // WhatsApp sender not found for this account

  // The recipient: mark the contact point, do not try it again.
  21211: P('CHANNEL.INVALID_RECIPIENT', 'recipient'), // invalid 'To' number
  21610: P('CHANNEL.RECIPIENT_OPTED_OUT', 'recipient', true), // recipient replied STOP to this sender
  21612: P('CHANNEL.RECIPIENT_UNREACHABLE', 'recipient'), // 'To' not reachable by this channel
  21614: P('CHANNEL.INVALID_RECIPIENT', 'recipient'), // 'To' is not a mobile number (landline)
  21910: P('CHANNEL.INVALID_RECIPIENT', 'recipient'), // From/To channel pair mismatch
  30003: T('CHANNEL.RECIPIENT_UNREACHABLE', 'recipient'), // handset off or out of coverage: may come back
  30004: P('CHANNEL.RECIPIENT_UNREACHABLE', 'recipient'), // blocked (carrier block list or the handset): not an opt-out we can evidence
  30005: P('CHANNEL.INVALID_RECIPIENT', 'recipient'), // unknown destination handset
  30006: P('CHANNEL.INVALID_RECIPIENT', 'recipient'), // landline or unreachable carrier
  63024: P('CHANNEL.INVALID_RECIPIENT', 'recipient'), // not a valid WhatsApp recipient

  // This message: dead-letter it; the content or the moment was wrong.
  21602: P('CHANNEL.INVALID_MESSAGE', 'message'), // body required
  21617: P('CHANNEL.INVALID_MESSAGE', 'message'), // body over 1600 characters
  30007: P('CHANNEL.CONTENT_REJECTED', 'message'), // carrier filtered the content as spam
  30019: P('CHANNEL.INVALID_MESSAGE', 'message'), // content size exceeds carrier limit
  63016: P('CHANNEL.WINDOW_CLOSED', 'message'), // WhatsApp free-form outside the 24-hour window
  63027: P('CHANNEL.TEMPLATE_REJECTED', 'message'), // WhatsApp template does not exist for the language
  63028: P('CHANNEL.TEMPLATE_REJECTED', 'message'), // WhatsApp template parameter count mismatch
  63049: T('CHANNEL.RATE_LIMITED'), // Meta chose not to deliver (marketing per-user limit)

  // Try again later.
  14107: T('CHANNEL.RATE_LIMITED'), // SMS send rate limit exceeded
  30001: T('CHANNEL.PROVIDER_UNAVAILABLE'), // queue overflow
  30008: T('CHANNEL.PROVIDER_ERROR'), // unknown carrier error
  30009: T('CHANNEL.PROVIDER_ERROR'), // missing inbound segment
  30010: P('CHANNEL.INVALID_MESSAGE', 'message'), // message price exceeds MaxPrice
  63018: T('CHANNEL.RATE_LIMITED'), // WhatsApp rate limit exceeded
};

/**
 * Classifies a Twilio error. Unknown codes fall back on the HTTP status the way Twilio's own
 * guidance reads: 429 and 5xx are worth retrying, other 4xx are not. A callback error without an
 * HTTP status (delivery failures) defaults to permanent for this message: retrying an
 * undeliverable message hour after hour is exactly the harassment Reg F 1006.14 is about.
 */
export const classifyTwilioError = (errorCode: number | undefined, httpStatus?: number): ErrorClass =>
  classifyProviderError(TABLE, errorCode, httpStatus);

/** Twilio's message statuses to ours (`partially_delivered` counts as delivered: the debtor got it). */
export const mapTwilioStatus = (status: string): DeliveryStatus | undefined => {
  switch (status) {
    case 'accepted':
    case 'scheduled':
    case 'queued':
      return 'queued';
    case 'sending':
    case 'sent':
      return 'sent';
    case 'delivered':
    case 'partially_delivered':
      return 'delivered';
    case 'read':
      return 'read';
    case 'undelivered':
      return 'undelivered';
    case 'failed':
    case 'canceled':
      return 'failed';
    default:
      return undefined;
  }
};
