/**
 * Channel adapters: e-mail over SMTP, SMS and WhatsApp through Twilio, WhatsApp through Meta's
 * Cloud API, and the sandbox. The messaging module and the HTTP webhook routes use channels only
 * through this file. See docs/messaging.md.
 */
import type { Clock } from '../lib/clock.ts';
import { ChannelConfig } from './channel.config.ts';
import type { ChannelAdapter, FetchLike } from './channel.types.ts';
import { createSmtpAdapter } from './email-smtp/smtp.adapter.ts';
import { createSandboxAdapter } from './sandbox/sandbox.adapter.ts';
import type { SandboxStore } from './sandbox/sandbox.store.ts';
import { createTwilioAdapter } from './twilio/twilio.adapter.ts';
import { createMetaAdapter } from './whatsapp-cloud/meta.adapter.ts';

export type {
  ChannelAdapter, ChannelErrorCode, ChannelEvent, DeliveryStatus, EmailMessage, ErrorClass, FailureScope, FetchLike,
  FindSentQuery, FindSentResult, InboundEvent, MessageChannel, OutboundMessage, ParseResult, ProviderName, SendFailure,
  SendOptions, SendResult, SendSuccess, SentMatch, SignatureCheck, SmsMessage, StatusError, StatusEvent,
  WebhookHandlers, WebhookRequest, WhatsAppMessage, WhatsAppTemplateContent, WhatsAppTextContent,
} from './channel.types.ts';
export { DELIVERY_STATUSES } from './channel.types.ts';
export { ChannelConfig, MetaConfig, SandboxConfig, SmtpConfig, TwilioConfig, describeChannelConfig } from './channel.config.ts';
export { isStatusAdvance, redact, sha256Hex } from './channel.support.ts';
export { createSmtpAdapter, messageIdFor, listUnsubscribeHeaders } from './email-smtp/smtp.adapter.ts';
export { createTwilioAdapter, callbackUrlFor } from './twilio/twilio.adapter.ts';
export { classifyTwilioError, mapTwilioStatus } from './twilio/twilio.errors.ts';
export { computeTwilioSignature, verifyTwilioSignature, parseTwilioStatusCallback, parseTwilioInbound } from './twilio/twilio.webhooks.ts';
export { createMetaAdapter, buildMetaPayload } from './whatsapp-cloud/meta.adapter.ts';
export { classifyMetaError } from './whatsapp-cloud/meta.errors.ts';
export { answerMetaSubscription, computeMetaSignature, verifyMetaSignature, parseMetaStatuses, parseMetaInbound } from './whatsapp-cloud/meta.webhooks.ts';
export { createSandboxAdapter, SANDBOX_FAILING_RECIPIENTS } from './sandbox/sandbox.adapter.ts';
export type { SandboxAdapter, SandboxReply } from './sandbox/sandbox.adapter.ts';
export { createMemorySandboxStore } from './sandbox/sandbox.store.ts';
export type { SandboxListQuery, SandboxMessage, SandboxStore } from './sandbox/sandbox.store.ts';

export interface ChannelAdapterDeps {
  fetch?: FetchLike;
  clock?: Clock;
  /** Required for the sandbox provider. */
  sandboxStore?: SandboxStore;
}

/**
 * One adapter from one tenant's stored provider configuration (validated here, so a bad stored
 * config fails loudly at wiring time with the field named, never mid-send).
 */
export const createChannelAdapter = (config: unknown, deps: ChannelAdapterDeps = {}): ChannelAdapter => {
  const parsed = ChannelConfig.parse(config);
  const httpDeps = { ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.clock ? { clock: deps.clock } : {}) };
  switch (parsed.provider) {
    case 'smtp':
      return createSmtpAdapter(parsed);
    case 'twilio':
      return createTwilioAdapter(parsed, httpDeps);
    case 'meta':
      return createMetaAdapter(parsed, httpDeps);
    case 'sandbox': {
      if (!deps.sandboxStore) throw new Error('the sandbox channel needs a sandboxStore');
      return createSandboxAdapter(parsed, { store: deps.sandboxStore, ...(deps.clock ? { clock: deps.clock } : {}) });
    }
  }
};
