import { createHash, randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../../lib/clock.ts';
import type { SandboxConfig } from '../channel.config.ts';
import { isValidIdempotencyKey } from '../channel.support.ts';
import type { ChannelAdapter, ErrorClass, InboundEvent, MessageChannel, OutboundMessage, SendOptions, SendResult } from '../channel.types.ts';
import type { SandboxMessage, SandboxStore } from './sandbox.store.ts';

/**
 * The sandbox channel: behaves like a provider (same interface, same rules, same failures) but
 * delivers into a store the web inbox reads, where a tester can reply as the debtor. Demos and
 * the simulation lab run through it, so it enforces what real providers enforce — WhatsApp
 * free-form only inside the 24-hour window — and it fails on the recipients Twilio uses as
 * test numbers, so failure handling can be exercised without a provider account.
 */

/** Recipients that fail on purpose (Twilio's magic test numbers plus our own for e-mail). */
export const SANDBOX_FAILING_RECIPIENTS: Readonly<Record<string, ErrorClass & { providerCode: string; message: string }>> = {
  '+15005550001': { kind: 'permanent', code: 'CHANNEL.INVALID_RECIPIENT', scope: 'recipient', providerCode: '21211', message: 'invalid number' },
  '+15005550002': { kind: 'permanent', code: 'CHANNEL.RECIPIENT_UNREACHABLE', scope: 'recipient', providerCode: '21612', message: 'cannot route to this number' },
  '+15005550004': { kind: 'permanent', code: 'CHANNEL.RECIPIENT_OPTED_OUT', scope: 'recipient', optOut: true, providerCode: '21610', message: 'recipient opted out' },
  '+15005550009': { kind: 'permanent', code: 'CHANNEL.INVALID_RECIPIENT', scope: 'recipient', providerCode: '21614', message: 'not a mobile number' },
  '+15005550429': { kind: 'transient', code: 'CHANNEL.RATE_LIMITED', scope: 'message', providerCode: '429', message: 'rate limited (sandbox)' },
  'bounce@sandbox.invalid': { kind: 'permanent', code: 'CHANNEL.INVALID_RECIPIENT', scope: 'recipient', providerCode: '550', message: 'mailbox does not exist' },
  'throttle@sandbox.invalid': { kind: 'transient', code: 'CHANNEL.RATE_LIMITED', scope: 'message', providerCode: '451', message: 'try again later (sandbox)' },
};

export interface SandboxAdapterDeps {
  store: SandboxStore;
  clock?: Clock;
  /** Label shown as the sender in the inbox. */
  senderLabel?: string;
}

export interface SandboxReply {
  channel: MessageChannel;
  /** The debtor's address the tester is replying as. */
  from: string;
  /** Our address the reply goes to. */
  to: string;
  text: string;
}

export interface SandboxAdapter extends ChannelAdapter {
  /** Records a tester's reply as the debtor and returns it as the inbound event a provider webhook would give. */
  receive(reply: SandboxReply): Promise<InboundEvent>;
}

const outboundId = (tenantId: string, key: string): string =>
  `sbx_${createHash('sha256').update(`${tenantId}\u0000${key}`, 'utf8').digest('hex').slice(0, 26)}`;

export const createSandboxAdapter = (config: SandboxConfig, deps: SandboxAdapterDeps): SandboxAdapter => {
  const clock = deps.clock ?? systemClock;
  const sender = deps.senderLabel ?? 'sandbox';

  const send = async (message: OutboundMessage, options: SendOptions): Promise<SendResult> => {
    if (!isValidIdempotencyKey(options.idempotencyKey)) throw new TypeError('idempotencyKey must be 1–200 characters of [A-Za-z0-9._:-]');
    const now = clock.now();
    const base = {
      id: outboundId(config.tenantId, options.idempotencyKey), tenantId: config.tenantId, direction: 'outbound' as const,
      channel: message.channel, idempotencyKey: options.idempotencyKey, to: message.to, from: sender, createdAt: now,
    };
    let record: SandboxMessage;
    if (message.channel === 'email') {
      record = { ...base, subject: message.subject, text: message.text, html: message.html, status: 'delivered' };
    } else if (message.channel === 'sms') {
      if (message.expiresAt && message.expiresAt.getTime() <= now.getTime()) {
        return { ok: false, kind: 'permanent', code: 'CHANNEL.EXPIRED', scope: 'message', message: 'the message expired before it could be sent' };
      }
      record = { ...base, text: message.body, status: 'delivered' };
    } else {
      const content = message.content;
      if (content.kind === 'text' && content.serviceWindowClosesAt.getTime() <= now.getTime()) {
        return { ok: false, kind: 'permanent', code: 'CHANNEL.WINDOW_CLOSED', scope: 'message', providerCode: '131047', message: 'the 24-hour WhatsApp service window is closed; send an approved template' };
      }
      record = content.kind === 'text'
        ? { ...base, text: content.body, status: 'delivered' }
        : { ...base, text: content.previewText, template: content.name, status: 'delivered' };
    }
    const failing = SANDBOX_FAILING_RECIPIENTS[message.to];
    if (failing) {
      const { providerCode, message: text, ...cls } = failing;
      // Recorded like a provider's failed message, so the inbox shows what happened.
      await deps.store.save({ ...record, status: 'failed', error: { code: cls.code, kind: cls.kind, scope: cls.scope, providerCode, message: text } });
      return { ok: false, ...cls, providerCode, message: text };
    }
    const stored = await deps.store.save(record);
    if (stored.status === 'failed' && stored.error) {
      return { ok: false, kind: stored.error.kind, code: stored.error.code, scope: stored.error.scope, message: stored.error.message };
    }
    return { ok: true, externalId: stored.id, status: stored.status };
  };

  const receive = async (reply: SandboxReply): Promise<InboundEvent> => {
    const stored = await deps.store.save({
      id: `sbx_in_${randomUUID().replaceAll('-', '')}`, tenantId: config.tenantId, direction: 'inbound', channel: reply.channel,
      to: reply.to, from: reply.from, text: reply.text, status: 'delivered', createdAt: clock.now(),
    });
    return {
      type: 'inbound', provider: 'sandbox', channel: reply.channel, externalId: stored.id, from: stored.from, to: stored.to,
      text: stored.text, contentType: 'text', receivedAt: stored.createdAt,
    };
  };

  return { provider: 'sandbox', channels: ['sms', 'whatsapp', 'email'], send, receive };
};
