import type { Database } from '../../db/db.ts';
import type { Clock } from '../../lib/clock.ts';
import type { IdFactory } from '../../lib/ids.ts';
import type { InboundEvent, StatusEvent } from '../../channels/index.ts';
import { appendEvents, type NewEvent } from '../events/index.ts';
import { contactStatusFor, kindsForChannel, statusAdvances, type SendChannel } from './messaging.dispatch.domain.ts';
import { detectOptOutKeyword } from './messaging.optout.domain.ts';
import * as repo from './messaging.repo.ts';

/**
 * What comes back: delivery and read receipts, bounces, clicks, and the debtor's replies. Each
 * is applied once (receipts are de-duplicated by message and status; inbound messages by
 * provider id), in one transaction with its outbox events.
 */
export interface ReceiptsDeps {
  db: Database;
  clock: Clock;
  newId: IdFactory;
}

export interface StatusOutcome {
  matched: boolean;
  applied: boolean;
  messageId?: string;
}

export interface InboundOutcome {
  stored: boolean;
  inboundId?: string;
  debtorId: string | null;
  keywordAction: 'opt_out' | 'opt_in' | 'help' | null;
  optedOut: number;
  cancelled: number;
  /** A `help_reply` was scheduled (HELP/INFO/AYUDA/AJUDA; at most one per address every 24 hours). */
  helpReply: boolean;
}

/** How long after one help reply another HELP from the same address is left unanswered. */
const HELP_REPLY_EVERY_MS = 24 * 3600_000;

/** One bounced message as the JSON webhook and a parsed DSN give it. */
export interface Bounce {
  /** The Message-ID of the message that bounced, with or without angle brackets. */
  messageId: string;
  type: 'hard' | 'soft' | 'none';
  /** RFC 3463 enhanced status code, e.g. 5.1.1. */
  status?: string;
  diagnostic?: string;
  occurredAt?: Date;
}

const WEBHOOK_EVENT: Readonly<Record<string, NewEvent['type'] | undefined>> = {
  sent: 'message.sent', delivered: 'message.delivered', read: 'message.read', failed: 'message.failed', undelivered: 'message.failed', bounced: 'message.failed',
};

