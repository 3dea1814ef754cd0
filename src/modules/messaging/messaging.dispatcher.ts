import type { Database, Sql } from '../../db/db.ts';
import type { Clock } from '../../lib/clock.ts';
import { isoDate } from '../../lib/clock.ts';
import type { IdFactory } from '../../lib/ids.ts';
import type { SecretBox } from '../../lib/secretbox.ts';
import { sha256Hex, type OutboundMessage, type SendResult } from '../../channels/index.ts';
import { appendEvents, type NewEvent } from '../events/index.ts';
import { BUILT_IN_PACKS, evaluateContact, holidayRegionOf, type PolicyDecision, type PolicyEvaluateRequest, type PolicyService } from '../policy/index.ts';
import type { ChannelRegistry, TenantChannel } from './messaging.channels.ts';
import {
  backoffSeconds, balanceMinor, checkChannelRules, contactStatusFor, jurisdictionFor, recordsAfterSend, recoveryAction, takeTokens, type SendChannel,
} from './messaging.dispatch.domain.ts';
import type { TemplateLibrary } from './messaging.library.ts';
import { toOutboundMessage } from './messaging.outbound.ts';
import { blockingForSend } from './messaging.preview.ts';
import type { CompiledTemplate, TemplateRenderer } from './messaging.render.ts';
import * as repo from './messaging.repo.ts';
import type { RenderContext } from './messaging.types.ts';

/**
 * The dispatcher: claims due scheduled contacts, re-checks them at send time, renders, sends
 * through the tenant's adapter and records what happened. One pass (`dispatchOnce`) handles one
 * batch; `tacto dispatch` and the `messaging.dispatch` job loop over it. See docs/messaging.md.
 *
 * Crash safety: a contact is `claimed` with a lease (claim_expires_at). Before the adapter is
 * called, its message is recorded as `sending`; after, the outcome and the contact's status are
 * recorded in one transaction. A dispatcher killed in between leaves a `sending` message behind
 * a lease that expires; whoever claims the contact next reconciles it (docs: recoveryAction)
 * before anything is sent again.
 */
export interface DispatcherDeps {
  db: Database;
  clock: Clock;
  newId: IdFactory;
  secretBox: SecretBox;
  registry: ChannelRegistry;
  library: TemplateLibrary;
  renderer: TemplateRenderer;
  policy: Pick<PolicyService, 'recordDecisions'>;
  /** Public base URL of this deployment (tracked links, unsubscribe). */
  publicUrl: string;
  workerId: string;
}

export interface DispatchOptions {
  /** Contacts claimed per pass (default 200). */
  batchSize?: number;
  /** Lease of a claim (default 120 s): after it, another dispatcher may take the contact. */
  leaseSeconds?: number;
  /** Parallel sends per provider for network providers (default 8; the sandbox is unbounded). */
  concurrency?: number;
}

export interface DispatchStats {
  claimed: number;
  sent: number;
  suppressed: number;
  failed: number;
  retrying: number;
  deferred: number;
  reconciled: number;
  /** Claims lost before they were recorded (the lease expired and another dispatcher claimed the contact): left to that claim. */
  fenced: number;
}

const HISTORY_DAYS = 15;
const SUPPORTED_LANGUAGES = new Set(['es', 'en', 'pt']);
const TAX_LABEL: Readonly<Record<string, string>> = { BR: 'CNPJ', ES: 'NIF', MX: 'RFC', CO: 'NIT', CL: 'RUT', PE: 'RUC' };

/** Claims of one contact whose render may hit the time budget before it counts as failed. */
const RENDER_LIMIT_ATTEMPTS = 3;
/** How long a debtor's second contact due in one pass waits for the next (one message per debtor per pass). */
const SAME_DEBTOR_WAIT_MS = 60_000;

export const emptyStats = (): DispatchStats => ({ claimed: 0, sent: 0, suppressed: 0, failed: 0, retrying: 0, deferred: 0, reconciled: 0, fenced: 0 });

const mapLimit = async <T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> => {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
};

const asRecord = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

interface Ready {
  row: repo.ClaimedRow;
  channel: TenantChannel;
  messageId: string;
  /** Attempts recorded for the key before this one (0 for a first send). */
  priorAttempts: number;
  outbound: OutboundMessage;
  body: string;
  subject: string | null;
  contentKind: string;
  templateRef: string;
  templateVersion: number;
  links: { token: string; kind: 'link' | 'unsubscribe'; url: string | null }[];
  decision: PolicyDecision;
}

