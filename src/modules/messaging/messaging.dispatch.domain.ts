/**
 * The dispatcher's rules, pure: data and the current instant in, decisions out. What the
 * service loads (the claimed contact, its debtor, account, creditor, contact points, history,
 * the WhatsApp window) goes in; whether to send, and how, comes out. No I/O, no clock.
 */

export type SendChannel = 'sms' | 'whatsapp' | 'email';
export const SEND_CHANNELS: readonly SendChannel[] = ['sms', 'whatsapp', 'email'];

/** Why the dispatcher refused a contact at send time (scheduled_contacts.status_reason). */
export type SuppressionCode =
  | 'WINDOW_ENDED'
  | 'NO_CONTACT_POINT'
  | 'OPTED_OUT'
  | 'NOT_DEBTORS_ADDRESS'
  | 'CHANNEL_NOT_ALLOWED'
  | 'WHATSAPP_NO_OPT_IN'
  | 'WHATSAPP_WINDOW_CLOSED'
  | 'A2P_THIRD_PARTY'
  | 'POLICY_DENIED'
  | 'POLICY_INPUT_INVALID'
  | 'ACCOUNT_CLOSED';

export interface ContactPointFacts {
  id: string;
  kind: 'phone' | 'email' | 'whatsapp' | 'address';
  value: string;
  consent: 'granted' | 'denied' | 'unknown';
  consentAt: Date | null;
  optedOutAt: Date | null;
  notDebtors: boolean;
}

export interface ChannelRuleInput {
  now: Date;
  channel: SendChannel;
  purpose: string;
  windowEnd: Date | null;
  /** The contact point the contact was scheduled to (null when it no longer exists). */
  contactPoint: ContactPointFacts | null;
  creditorAllowedChannels: readonly string[];
  creditorFirstParty: boolean;
  jurisdiction: string;
  provider: 'smtp' | 'twilio' | 'meta' | 'sandbox';
  accountStatus: string;
  /** Last message from the debtor on WhatsApp at this address (opens the 24-hour window). */
  whatsappLastInboundAt: Date | null;
  /** The template has an approved WhatsApp template (Meta) to send outside the window. */
  hasApprovedWhatsAppTemplate: boolean;
}

export type ChannelRuleOutcome =
  | { ok: true; messageType: 'template' | 'free_form'; serviceWindowClosesAt: Date | null }
  | { ok: false; code: SuppressionCode; detail: string };

export const WHATSAPP_WINDOW_MS = 24 * 3600_000;

/** The contact point kinds that carry a channel. */
export const kindsForChannel = (channel: SendChannel): readonly ContactPointFacts['kind'][] =>
  channel === 'email' ? ['email'] : channel === 'sms' ? ['phone'] : ['whatsapp', 'phone'];

const OPEN_ACCOUNT = new Set(['active']);

/**
 * COMPLIANCE.md's channel and provider rules, checked at send time: the window the daily run
 * placed the contact in, the address (opt-out, not the debtor's), the creditor's allowed
 * channels, WhatsApp opt-in and the 24-hour window (free-form inside it, an approved template
 * outside), and US A2P 10DLC (no third-party collection over SMS through Twilio).
 */
export const checkChannelRules = (i: ChannelRuleInput): ChannelRuleOutcome => {
  const confirmation = i.purpose === 'opt_out_confirmation';
  if (i.windowEnd && i.now.getTime() > i.windowEnd.getTime()) {
    return { ok: false, code: 'WINDOW_ENDED', detail: `the allowed window ended at ${i.windowEnd.toISOString()}` };
  }
  if (!OPEN_ACCOUNT.has(i.accountStatus) && !confirmation) return { ok: false, code: 'ACCOUNT_CLOSED', detail: `account is ${i.accountStatus}` };
  const cp = i.contactPoint;
  if (!cp || !kindsForChannel(i.channel).includes(cp.kind)) return { ok: false, code: 'NO_CONTACT_POINT', detail: `no ${i.channel} contact point` };
  if (cp.notDebtors) return { ok: false, code: 'NOT_DEBTORS_ADDRESS', detail: 'the address is not the debtor\'s' };
  // The one confirmation Reg F 1006.6(e) allows goes to the address that just opted out.
  if (cp.optedOutAt && !confirmation) return { ok: false, code: 'OPTED_OUT', detail: `opted out at ${cp.optedOutAt.toISOString()}` };
  if (!i.creditorAllowedChannels.includes(i.channel)) {
    return { ok: false, code: 'CHANNEL_NOT_ALLOWED', detail: `the creditor may not use ${i.channel} (allowed: ${i.creditorAllowedChannels.join(', ') || 'none'})` };
  }
  if (i.channel === 'sms' && i.provider === 'twilio' && i.jurisdiction === 'US' && !i.creditorFirstParty) {
    return { ok: false, code: 'A2P_THIRD_PARTY', detail: 'third-party debt collection is a forbidden A2P 10DLC use case on Twilio' };
  }
  if (i.channel === 'whatsapp') {
    if (cp.consent !== 'granted') return { ok: false, code: 'WHATSAPP_NO_OPT_IN', detail: 'the debtor has not opted in to WhatsApp messages' };
    const closes = i.whatsappLastInboundAt ? new Date(i.whatsappLastInboundAt.getTime() + WHATSAPP_WINDOW_MS) : null;
    if (closes && closes.getTime() > i.now.getTime()) return { ok: true, messageType: 'free_form', serviceWindowClosesAt: closes };
    if (!i.hasApprovedWhatsAppTemplate) {
      return { ok: false, code: 'WHATSAPP_WINDOW_CLOSED', detail: 'outside the 24-hour window and no approved template for this message' };
    }
    return { ok: true, messageType: 'template', serviceWindowClosesAt: null };
  }
  return { ok: true, messageType: 'template', serviceWindowClosesAt: null };
};