export const createReceipts = (deps: ReceiptsDeps) => {
  const { db, clock, newId } = deps;

  const optOutAddress = async (tx: Parameters<Parameters<Database['transaction']>[0]>[0], tenantId: string, cpIds: string[], address: string, channel: SendChannel, reason: string, at: Date, events: NewEvent[]) => {
    const changed = await repo.optOutContactPoints(tx, tenantId, cpIds, reason, at);
    const cancelled = await repo.cancelPendingTo(tx, tenantId, address, channel === 'whatsapp' ? ['whatsapp'] : channel === 'sms' ? ['sms'] : ['email'], 'opted_out', at);
    for (const c of changed) {
      events.push({ id: newId('evt'), tenantId, type: 'contact_point.opted_out', subjectType: 'debtor', subjectId: c.debtor_id,
        payload: { debtorId: c.debtor_id, contactPointId: c.id, kind: c.kind, reason }, occurredAt: at });
    }
    return { changed, cancelled };
  };

  /** Schedules the module's own answer to a reply (opt-out confirmation, help reply) on the same channel and address, sent now, within 24 hours. */
  const scheduleAnswer = async (tx: Parameters<Parameters<Database['transaction']>[0]>[0], tenantId: string, to: repo.MatchedAddress, channel: SendChannel, address: string, purpose: 'opt_out_confirmation' | 'help_reply', inboundId: string, now: Date): Promise<boolean> => {
    const accountId = await repo.latestAccountOf(tx, tenantId, to.debtor_id);
    if (!accountId) return false;
    return repo.insertAdHocContact(tx, {
      tenantId, id: newId('sct'), accountId, debtorId: to.debtor_id, channel, purpose, language: to.language,
      contactPointId: to.contact_point_id, destination: address, sendAt: now, windowEnd: new Date(now.getTime() + 24 * 3600_000),
      idempotencyKey: `${purpose}:${to.contact_point_id}:${inboundId}`,
      ...(purpose === 'help_reply' ? { noneSince: new Date(now.getTime() - HELP_REPLY_EVERY_MS) } : {}),
    });
  };

  const api = {
    /** A delivery receipt (Twilio callback, Meta webhook status, e-mail bounce as `bounced`). */
    async applyStatus(tenantId: string, e: Pick<StatusEvent, 'provider' | 'externalId' | 'occurredAt' | 'idempotencyKey' | 'error'> & { status: StatusEvent['status'] | 'bounced' }): Promise<StatusOutcome> {
      const now = clock.now();
      return db.transaction(async (tx) => {
        const m = await repo.findMessageForReceipt(tx, tenantId, e.provider, e.externalId, e.idempotencyKey);
        if (!m) return { matched: false, applied: false };
        const fresh = await repo.insertReceipt(tx, {
          tenantId, messageId: m.id, status: e.status, providerAt: e.occurredAt ?? null, now, errorCode: e.error?.code ?? null, providerErrorCode: e.error?.providerCode ?? null,
        });
        const advances = statusAdvances(m.status, e.status);
        if (advances) {
          await repo.applyReceipt(tx, m, { status: e.status, externalId: e.externalId, at: e.occurredAt ?? now, errorCode: e.error?.code ?? null, providerErrorCode: e.error?.providerCode ?? null, errorMessage: e.error?.message ?? null });
          const contactStatus = contactStatusFor(e.status);
          if (m.scheduled_contact_id && contactStatus) await repo.updateContactStatus(tx, tenantId, m.scheduled_contact_id, contactStatus, e.error?.code ?? null, now);
        }
        const events: NewEvent[] = [];
        const payload = { messageId: m.id, scheduledContactId: m.scheduled_contact_id, debtorId: m.debtor_id, accountId: m.account_id, channel: m.channel, provider: m.provider };
        const orphan = m.status === 'sending' || m.status === 'retrying';
        // An orphan (a crash between the provider's answer and our record) is announced as sent
        // when its first receipt arrives; otherwise the dispatcher already announced it.
        if (orphan && advances && e.status !== 'failed' && e.status !== 'undelivered' && e.status !== 'bounced') {
          events.push({ id: newId('evt'), tenantId, type: 'message.sent', subjectType: 'message', subjectId: m.id, payload: { ...payload, status: 'sent' }, occurredAt: now });
        }
        // Each new receipt is announced once, even when it arrives after a later one (a `delivered` after `read`).
        const type = WEBHOOK_EVENT[e.status];
        if (type && type !== 'message.sent' && fresh) {
          events.push({ id: newId('evt'), tenantId, type, subjectType: 'message', subjectId: m.id,
            payload: { ...payload, status: e.status, ...(type === 'message.failed' ? { errorCode: e.error?.code ?? null, providerErrorCode: e.error?.providerCode ?? null } : {}) }, occurredAt: now });
        }
        if (e.error?.optOut && m.contact_point_id) await optOutAddress(tx, tenantId, [m.contact_point_id], m.destination, m.channel, 'provider reported opt-out', now, events);
        await appendEvents(tx, events);
        return { matched: true, applied: advances, messageId: m.id };
      });
    },

    /**
     * A reply from the debtor: stored on the timeline (matched to the debtor by address), opens
     * the WhatsApp window, and honours opt-out words at once for that address: the contact
     * point is opted out, what is pending to it is cancelled, and the single confirmation the
     * rules allow is scheduled (unless the provider already sent one, as Twilio's Advanced
     * Opt-Out does). START/ALTA re-subscribe.
     */
    async receive(tenantId: string, e: InboundEvent, options: { confirmOptOut?: boolean } = {}): Promise<InboundOutcome> {
      const now = clock.now();
      const receivedAt = e.receivedAt ?? now;
      const channel = e.channel as SendChannel;
      return db.transaction(async (tx) => {
        const matches = await repo.matchAddress(tx, tenantId, kindsForChannel(channel), e.from);
        const first = matches[0];
        const match = detectOptOutKeyword(e.text, (first?.language ?? 'es') as 'es' | 'en' | 'pt');
        const action = match?.action ?? (e.providerOptOut === 'stop' ? 'opt_out' : e.providerOptOut === 'start' ? 'opt_in' : null);
        const id = newId('inb');
        const stored = await repo.insertInbound(tx, {
          tenantId, id, provider: e.provider, externalId: e.externalId, channel, from: e.from, to: e.to, body: e.text, contentType: e.contentType,
          debtorId: first?.debtor_id ?? null, contactPointId: first?.contact_point_id ?? null, keywordAction: action, receivedAt,
        });
        const out: InboundOutcome = { stored, debtorId: first?.debtor_id ?? null, keywordAction: action, optedOut: 0, cancelled: 0, helpReply: false, ...(stored ? { inboundId: id } : {}) };
        if (!stored) return out;
        if (channel === 'whatsapp') await repo.touchWhatsappSession(tx, tenantId, e.from, receivedAt);
        const events: NewEvent[] = [{
          id: newId('evt'), tenantId, type: 'message.received', subjectType: 'inbound_message', subjectId: id,
          payload: { inboundId: id, debtorId: first?.debtor_id ?? null, contactPointId: first?.contact_point_id ?? null, channel, provider: e.provider, keywordAction: action }, occurredAt: now,
        }];
        if (action === 'opt_out' && matches.length > 0) {
          const r = await optOutAddress(tx, tenantId, matches.map((m) => m.contact_point_id), e.from, channel, `reply ${match?.keyword ?? e.providerOptOut ?? 'STOP'}`, now, events);
          out.optedOut = r.changed.length;
          out.cancelled = r.cancelled;
          if (r.changed.length > 0 && e.providerOptOut !== 'stop' && options.confirmOptOut !== false && first) {
            await scheduleAnswer(tx, tenantId, first, channel, e.from, 'opt_out_confirmation', id, now);
          }
        } else if (action === 'opt_in' && matches.length > 0) {
          await repo.optInContactPoints(tx, tenantId, matches.map((m) => m.contact_point_id));
        } else if (action === 'help' && first && (channel === 'sms' || channel === 'whatsapp')) {
          // Who we are, how to reach us, how to stop (CTIA HELP): answered by the dispatcher like any contact.
          out.helpReply = await scheduleAnswer(tx, tenantId, first, channel, e.from, 'help_reply', id, now);
        }
        await appendEvents(tx, events);
        return out;
      });
    },

    /**
     * E-mail bounces (the JSON webhook, a parsed DSN, the CLI), matched by Message-ID: a hard
     * bounce ends the message (`bounced`, contact `failed`, `message.failed`); soft bounces are
     * the relay's to retry and are ignored. Returns how many were applied.
     */
    async applyBounces(tenantId: string, bounces: readonly Bounce[]): Promise<number> {
      let applied = 0;
      for (const b of bounces) {
        if (b.type !== 'hard') continue;
        const id = b.messageId.startsWith('<') ? b.messageId : `<${b.messageId}>`;
        const r = await api.applyStatus(tenantId, {
          provider: 'smtp', externalId: id, status: 'bounced', ...(b.occurredAt ? { occurredAt: b.occurredAt } : {}),
          error: { providerCode: b.status ?? '5.0.0', code: 'CHANNEL.INVALID_RECIPIENT', kind: 'permanent', scope: 'recipient', message: (b.diagnostic ?? 'hard bounce').slice(0, 300) },
        });
        if (r.applied) applied++;
      }
      return applied;
    },

    /** `GET /l/{token}`: counts the click and gives the target. */
    async click(tokenValue: string): Promise<string | null> {
      const now = clock.now();
      return db.transaction(async (tx) => {
        const link = await repo.findLink(tx, tokenValue);
        if (!link || link.kind !== 'link' || !link.url) return null;
        await repo.recordClick(tx, tokenValue, now);
        await repo.markClicked(tx, link.tenant_id, link.message_id, now);
        return link.url;
      });
    },

    /** One-click unsubscribe (RFC 8058) from an e-mail: opts the address out. */
    async unsubscribe(tokenValue: string): Promise<boolean> {
      const now = clock.now();
      return db.transaction(async (tx) => {
        const link = await repo.findLink(tx, tokenValue);
        if (!link || link.kind !== 'unsubscribe') return false;
        const m = await repo.findMessage(tx, link.tenant_id, link.message_id);
        if (!m) return false;
        await repo.recordClick(tx, tokenValue, now);
        const events: NewEvent[] = [];
        const cps = m.contact_point_id ? [m.contact_point_id] : (await repo.matchAddress(tx, link.tenant_id, ['email'], m.destination)).map((x) => x.contact_point_id);
        await optOutAddress(tx, link.tenant_id, cps, m.destination, 'email', 'unsubscribe link', now, events);
        await appendEvents(tx, events);
        return true;
      });
    },
  };
  return api;
};

export type Receipts = ReturnType<typeof createReceipts>;
