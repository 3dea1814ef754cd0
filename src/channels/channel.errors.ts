import type { ChannelErrorCode, ErrorClass, FailureScope } from './channel.types.ts';

/** A permanent failure: retrying cannot help. `optOut` marks the recipient as opted out. */
export const permanent = (code: ChannelErrorCode, scope: FailureScope, optOut?: boolean): ErrorClass =>
  (optOut ? { kind: 'permanent', code, scope, optOut } : { kind: 'permanent', code, scope });

/** A transient failure: worth retrying with backoff. */
export const transient = (code: ChannelErrorCode, scope: FailureScope = 'message'): ErrorClass => ({ kind: 'transient', code, scope });

/**
 * Classifies a provider error: the provider's own code first (its table), else the HTTP status
 * as providers document it — 429 and 5xx are worth retrying, 401/403 stop the tenant's whole
 * provider account, any other failure (including one with no status, such as a delivery
 * failure in a callback) is permanent for this message.
 */
export const classifyProviderError = (
  table: Readonly<Record<number, ErrorClass>>,
  errorCode: number | undefined,
  httpStatus?: number,
): ErrorClass => {
  const known = errorCode === undefined ? undefined : table[errorCode];
  if (known) return known;
  if (httpStatus === 429) return transient('CHANNEL.RATE_LIMITED');
  if (httpStatus !== undefined && httpStatus >= 500) return transient('CHANNEL.PROVIDER_UNAVAILABLE');
  if (httpStatus === 401 || httpStatus === 403) return permanent('CHANNEL.AUTH_FAILED', 'account');
  return permanent('CHANNEL.PROVIDER_ERROR', 'message');
};