/** Policy jurisdiction for a debtor's country (the tenant's setting wins when it names one). */
export const jurisdictionFor = (country: string, tenantSetting?: unknown): string => {
  if (typeof tenantSetting === 'string' && /^[A-Z]{2}$/.test(tenantSetting)) return tenantSetting;
  const c = country.toUpperCase();
  if (c === 'GB') return 'UK';
  return ['US', 'CO', 'MX', 'PE', 'CL', 'BR', 'ES', 'UK'].includes(c) ? c : 'ES';
};

/** Exponential backoff with jitter taken from the key (deterministic, no Math.random). */
export const backoffSeconds = (attempt: number, key: string, retryAfterSeconds?: number): number => {
  const base = Math.min(3600, 30 * 2 ** Math.max(0, attempt - 1));
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  const jittered = Math.round(base * (0.8 + ((h + attempt * 7919) % 1000) / 2500));
  return Math.max(jittered, retryAfterSeconds ?? 0);
};

/** A token bucket: `rate` tokens per second up to `burst`. */
export interface Bucket {
  tokens: number;
  updatedAt: Date;
}

export const takeTokens = (bucket: Bucket | null, now: Date, rate: number, burst: number, wanted: number): { granted: number; bucket: Bucket; waitSeconds: number } => {
  const start = bucket ?? { tokens: burst, updatedAt: now };
  const elapsed = Math.max(0, (now.getTime() - start.updatedAt.getTime()) / 1000);
  const available = Math.min(burst, start.tokens + elapsed * rate);
  const granted = Math.max(0, Math.min(wanted, Math.floor(available)));
  const left = available - granted;
  const waitSeconds = granted < wanted ? Math.max(0.05, (1 - (left % 1)) / Math.max(rate, 1e-6)) : 0;
  return { granted, bucket: { tokens: left, updatedAt: now }, waitSeconds };
};

/** What scheduled_contacts shows for a delivery status (its own vocabulary is coarser). */
export const contactStatusFor = (status: string): 'sent' | 'delivered' | 'read' | 'failed' | null => {
  switch (status) {
    case 'queued':
    case 'sent':
      return 'sent';
    case 'delivered':
      return 'delivered';
    case 'read':
      return 'read';
    case 'undelivered':
    case 'failed':
    case 'bounced':
      return 'failed';
    default:
      return null;
  }
};

const RANK: Readonly<Record<string, number>> = { sending: 0, retrying: 0, queued: 1, sent: 2, delivered: 3, undelivered: 3, failed: 3, bounced: 3, read: 4 };

/**
 * Receipts arrive out of order and repeated: a status applies only when it moves forward
 * (a late `delivered` never overwrites `read`; a late `sent` never overwrites `failed`).
 */
export const statusAdvances = (current: string, next: string): boolean => (RANK[next] ?? -1) > (RANK[current] ?? -1);

/**
 * What to do with a contact whose message was handed to the provider but whose outcome was
 * never recorded (a crash, or an uncertain failure such as a dropped connection).
 * - sandbox and SMTP: resend; the store key and the Message-ID make the repeat harmless.
 * - Twilio: no idempotency key. Wait until the message can no longer be sitting in Twilio's
 *   queue (its ValidityPeriod, `reconcileAfterSeconds`), then look it up (`findSent`).
 * - Meta: no idempotency key and no list API; our key comes back in the status webhook. Wait
 *   the same time for it; a message with no webhook by then was not accepted.
 */
export type RecoveryAction = { kind: 'resend' } | { kind: 'wait'; until: Date } | { kind: 'lookup' };

/**
 * Providers whose recovery from an unrecorded send is always a resend that the provider itself
 * collapses (the sandbox store's key, SMTP's Message-ID): a `sending` row written before the
 * call would change nothing after a crash, so their message is written once, after the call,
 * in its final state (docs/messaging.md, "Idempotency and reconciliation").
 */
export const recordsAfterSend = (provider: string): boolean => provider === 'sandbox' || provider === 'smtp';

export const recoveryAction = (provider: string, sendStartedAt: Date, now: Date, reconcileAfterSeconds: number): RecoveryAction => {
  if (provider === 'sandbox' || provider === 'smtp') return { kind: 'resend' };
  const until = new Date(sendStartedAt.getTime() + reconcileAfterSeconds * 1000);
  if (now.getTime() < until.getTime()) return { kind: 'wait', until };
  return provider === 'twilio' ? { kind: 'lookup' } : { kind: 'resend' };
};

/** Sum of a debtor-facing amount in minor units from the account's components. */
export const balanceMinor = (a: { principal_minor: number; interest_minor: number; fees_minor: number; credit_minor: number }): number =>
  Math.max(0, a.principal_minor + a.interest_minor + a.fees_minor - a.credit_minor);