export const createDispatcher = (deps: DispatcherDeps) => {
  const { db, clock } = deps;
  const compiled = new Map<string, CompiledTemplate | null>();

  const compile = (purpose: string, channel: SendChannel, language: 'es' | 'en' | 'pt'): CompiledTemplate | null => {
    const key = `${purpose}/${channel}/${language}`;
    if (compiled.has(key)) return compiled.get(key) ?? null;
    const source = deps.library.find(purpose, channel, language);
    const c = source ? deps.renderer.compile(source) : null;
    const value = c && c.ok ? c.template : null;
    compiled.set(key, value);
    return value;
  };

  // Keyed by the idempotency key, not the message id: a send that was never recorded (providers
  // that record after the send, then a crash) is sent again with the same links, so the copy
  // the provider kept (the first, by its key) carries links that exist.
  const token = (tenantId: string, idempotencyKey: string, kind: string): string => deps.secretBox.mac(`${tenantId}:key:${idempotencyKey}:${kind}`).subarray(0, 16).toString('base64url');

  const event = (tenantId: string, type: NewEvent['type'], payload: Record<string, unknown>, subjectId: string, at: Date): NewEvent =>
    ({ id: deps.newId('evt'), tenantId, type, subjectType: 'message', subjectId, payload, occurredAt: at });

  /** Takes up to `wanted` tokens from the tenant's bucket for a provider; the rest wait. */
  const takeRate = async (tenantId: string, ch: TenantChannel, overall: { rate: number; burst: number } | null, wanted: number, now: Date): Promise<{ granted: number; waitSeconds: number }> =>
    db.transaction(async (tx) => {
      const key = `${tenantId}:${ch.provider}`;
      const cur = await repo.lockBucket(tx, key);
      let t = takeTokens(cur ? { tokens: cur.tokens, updatedAt: new Date(cur.updated_at) } : null, now, ch.ratePerSecond, ch.burst, wanted);
      let granted = t.granted;
      let wait = t.waitSeconds;
      if (overall && granted > 0) {
        const okey = `${tenantId}:*`;
        const o = await repo.lockBucket(tx, okey);
        const ot = takeTokens(o ? { tokens: o.tokens, updatedAt: new Date(o.updated_at) } : null, now, overall.rate, overall.burst, granted);
        if (ot.granted < granted) {
          // Give back what the overall bucket refused.
          t = { ...t, bucket: { ...t.bucket, tokens: t.bucket.tokens + (granted - ot.granted) } };
          granted = ot.granted;
          wait = Math.max(wait, ot.waitSeconds);
        }
        await repo.saveBucket(tx, okey, ot.bucket.tokens, now);
      }
      await repo.saveBucket(tx, key, t.bucket.tokens, now);
      return { granted, waitSeconds: wait };
    });

  const buildContext = (f: repo.SendFactsRow, row: repo.ClaimedRow, jurisdiction: string, link: string, unsubscribeUrl: string | null): RenderContext | { error: string } => {
    const settings = asRecord(asRecord(f.tenant_settings).messaging);
    const contact = asRecord(settings.contact);
    const phone = str(contact.phone);
    if (!phone) return { error: 'MESSAGING.TENANT_CONTACT_MISSING' };
    const content = asRecord(row.content);
    const amountDue = f.amount_due_minor ?? balanceMinor(f);
    const money = (minor: number) => ({ minor, currency: f.currency });
    const language = SUPPORTED_LANGUAGES.has(row.language) ? row.language : f.debtor_language;
    const taxLabel = TAX_LABEL[f.creditor_country];
    return {
      jurisdiction: jurisdiction as RenderContext['jurisdiction'],
      debtor: { firstName: (f.given_name ?? f.company_name ?? '').split(' ')[0] || '—', language: language as RenderContext['debtor']['language'], country: f.debtor_country, timeZone: f.timezone },
      account: {
        reference: f.account_ref.slice(0, 40), balance: money(balanceMinor(f)), amountDue: money(amountDue), daysPastDue: Math.max(0, f.days_past_due),
        ...(f.oldest_unpaid_due_date ? { dueDate: f.oldest_unpaid_due_date } : {}),
      },
      creditor: { name: f.creditor_name, ...(f.creditor_tax_id ? { taxId: f.creditor_tax_id, ...(taxLabel ? { taxIdLabel: taxLabel } : {}) } : {}) },
      ...(f.first_party ? {} : { agency: { name: f.tenant_name, ...(str(contact.personName) ? { collectorName: str(contact.personName)! } : {}) } }),
      contact: {
        businessName: str(contact.businessName) ?? (f.first_party ? f.creditor_name : f.tenant_name), phone,
        ...(str(contact.personName) ? { personName: str(contact.personName)! } : {}),
        ...(str(contact.email) ? { email: str(contact.email)! } : {}),
        ...(str(contact.hours) ? { hours: str(contact.hours)! } : {}),
      },
      link,
      ...(content.offer ? { offer: content.offer as RenderContext['offer'] } : {}),
      ...(content.promise ? { promise: content.promise as RenderContext['promise'] } : {}),
      ...(content.lesson ? { lesson: content.lesson as RenderContext['lesson'] } : {}),
      ...(unsubscribeUrl ? { optOut: { url: unsubscribeUrl } } : {}),
    };
  };

  const policyInput = (f: repo.SendFactsRow, row: repo.ClaimedRow, jurisdiction: string, cps: repo.ContactPointRow[], history: repo.HistoryRow[], now: Date, messageType: 'template' | 'free_form'): PolicyEvaluateRequest => {
    const settings = asRecord(f.tenant_settings);
    const optOuts = cps.filter((c) => c.opted_out_at).flatMap((c) => {
      const channels = c.kind === 'phone' ? ['sms'] : c.kind === 'email' ? ['email'] : c.kind === 'whatsapp' ? ['whatsapp'] : [];
      return channels.map((channel) => ({ channel, address: c.value, at: new Date(c.opted_out_at!).toISOString() }));
    });
    const consents = cps.filter((c) => c.consent === 'granted').flatMap((c) => {
      const channels = c.kind === 'phone' ? ['sms', 'call'] : c.kind === 'email' ? ['email'] : c.kind === 'whatsapp' ? ['whatsapp'] : [];
      return channels.map((channel) => ({ channel, address: c.value, ...(c.consent_at ? { at: new Date(c.consent_at).toISOString() } : {}) }));
    });
    const region = holidayRegionOf(f.debtor_country, f.debtor_region);
    return {
      jurisdiction: jurisdiction as PolicyEvaluateRequest['jurisdiction'],
      debtor: {
        timezones: [f.timezone], country: f.debtor_country, ...(region ? { region } : {}),
        optOuts, consents,
        ...(Object.keys(asRecord(f.preferences)).length > 0 ? { preferences: f.preferences as PolicyEvaluateRequest['debtor']['preferences'] } : {}),
        ...(f.vulnerability ? { vulnerability: f.vulnerability as PolicyEvaluateRequest['debtor']['vulnerability'] } : {}),
      } as PolicyEvaluateRequest['debtor'],
      history: history.map((h) => ({
        at: new Date(h.at).toISOString(), channel: h.channel as 'sms', direction: h.direction, debtIds: h.account_id ? [h.account_id] : null,
        outcome: h.direction === 'inbound' ? 'received' : h.status === 'sent' ? null : (h.status as 'delivered'), address: h.destination,
        purpose: h.purpose === 'opt_out_confirmation' ? 'opt_out_confirmation' : null,
      })),
      proposed: {
        at: now.toISOString(), channel: row.channel, debtId: row.account_id, address: row.destination,
        purpose: row.purpose === 'opt_out_confirmation' ? 'opt_out_confirmation' : row.purpose === 'help_reply' ? 'debtor_requested' : 'collection', messageType,
      },
      tenantOverlay: overlayFor(f, settings),
    };
  };

  /**
   * The tenant's overlay as the policy sees it. The creditor's allowed channels are the deliberate
   * WhatsApp clearance COMPLIANCE.md asks for; who sends (creditor or agency) drives the provider
   * rules (US A2P). One object per distinct overlay: the policy compiles an overlay once per
   * object (by identity), and a new object per message made it compile the pack for every message.
   */
  const overlays = new Map<string, PolicyEvaluateRequest['tenantOverlay']>();
  const overlayFor = (f: repo.SendFactsRow, settings: Record<string, unknown>): PolicyEvaluateRequest['tenantOverlay'] => {
    const base = asRecord(settings.policyOverlay);
    const sender = f.first_party ? 'creditor' : 'agency';
    const enabledChannels = [...new Set([...((base.enabledChannels as string[] | undefined) ?? []), ...f.allowed_channels.filter((c) => c === 'whatsapp')])];
    const key = `${f.tenant_id}\u0000${sender}\u0000${enabledChannels.join(',')}\u0000${JSON.stringify(base)}`;
    let overlay = overlays.get(key);
    if (!overlay) {
      if (overlays.size >= 256) overlays.clear();
      overlay = { id: 'tenant', version: '1', ...base, sender, enabledChannels } as PolicyEvaluateRequest['tenantOverlay'];
      overlays.set(key, overlay);
    }
    return overlay;
  };

  const processTenant = async (tenantId: string, rows: repo.ClaimedRow[], o: Required<DispatchOptions>, stats: DispatchStats): Promise<void> => {
    const now = clock.now();
    const ids = rows.map((r) => r.id);
    // Every write about these contacts is fenced on this claim (docs/messaging.md#fencing).
    const claimAttempts = new Map(rows.map((r) => [r.id, r.attempts]));
    const fence: repo.ClaimFence = { workerId: deps.workerId, attemptOf: (id) => claimAttempts.get(id) ?? -1 };
    const debtorIds = [...new Set(rows.map((r) => r.debtor_id))];
    const [facts, cps, history, existing, sessions] = await Promise.all([
      repo.loadSendFacts(db, tenantId, ids, isoDate(now)),
      repo.loadContactPoints(db, tenantId, debtorIds),
      repo.loadHistory(db, tenantId, debtorIds, new Date(now.getTime() - HISTORY_DAYS * 86_400_000)),
      repo.findMessagesByKeys(db, tenantId, rows.map((r) => r.idempotency_key)),
      repo.loadWhatsappSessions(db, tenantId, rows.filter((r) => r.channel === 'whatsapp' && r.destination).map((r) => r.destination!)),
    ]);
    const factsById = new Map(facts.map((f) => [f.contact_id, f]));
    const cpsByDebtor = new Map<string, repo.ContactPointRow[]>();
    for (const c of cps) (cpsByDebtor.get(c.debtor_id) ?? cpsByDebtor.set(c.debtor_id, []).get(c.debtor_id)!).push(c);
    const historyByDebtor = new Map<string, repo.HistoryRow[]>();
    for (const h of history) (historyByDebtor.get(h.debtor_id) ?? historyByDebtor.set(h.debtor_id, []).get(h.debtor_id)!).push(h);
    const messageByKey = new Map(existing.map((m) => [m.idempotency_key, m]));
    const channels = await deps.registry.load(tenantId);

    const closes: { id: string; status: 'suppressed' | 'failed'; reason: string; explanation?: unknown }[] = [];
    const defers = new Map<number, string[]>();
    const defer = (id: string, until: Date): void => {
      const k = until.getTime();
      (defers.get(k) ?? defers.set(k, []).get(k)!).push(id);
      stats.deferred++;
    };
    const outcomes: repo.Outcome[] = [];
    const events: NewEvent[] = [];
    const decisions: Parameters<PolicyService['recordDecisions']>[2][number][] = [];
    const ready: Ready[] = [];
    // Debtors with a message decided in this pass. The policy decides against the history read
    // before the pass, which does not hold this pass's own sends: a second contact of the same
    // debtor due at once (two accounts, or contacts the daily run spaced out that a stopped
    // dispatcher left due together) waits a minute for the next pass, decided then against a
    // history that has the first.
    const decidedDebtors = new Set<string>();

    for (const row of rows) {
      const f = factsById.get(row.id);
      const ch = channels.find((c) => c.channels.includes(row.channel));
      if (!f) {
        closes.push({ id: row.id, status: 'failed', reason: 'MESSAGING.CONTACT_DATA_MISSING' });
        continue;
      }
      if (!ch) {
        closes.push({ id: row.id, status: 'failed', reason: 'MESSAGING.CHANNEL_NOT_CONFIGURED' });
        continue;
      }
      if (ch.pausedUntil && ch.pausedUntil.getTime() > now.getTime()) {
        defer(row.id, ch.pausedUntil);
        continue;
      }
      const prior = messageByKey.get(row.idempotency_key);
      if (prior) {
        const contactStatus = contactStatusFor(prior.status);
        if (contactStatus && prior.status !== 'failed') {
          // Recorded at the provider and here, but the contact was not moved (or moved back): finish it.
          outcomes.push({ messageId: prior.id, contactId: row.id, status: prior.status, externalId: prior.external_id, errorCode: null, errorKind: null, errorScope: null,
            providerErrorCode: null, errorMessage: null, nextAttemptAt: null, contactStatus, contactReason: null });
          stats.reconciled++;
          continue;
        }
        if (prior.status === 'failed' || prior.status === 'bounced' || prior.status === 'undelivered') {
          closes.push({ id: row.id, status: 'failed', reason: prior.error_code ?? 'MESSAGING.FAILED' });
          continue;
        }
        if (prior.status === 'sending') {
          // The send happened within the lease after send_started_at; its expiry, reconcileAfter after that.
          const action = recoveryAction(prior.provider, new Date(prior.send_started_at ?? prior.updated_at), now, o.leaseSeconds + ch.reconcileAfterSeconds);
          if (action.kind === 'wait') {
            defer(row.id, action.until);
            continue;
          }
          if (action.kind === 'lookup' && ch.adapter.findSent && row.channel !== 'email') {
            const found = await ch.adapter.findSent({
              channel: row.channel, to: prior.destination, sentAfter: new Date(new Date(prior.send_started_at ?? prior.created_at).getTime() - 1000),
              ...(prior.body_sha256 ? { bodySha256: prior.body_sha256 } : {}),
            });
            if (!found.ok) {
              defer(row.id, new Date(now.getTime() + backoffSeconds(prior.attempts, row.idempotency_key, found.retryAfterSeconds) * 1000));
              continue;
            }
            const match = found.matches[0];
            if (match) {
              const contactStatus = contactStatusFor(match.status) ?? 'sent';
              outcomes.push({ messageId: prior.id, contactId: row.id, status: match.status, externalId: match.externalId, errorCode: null, errorKind: null, errorScope: null,
                providerErrorCode: null, errorMessage: null, nextAttemptAt: null, contactStatus, contactReason: null });
              events.push(event(tenantId, 'message.sent', { messageId: prior.id, scheduledContactId: row.id, debtorId: row.debtor_id, accountId: row.account_id, channel: row.channel, provider: prior.provider, status: match.status }, prior.id, now));
              stats.reconciled++;
              continue;
            }
            // Not at the provider after its queue time: it was never accepted. Send it now.
          }
        }
      }

      if (decidedDebtors.has(row.debtor_id)) {
        defer(row.id, new Date(now.getTime() + SAME_DEBTOR_WAIT_MS));
        continue;
      }
      const jurisdiction = jurisdictionFor(f.debtor_country, asRecord(asRecord(f.tenant_settings).messaging).jurisdiction);
      const cp = (cpsByDebtor.get(row.debtor_id) ?? []).find((c) => c.id === row.contact_point_id) ?? null;
      const language = (SUPPORTED_LANGUAGES.has(row.language) ? row.language : f.debtor_language) as 'es' | 'en' | 'pt';
      const purpose = (row.template_ref ?? row.purpose).split('@')[0]!;
      const template = compile(purpose, row.channel, language);
      const rules = checkChannelRules({
        now, channel: row.channel, purpose: row.purpose, windowEnd: row.window_end ? new Date(row.window_end) : null,
        contactPoint: cp ? { id: cp.id, kind: cp.kind, value: cp.value, consent: cp.consent, consentAt: cp.consent_at, optedOutAt: cp.opted_out_at, notDebtors: cp.not_debtors } : null,
        creditorAllowedChannels: f.allowed_channels, creditorFirstParty: f.first_party, jurisdiction, provider: ch.provider, accountStatus: f.account_status,
        whatsappLastInboundAt: row.destination ? sessions.get(row.destination) ?? null : null,
        hasApprovedWhatsAppTemplate: template?.source.whatsapp !== undefined,
      });
      if (!rules.ok) {
        closes.push({ id: row.id, status: 'suppressed', reason: rules.code, explanation: { code: rules.code, detail: rules.detail, at: now.toISOString() } });
        continue;
      }
      let decision: PolicyDecision;
      try {
        decision = evaluateContact(policyInput(f, row, jurisdiction, cpsByDebtor.get(row.debtor_id) ?? [], historyByDebtor.get(row.debtor_id) ?? [], now, rules.messageType), BUILT_IN_PACKS);
      } catch (e) {
        closes.push({ id: row.id, status: 'suppressed', reason: 'POLICY_INPUT_INVALID', explanation: { code: 'POLICY_INPUT_INVALID', detail: (e as Error).message.slice(0, 300) } });
        continue;
      }
      decisions.push({ decision, channel: row.channel, proposedAt: now, subject: { debtorId: row.debtor_id, accountId: row.account_id } });
      if (!decision.allowed) {
        const deny = decision.reasons.filter((r) => r.effect === 'deny');
        closes.push({ id: row.id, status: 'suppressed', reason: `POLICY_DENIED: ${deny.map((r) => r.code).join(', ')}`, explanation: { code: 'POLICY_DENIED', reasons: deny, nextAllowedAt: decision.nextAllowedAt } });
        continue;
      }
      if (!template) {
        closes.push({ id: row.id, status: 'failed', reason: `TEMPLATE.NOT_FOUND: ${purpose}/${row.channel}/${language}` });
        continue;
      }
      const messageId = prior?.id ?? deps.newId('msg');
      const settings = asRecord(asRecord(f.tenant_settings).messaging);
      const content = asRecord(row.content);
      const target = str(content.link) ?? `${str(settings.portalUrl) ?? `${deps.publicUrl}/portal`}?account=${encodeURIComponent(row.account_id)}`;
      const linkToken = token(tenantId, row.idempotency_key, 'link');
      const unsubToken = row.channel === 'email' ? token(tenantId, row.idempotency_key, 'unsubscribe') : null;
      const unsubscribeUrl = unsubToken ? `${deps.publicUrl}/u/${unsubToken}` : null;
      const ctx = buildContext(f, row, jurisdiction, `${deps.publicUrl}/l/${linkToken}`, unsubscribeUrl);
      if ('error' in ctx) {
        closes.push({ id: row.id, status: 'failed', reason: ctx.error });
        continue;
      }
      const rendered = await deps.renderer.render(template, ctx);
      if (!rendered.ok && rendered.code === 'TEMPLATE.RENDER_LIMIT' && row.attempts < RENDER_LIMIT_ATTEMPTS) {
        // The render budget is wall-clock time: a busy machine can exceed it with a sound
        // template. Try again a minute later; a template that keeps exceeding it fails.
        defer(row.id, new Date(now.getTime() + 60_000));
        continue;
      }
      if (!rendered.ok) {
        closes.push({ id: row.id, status: 'failed', reason: `${rendered.code}: ${rendered.message.slice(0, 200)}` });
        continue;
      }
      const errors = blockingForSend(template.source, rendered.message, ctx);
      if (errors.length > 0) {
        closes.push({ id: row.id, status: 'failed', reason: `TEMPLATE.CHECK_FAILED: ${[...new Set(errors.map((e) => e.code))].join(', ')}` });
        continue;
      }
      const mailDomain = ch.config.provider === 'smtp' ? ch.config.from.address.split('@')[1] : 'sandbox.invalid';
      const built = toOutboundMessage(rendered.message, {
        to: row.destination!,
        ...(unsubToken ? { unsubscribe: { url: unsubscribeUrl!, mailto: `optout+${unsubToken}@${mailDomain}` } } : {}),
        ...(rules.serviceWindowClosesAt ? { serviceWindowClosesAt: rules.serviceWindowClosesAt } : {}),
      });
      if (!built.ok) {
        closes.push({ id: row.id, status: 'failed', reason: `${built.code}: ${built.message}` });
        continue;
      }
      const body = built.message.channel === 'email' ? built.message.text : built.message.channel === 'sms' ? built.message.body
        : built.message.content.kind === 'text' ? built.message.content.body : built.message.content.previewText;
      decidedDebtors.add(row.debtor_id);
      ready.push({
        row, channel: ch, messageId, priorAttempts: prior?.attempts ?? 0, outbound: built.message, body, subject: built.message.channel === 'email' ? built.message.subject : null,
        contentKind: rules.messageType, templateRef: purpose, templateVersion: template.source.version, decision,
        links: [{ token: linkToken, kind: 'link', url: target }, ...(unsubToken ? [{ token: unsubToken, kind: 'unsubscribe' as const, url: null }] : [])],
      });
    }

    // Rate limits: per provider bucket of the tenant (and the tenant's overall bucket when set).
    const overallRate = Number(asRecord(asRecord(facts[0]?.tenant_settings).messaging).ratePerSecond);
    const overall = Number.isFinite(overallRate) && overallRate > 0 ? { rate: overallRate, burst: Math.max(1, Math.ceil(overallRate * 2)) } : null;
    const toSend: Ready[] = [];
    for (const ch of channels) {
      const group = ready.filter((r) => r.channel === ch);
      if (group.length === 0) continue;
      const { granted, waitSeconds } = await takeRate(tenantId, ch, overall, group.length, now);
      toSend.push(...group.slice(0, granted));
      for (const r of group.slice(granted)) defer(r.row.id, new Date(now.getTime() + Math.ceil(waitSeconds * 1000)));
    }

    // Record "sending" (and the links) before any provider call — except for providers that
    // collapse a repeated send themselves, whose message is written once, after the call.
    const startedAt = clock.now();
    const sendingFirst = toSend.filter((r) => !recordsAfterSend(r.channel.provider));
    const newRow = (r: Ready): repo.NewSending => ({
      id: r.messageId, idempotencyKey: r.row.idempotency_key, scheduledContactId: r.row.id, debtorId: r.row.debtor_id, accountId: r.row.account_id,
      contactPointId: r.row.contact_point_id, channel: r.row.channel, provider: r.channel.provider, purpose: r.row.purpose, templateRef: r.templateRef,
      templateVersion: r.templateVersion, language: r.row.language, contentKind: r.contentKind, destination: r.row.destination!, subject: r.subject, body: r.body,
      bodySha256: sha256Hex(r.body),
    });
    const attempts = sendingFirst.length === 0 ? new Map<string, { id: string; attempts: number }>() : await db.transaction(async (tx) => {
      const map = await repo.markSending(tx, tenantId, sendingFirst.map(newRow), now, fence);
      await repo.insertLinks(tx, tenantId, sendingFirst.flatMap((r) => r.links.map((l) => ({ ...l, messageId: map.get(r.row.idempotency_key)?.id ?? r.messageId }))));
      return map;
    });

    // A contact missing from `attempts` was claimed by another dispatcher after this one's lease
    // expired: it is that claim's to send.
    const lostBeforeSend = sendingFirst.filter((r) => !attempts.has(r.row.idempotency_key)).map((r) => r.row.id);
    stats.fenced += lostBeforeSend.length;
    const sending = lostBeforeSend.length === 0 ? toSend : toSend.filter((r) => !lostBeforeSend.includes(r.row.id));

    const results: SendResult[] = [];
    for (const ch of channels) {
      const group = sending.filter((r) => r.channel === ch);
      if (group.length === 0) continue;
      const limit = ch.provider === 'sandbox' ? group.length : o.concurrency;
      const rs = await mapLimit(group, limit, (r) => {
        // SMS expire at the end of their window, and never later than the reconciliation wait
        // counted from this very send: after it, a message Twilio still had queued was dropped,
        // so a lookup is conclusive.
        let message = r.outbound;
        if (message.channel === 'sms') {
          const queueLimit = clock.now().getTime() + ch.reconcileAfterSeconds * 1000;
          const windowEnd = r.row.window_end ? new Date(r.row.window_end).getTime() : Infinity;
          message = { ...message, expiresAt: new Date(Math.min(queueLimit, windowEnd)) };
        }
        return r.channel.adapter.send(message, { idempotencyKey: r.row.idempotency_key });
      });
      group.forEach((r, i) => {
        results[sending.indexOf(r)] = rs[i]!;
      });
    }

    const after = clock.now();
    const optOutCps: { cpId: string; debtorId: string; address: string; channel: string; kind: string }[] = [];
    const pauses = new Map<string, { until: Date; reason: string }>();
    sending.forEach((r, i) => {
      const res = results[i]!;
      const afterSend = recordsAfterSend(r.channel.provider);
      const m = attempts.get(r.row.idempotency_key) ?? { id: r.messageId, attempts: r.priorAttempts + 1 };
      const base = { messageId: m.id, contactId: r.row.id, ...(afterSend ? { messageRecorded: true } : {}) };
      const payload = { messageId: m.id, scheduledContactId: r.row.id, debtorId: r.row.debtor_id, accountId: r.row.account_id, channel: r.row.channel, provider: r.channel.provider };
      if (res.ok) {
        const contactStatus = contactStatusFor(res.status) ?? 'sent';
        outcomes.push({ ...base, status: res.status, externalId: res.externalId, errorCode: null, errorKind: null, errorScope: null, providerErrorCode: null, errorMessage: null,
          nextAttemptAt: null, contactStatus, contactReason: null });
        events.push(event(tenantId, 'message.sent', { ...payload, status: res.status }, m.id, after));
        if (res.status === 'delivered') events.push(event(tenantId, 'message.delivered', { ...payload, status: 'delivered' }, m.id, after));
        stats.sent++;
        return;
      }
      const err = { errorCode: res.code, errorKind: res.kind, errorScope: res.scope, providerErrorCode: res.providerCode ?? null, errorMessage: res.message.slice(0, 500) };
      if (res.uncertain && r.channel.provider !== 'sandbox' && r.channel.provider !== 'smtp') {
        // The provider may have it: leave the message 'sending' and reconcile after the queue time.
        const at = new Date(after.getTime() + r.channel.reconcileAfterSeconds * 1000);
        outcomes.push({ ...base, status: 'sending', externalId: null, ...err, nextAttemptAt: at, contactStatus: 'claimed', contactReason: res.code });
        stats.retrying++;
        return;
      }
      const accountScope = res.scope === 'account';
      if (res.kind === 'transient' || accountScope) {
        if (accountScope) pauses.set(r.channel.provider, { until: new Date(after.getTime() + 15 * 60_000), reason: `${res.code} (${res.providerCode ?? ''})` });
        if (m.attempts < r.channel.maxAttempts) {
          const at = new Date(after.getTime() + (accountScope ? 15 * 60 : backoffSeconds(m.attempts, r.row.idempotency_key, res.retryAfterSeconds)) * 1000);
          outcomes.push({ ...base, status: 'retrying', externalId: null, ...err, nextAttemptAt: at, contactStatus: 'claimed', contactReason: res.code });
          stats.retrying++;
          return;
        }
      }
      // Permanent, or retries exhausted: dead letter.
      outcomes.push({ ...base, status: 'failed', externalId: null, ...err, nextAttemptAt: null, contactStatus: 'failed',
        contactReason: res.kind === 'transient' ? `${res.code}: gave up after ${m.attempts} attempts` : res.code });
      events.push(event(tenantId, 'message.failed', { ...payload, status: 'failed', errorCode: res.code, providerErrorCode: res.providerCode ?? null }, m.id, after));
      stats.failed++;
      if (res.scope === 'recipient' && res.optOut && r.row.contact_point_id) {
        optOutCps.push({ cpId: r.row.contact_point_id, debtorId: r.row.debtor_id, address: r.row.destination!, channel: r.row.channel, kind: r.outbound.channel });
      }
    });

    // The messages written after the call, in the state their outcome gives them.
    const readyById = new Map(sending.filter((r) => recordsAfterSend(r.channel.provider)).map((r) => [r.messageId, r]));
    const recorded: repo.NewRecorded[] = [];
    for (const o of outcomes) {
      const r = o.messageRecorded ? readyById.get(o.messageId) : undefined;
      if (!r) continue;
      recorded.push({ ...newRow(r), status: o.status, externalId: o.externalId, errorCode: o.errorCode, errorKind: o.errorKind, errorScope: o.errorScope,
        providerErrorCode: o.providerErrorCode, errorMessage: o.errorMessage, nextAttemptAt: o.nextAttemptAt });
    }

    stats.suppressed += closes.filter((c) => c.status === 'suppressed').length;
    stats.failed += closes.filter((c) => c.status === 'failed').length;
    await db.transaction(async (tx: Sql) => {
      // Contacts first, fenced: what another claim took since is left to it (message, history, events).
      const kept = await repo.recordContactOutcomes(tx, tenantId, outcomes, after, fence);
      const mine = (contactId: string | null): boolean => contactId === null || kept.has(contactId);
      const lost = outcomes.filter((x) => !mine(x.contactId)).length;
      stats.fenced += lost;
      await repo.insertRecorded(tx, tenantId, lost === 0 ? recorded : recorded.filter((x) => mine(x.scheduledContactId)), startedAt, after);
      await repo.insertLinks(tx, tenantId, [...readyById.values()].filter((r) => mine(r.row.id)).flatMap((r) => r.links.map((l) => ({ ...l, messageId: r.messageId }))));
      await repo.recordOutcomes(tx, tenantId, lost === 0 ? outcomes : outcomes.filter((x) => mine(x.contactId)), after);
      await repo.closeContacts(tx, tenantId, closes, after, fence);
      for (const [at, idsAt] of defers) await repo.deferClaims(tx, tenantId, idsAt, new Date(at), fence);
      await deps.policy.recordDecisions(tx, tenantId, decisions);
      for (const o of optOutCps) {
        const changed = await repo.optOutContactPoints(tx, tenantId, [o.cpId], 'provider reported opt-out', after);
        await repo.cancelPendingTo(tx, tenantId, o.address, [o.channel], 'opted_out', after);
        for (const c of changed) {
          events.push({ id: deps.newId('evt'), tenantId, type: 'contact_point.opted_out', subjectType: 'debtor', subjectId: c.debtor_id,
            payload: { debtorId: c.debtor_id, contactPointId: c.id, kind: c.kind, reason: 'provider reported opt-out' }, occurredAt: after });
        }
      }
      for (const [provider, p] of pauses) await repo.pauseChannelConfig(tx, tenantId, provider, p.until, p.reason);
      await appendEvents(tx, lost === 0 ? events : events.filter((e) => mine(typeof e.payload.scheduledContactId === 'string' ? e.payload.scheduledContactId : null)));
    });
    if (pauses.size > 0) deps.registry.invalidate(tenantId);
  };

  return {
    /** One pass: claims a batch, processes it, records everything. */
    async dispatchOnce(options: DispatchOptions = {}): Promise<DispatchStats> {
      const o: Required<DispatchOptions> = { batchSize: options.batchSize ?? 200, leaseSeconds: options.leaseSeconds ?? 120, concurrency: options.concurrency ?? 8 };
      const stats = emptyStats();
      const rows = await repo.claimDue(db, { workerId: deps.workerId, now: clock.now(), leaseSeconds: o.leaseSeconds, limit: o.batchSize });
      stats.claimed = rows.length;
      const byTenant = new Map<string, repo.ClaimedRow[]>();
      for (const r of rows) (byTenant.get(r.tenant_id) ?? byTenant.set(r.tenant_id, []).get(r.tenant_id)!).push(r);
      for (const [tenantId, group] of byTenant) await processTenant(tenantId, group, o, stats);
      return stats;
    },
  };
};

export type Dispatcher = ReturnType<typeof createDispatcher>;
