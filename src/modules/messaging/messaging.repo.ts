import type { Sql } from '../../db/db.ts';

/**
 * All of the messaging module's SQL. Batches go through `unnest` of parallel arrays (one
 * statement per batch, not per row); instants travel as ISO strings so both engines read them
 * the same way.
 */

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

// ---------------------------------------------------------------------------------------------
// Claiming scheduled contacts

export interface ClaimedRow {
  tenant_id: string;
  id: string;
  account_id: string;
  debtor_id: string;
  kind: string;
  channel: 'sms' | 'whatsapp' | 'email';
  purpose: string;
  template_ref: string | null;
  language: string;
  contact_point_id: string | null;
  destination: string | null;
  send_at: Date;
  window_end: Date | null;
  idempotency_key: string;
  content: Record<string, unknown>;
  attempts: number;
}

const CLAIM_COLUMNS = `s.tenant_id, s.id, s.account_id, s.debtor_id, s.kind, s.channel, s.purpose, s.template_ref, s.language,
  s.contact_point_id, s.destination, s.send_at, s.window_end, s.idempotency_key, s.content, s.attempts`;

/**
 * No other contact of the row's debtor is held by a live claim (`$3` is now), probed per
 * candidate row through the debtor index: the inner query names only the debtor, and `OFFSET 0`
 * keeps the claim conditions out of it and the whole test a per-row subplan. Written plainly, the
 * planner (whose statistics see no claimed rows) read the claim index instead — every claim, or
 * every row, walking all the entries a busy queue leaves there (4 processes × 2 lanes: 1.34 ms of
 * PostgreSQL per message as an anti-join, 5 ms per row, against 0.23 ms without the rule).
 */
const NO_HELD_CLAIM_OF_DEBTOR = `NOT EXISTS (SELECT 1 FROM (SELECT o.id, o.status, o.claimed_by, o.claim_expires_at FROM scheduled_contacts o
    WHERE o.tenant_id = scheduled_contacts.tenant_id AND o.debtor_id = scheduled_contacts.debtor_id OFFSET 0) o
  WHERE o.id <> scheduled_contacts.id AND o.status = 'claimed' AND o.claimed_by IS NOT NULL AND o.claim_expires_at > $3)`;

/**
 * Claims up to `limit` contacts: first claims that expired (a crashed worker, a retry whose
 * backoff has passed), then due scheduled rows in send order. `FOR UPDATE SKIP LOCKED` lets any
 * number of dispatchers claim side by side without waiting on or taking each other's rows.
 * A contact (due, or an expired claim) of a debtor whose other contact is held by a live claim is
 * left for later: the holder's send is not in the history this claim's policy check would read.
 * (Two claim statements running at the same instant can still each take one of a debtor's
 * contacts; within one pass the dispatcher sends one message per debtor.)
 */
export const claimDue = async (sql: Sql, o: { workerId: string; now: Date; leaseSeconds: number; limit: number }): Promise<ClaimedRow[]> => {
  const expires = new Date(o.now.getTime() + o.leaseSeconds * 1000).toISOString();
  const expired = await sql.query<ClaimedRow>(
    `UPDATE scheduled_contacts s SET claimed_by = $1, claim_expires_at = $2, attempts = s.attempts + 1, updated_at = $3
     FROM (SELECT tenant_id, id FROM scheduled_contacts
           WHERE status = 'claimed' AND claim_expires_at <= $3 AND ${NO_HELD_CLAIM_OF_DEBTOR}
           ORDER BY claim_expires_at LIMIT $4 FOR UPDATE SKIP LOCKED) due
     WHERE s.tenant_id = due.tenant_id AND s.id = due.id
     RETURNING ${CLAIM_COLUMNS}`,
    [o.workerId, expires, o.now.toISOString(), o.limit],
  );
  const left = o.limit - expired.rows.length;
  if (left <= 0) return expired.rows;
  const fresh = await sql.query<ClaimedRow>(
    `UPDATE scheduled_contacts s SET status = 'claimed', claimed_by = $1, claim_expires_at = $2, attempts = s.attempts + 1, updated_at = $3
     FROM (SELECT tenant_id, id FROM scheduled_contacts
           WHERE status = 'scheduled' AND send_at <= $3 AND kind IN ('message','offer','lesson') AND channel IN ('sms','whatsapp','email')
             AND ${NO_HELD_CLAIM_OF_DEBTOR}
           ORDER BY send_at LIMIT $4 FOR UPDATE SKIP LOCKED) due
     WHERE s.tenant_id = due.tenant_id AND s.id = due.id
     RETURNING ${CLAIM_COLUMNS}`,
    [o.workerId, expires, o.now.toISOString(), left],
  );
  return [...expired.rows, ...fresh.rows];
};

/**
 * A claim as its holder knows it: `claimed_by` and the `attempts` the claim set (every claim adds
 * one, so a later claim by anyone changes it). Writes fenced by it touch only contacts no other
 * claim has taken since, in the same statement (no extra round trip).
 */
export interface ClaimFence {
  workerId: string;
  /** The contact's `attempts` as this worker's claim returned it. */
  attemptOf: (contactId: string) => number;
}

/** Puts claims back to wait (rate limit, paused channel, reconciliation): taken again once `until` passes. */
export const deferClaims = async (sql: Sql, tenantId: string, ids: readonly string[], until: Date, fence: ClaimFence): Promise<void> => {
  if (ids.length === 0) return;
  await sql.query(
    `UPDATE scheduled_contacts s SET claimed_by = NULL, claim_expires_at = $3, updated_at = now()
     FROM unnest($2::text[], $4::int[]) AS v(id, attempt)
     WHERE s.tenant_id = $1 AND s.id = v.id AND s.status = 'claimed' AND s.claimed_by = $5 AND s.attempts = v.attempt`,
    [tenantId, ids, until.toISOString(), ids.map(fence.attemptOf), fence.workerId],
  );
};

/** Final states that need no message: suppressed (send-time re-check) or failed before sending; only claims still this worker's. */
export const closeContacts = async (sql: Sql, tenantId: string, rows: readonly { id: string; status: 'suppressed' | 'failed' | 'cancelled'; reason: string; explanation?: unknown }[], now: Date, fence: ClaimFence): Promise<void> => {
  if (rows.length === 0) return;
  await sql.query(
    `UPDATE scheduled_contacts s SET status = v.status, status_reason = v.reason, claimed_by = NULL, claim_expires_at = NULL, updated_at = $5,
       explanation = CASE WHEN v.explanation IS NULL THEN s.explanation ELSE s.explanation || jsonb_build_object('dispatch', v.explanation::jsonb) END
     FROM unnest($2::text[], $3::text[], $4::text[], $6::text[], $7::int[]) AS v(id, status, reason, explanation, attempt)
     WHERE s.tenant_id = $1 AND s.id = v.id AND s.status = 'claimed' AND s.claimed_by = $8 AND s.attempts = v.attempt`,
    [tenantId, rows.map((r) => r.id), rows.map((r) => r.status), rows.map((r) => r.reason), now.toISOString(), rows.map((r) => (r.explanation === undefined ? null : JSON.stringify(r.explanation))),
      rows.map((r) => fence.attemptOf(r.id)), fence.workerId],
  );
};

// ---------------------------------------------------------------------------------------------
// What a send needs to know

export interface SendFactsRow {
  tenant_id: string;
  contact_id: string;
  tenant_name: string;
  tenant_country: string;
  tenant_settings: Record<string, unknown>;
  debtor_id: string;
  debtor_kind: string;
  given_name: string | null;
  company_name: string | null;
  debtor_language: string;
  debtor_country: string;
  debtor_region: string | null;
  timezone: string;
  preferences: Record<string, unknown>;
  vulnerability: Record<string, unknown> | null;
  account_ref: string;
  account_status: string;
  currency: string;
  principal_minor: number;
  interest_minor: number;
  fees_minor: number;
  credit_minor: number;
  days_past_due: number;
  oldest_unpaid_due_date: string | null;
  amount_due_minor: number | null;
  creditor_name: string;
  creditor_tax_id: string | null;
  creditor_country: string;
  allowed_channels: string[];
  first_party: boolean;
}

/**
 * What the send-time check and the render need, per claimed contact. The account and the debtor
 * are looked up by primary key per contact (fenced LATERALs): a plain join let the planner hash a
 * sequential scan of every debtor of the tenant for each batch of 500 (its page costs assume
 * disk reads the cache never makes), which grows with the portfolio.
 */
export const loadSendFacts = async (sql: Sql, tenantId: string, contactIds: readonly string[], today: string): Promise<SendFactsRow[]> =>
  (
    await sql.query<SendFactsRow>(
      `SELECT s.tenant_id, s.id AS contact_id, t.name AS tenant_name, t.country AS tenant_country, t.settings AS tenant_settings,
              d.id AS debtor_id, d.kind AS debtor_kind, d.given_name, d.company_name, d.language AS debtor_language, d.country AS debtor_country,
              d.region AS debtor_region, d.timezone, d.preferences, d.vulnerability,
              a.external_ref AS account_ref, a.status AS account_status, a.currency, a.principal_minor, a.interest_minor, a.fees_minor, a.credit_minor,
              a.days_past_due,
              COALESCE(a.oldest_unpaid_due_date, (SELECT min(i.due_date) FROM unnest(a.schedule_due_dates, a.schedule_amounts_minor, a.schedule_paid_minor) AS i(due_date, amount_minor, paid_minor)
                WHERE i.paid_minor < i.amount_minor)) AS oldest_unpaid_due_date,
              (SELECT sum(i.amount_minor - i.paid_minor)::bigint FROM unnest(a.schedule_due_dates, a.schedule_amounts_minor, a.schedule_paid_minor) AS i(due_date, amount_minor, paid_minor)
                WHERE i.due_date <= $3::date AND i.paid_minor < i.amount_minor) AS amount_due_minor,
              c.name AS creditor_name, c.tax_id AS creditor_tax_id, c.country AS creditor_country, c.allowed_channels, c.first_party
       FROM scheduled_contacts s
       JOIN tenants t ON t.id = s.tenant_id
       JOIN LATERAL (SELECT * FROM accounts a WHERE a.tenant_id = s.tenant_id AND a.id = s.account_id OFFSET 0) a ON true
       JOIN LATERAL (SELECT * FROM debtors d WHERE d.tenant_id = s.tenant_id AND d.id = s.debtor_id OFFSET 0) d ON true
       JOIN creditors c ON c.tenant_id = a.tenant_id AND c.id = a.creditor_id
       WHERE s.tenant_id = $1 AND s.id = ANY($2::text[])`,
      [tenantId, contactIds, today],
    )
  ).rows;

export interface ContactPointRow {
  id: string;
  debtor_id: string;
  kind: 'phone' | 'email' | 'whatsapp' | 'address';
  value: string;
  consent: 'granted' | 'denied' | 'unknown';
  consent_at: Date | null;
  opted_out_at: Date | null;
  not_debtors: boolean;
}

export const loadContactPoints = async (sql: Sql, tenantId: string, debtorIds: readonly string[]): Promise<ContactPointRow[]> =>
  (
    await sql.query<ContactPointRow>(
      `SELECT id, debtor_id, kind, value, consent, consent_at, opted_out_at, not_debtors FROM contact_points
       WHERE tenant_id = $1 AND debtor_id = ANY($2::text[])`,
      [tenantId, debtorIds],
    )
  ).rows;

export interface HistoryRow {
  debtor_id: string;
  account_id: string | null;
  channel: string;
  direction: 'outbound' | 'inbound';
  at: Date;
  status: string;
  destination: string | null;
  purpose: string | null;
}

/** The debtor's contact history for the policy: sent scheduled contacts and inbound replies. */
export const loadHistory = async (sql: Sql, tenantId: string, debtorIds: readonly string[], since: Date): Promise<HistoryRow[]> =>
  (
    await sql.query<HistoryRow>(
      `SELECT debtor_id, account_id, channel, 'outbound' AS direction, sent_at AS at, status, destination, purpose FROM scheduled_contacts
       WHERE tenant_id = $1 AND debtor_id = ANY($2::text[]) AND status IN ('sent','delivered','read') AND sent_at >= $3
       UNION ALL
       SELECT debtor_id, NULL, channel, 'inbound', received_at, 'received', from_address, NULL FROM inbound_messages
       WHERE tenant_id = $1 AND debtor_id = ANY($2::text[]) AND received_at >= $3`,
      [tenantId, debtorIds, since.toISOString()],
    )
  ).rows;

export const loadWhatsappSessions = async (sql: Sql, tenantId: string, addresses: readonly string[]): Promise<Map<string, Date>> => {
  if (addresses.length === 0) return new Map();
  const r = await sql.query<{ address: string; last_inbound_at: Date }>(
    `SELECT address, last_inbound_at FROM whatsapp_sessions WHERE tenant_id = $1 AND address = ANY($2::text[])`,
    [tenantId, addresses],
  );
  return new Map(r.rows.map((x) => [x.address, x.last_inbound_at]));
};

// ---------------------------------------------------------------------------------------------
// Messages

export interface MessageRow {
  tenant_id: string;
  id: string;
  idempotency_key: string;
  scheduled_contact_id: string | null;
  debtor_id: string | null;
  account_id: string | null;
  contact_point_id: string | null;
  channel: 'sms' | 'whatsapp' | 'email';
  provider: 'smtp' | 'twilio' | 'meta' | 'sandbox';
  purpose: string | null;
  template_ref: string | null;
  template_version: number | null;
  language: string | null;
  content_kind: string;
  destination: string;
  subject: string | null;
  body: string | null;
  body_sha256: string | null;
  external_id: string | null;
  status: string;
  error_code: string | null;
  attempts: number;
  next_attempt_at: Date | null;
  send_started_at: Date | null;
  sent_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * The messages already recorded under these keys. One lookup of the unique key per key (a fenced
 * LATERAL): with `idempotency_key = ANY(…)` the planner, whose statistics lag behind a table that
 * a drain is filling, chose to read every message of the tenant per batch — a cost growing with
 * the table (23 ms per batch of 500 at 50k messages, against well under 1 ms this way).
 */
export const findMessagesByKeys = async (sql: Sql, tenantId: string, keys: readonly string[]): Promise<MessageRow[]> =>
  keys.length === 0
    ? []
    : (await sql.query<MessageRow>(
      `SELECT m.* FROM unnest($2::text[]) AS k(key)
       JOIN LATERAL (SELECT * FROM messages WHERE tenant_id = $1 AND idempotency_key = k.key OFFSET 0) m ON true`,
      [tenantId, keys],
    )).rows;

export interface NewSending {
  id: string;
  idempotencyKey: string;
  scheduledContactId: string | null;
  debtorId: string | null;
  accountId: string | null;
  contactPointId: string | null;
  channel: string;
  provider: string;
  purpose: string | null;
  templateRef: string | null;
  templateVersion: number | null;
  language: string | null;
  contentKind: string;
  destination: string;
  subject: string | null;
  body: string;
  bodySha256: string;
}

/**
 * Records "handed to the provider" before the call: a crash after this point is recognised on
 * the next claim (status 'sending') and reconciled instead of blindly resent. Returns the id per key
 * (an existing message keeps its id and counts one more attempt). Fenced: only contacts still
 * claimed under `fence` are written, their rows locked until the transaction ends (a claim
 * running alongside skips them, then finds the message 'sending'); a key missing from the
 * result lost its claim and must not be sent.
 */
export const markSending = async (sql: Sql, tenantId: string, rows: readonly NewSending[], now: Date, fence: ClaimFence): Promise<Map<string, { id: string; attempts: number }>> => {
  if (rows.length === 0) return new Map();
  const col = <K extends keyof NewSending>(k: K) => rows.map((r) => r[k]);
  const r = await sql.query<{ id: string; idempotency_key: string; attempts: number }>(
    `INSERT INTO messages (tenant_id, id, idempotency_key, scheduled_contact_id, debtor_id, account_id, contact_point_id, channel, provider, purpose,
                           template_ref, template_version, language, content_kind, destination, subject, body, body_sha256, status, attempts, send_started_at, created_at, updated_at)
     SELECT $1, v.id, v.idempotency_key, v.scheduled_contact_id, v.debtor_id, v.account_id, v.contact_point_id, v.channel, v.provider, v.purpose, v.template_ref,
            v.template_version, v.language, v.content_kind, v.destination, v.subject, v.body, v.body_sha256, 'sending', 1, $18::timestamptz, $18::timestamptz, $18::timestamptz
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::int[], $13::text[],
                 $14::text[], $15::text[], $16::text[], $17::text[], $19::text[], $20::int[])
       AS v(id, idempotency_key, scheduled_contact_id, debtor_id, account_id, contact_point_id, channel, provider, purpose, template_ref, template_version, language,
            content_kind, destination, subject, body, body_sha256, claim_attempt)
     JOIN scheduled_contacts s ON s.tenant_id = $1 AND s.id = v.scheduled_contact_id
     WHERE s.status = 'claimed' AND s.claimed_by = $21 AND s.attempts = v.claim_attempt
     FOR UPDATE OF s
     ON CONFLICT (tenant_id, idempotency_key) DO UPDATE SET status = 'sending', attempts = messages.attempts + 1, send_started_at = EXCLUDED.send_started_at,
       provider = EXCLUDED.provider, content_kind = EXCLUDED.content_kind, subject = EXCLUDED.subject, body = EXCLUDED.body, body_sha256 = EXCLUDED.body_sha256,
       destination = EXCLUDED.destination, updated_at = EXCLUDED.updated_at
     RETURNING id, idempotency_key, attempts`,
    [tenantId, col('id'), col('idempotencyKey'), col('scheduledContactId'), col('debtorId'), col('accountId'), col('contactPointId'), col('channel'), col('provider'),
      col('purpose'), col('templateRef'), col('templateVersion'), col('language'), col('contentKind'), col('destination'), col('subject'), col('body'), now.toISOString(), col('bodySha256'),
      rows.map((x) => fence.attemptOf(x.scheduledContactId ?? '')), fence.workerId],
  );
  return new Map(r.rows.map((x) => [x.idempotency_key, { id: x.id, attempts: x.attempts }]));
};

/** How an attempt went wrong (all null when it did not), and when to try again. */
export interface AttemptErrorFields {
  errorCode: string | null;
  errorKind: string | null;
  errorScope: string | null;
  providerErrorCode: string | null;
  errorMessage: string | null;
  nextAttemptAt: Date | null;
}

export interface NewRecorded extends NewSending, AttemptErrorFields {
  status: string;
  externalId: string | null;
}

/**
 * Writes messages in their state after the provider call, in one statement (providers that
 * record after the send, `recordsAfterSend`): what `markSending` and the message update of
 * `recordOutcomes` write together. A row left by an earlier attempt counts one more attempt.
 */
export const insertRecorded = async (sql: Sql, tenantId: string, rows: readonly NewRecorded[], startedAt: Date, now: Date): Promise<void> => {
  if (rows.length === 0) return;
  const col = <K extends keyof NewRecorded>(k: K) => rows.map((r) => r[k]);
  await sql.query(
    `INSERT INTO messages (tenant_id, id, idempotency_key, scheduled_contact_id, debtor_id, account_id, contact_point_id, channel, provider, purpose,
                           template_ref, template_version, language, content_kind, destination, subject, body, body_sha256, status, external_id, error_code,
                           error_kind, error_scope, provider_error_code, error_message, next_attempt_at, attempts, send_started_at, sent_at, delivered_at, failed_at,
                           created_at, updated_at)
     SELECT $1, v.id, v.idempotency_key, v.scheduled_contact_id, v.debtor_id, v.account_id, v.contact_point_id, v.channel, v.provider, v.purpose, v.template_ref,
            v.template_version, v.language, v.content_kind, v.destination, v.subject, v.body, v.body_sha256, v.status, v.external_id, v.error_code, v.error_kind,
            v.error_scope, v.provider_error_code, v.error_message, v.next_attempt_at::timestamptz, 1, $2::timestamptz,
            CASE WHEN v.status IN ('queued','sent','delivered','read') THEN $3::timestamptz END,
            CASE WHEN v.status = 'delivered' THEN $3::timestamptz END,
            CASE WHEN v.status = 'failed' THEN $3::timestamptz END, $2::timestamptz, $3::timestamptz
     FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::int[], $15::text[],
                 $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[], $23::text[], $24::text[], $25::text[], $26::text[],
                 $27::text[], $28::text[])
       AS v(id, idempotency_key, scheduled_contact_id, debtor_id, account_id, contact_point_id, channel, provider, purpose, template_ref, template_version, language,
            content_kind, destination, subject, body, body_sha256, status, external_id, error_code, error_kind, error_scope, provider_error_code, error_message, next_attempt_at)
     ON CONFLICT (tenant_id, idempotency_key) DO UPDATE SET status = EXCLUDED.status, attempts = messages.attempts + 1, send_started_at = EXCLUDED.send_started_at,
       provider = EXCLUDED.provider, content_kind = EXCLUDED.content_kind, subject = EXCLUDED.subject, body = EXCLUDED.body, body_sha256 = EXCLUDED.body_sha256,
       destination = EXCLUDED.destination, external_id = COALESCE(EXCLUDED.external_id, messages.external_id), error_code = EXCLUDED.error_code,
       error_kind = EXCLUDED.error_kind, error_scope = EXCLUDED.error_scope, provider_error_code = EXCLUDED.provider_error_code, error_message = EXCLUDED.error_message,
       next_attempt_at = EXCLUDED.next_attempt_at, sent_at = COALESCE(messages.sent_at, EXCLUDED.sent_at), delivered_at = COALESCE(EXCLUDED.delivered_at, messages.delivered_at),
       failed_at = COALESCE(EXCLUDED.failed_at, messages.failed_at), updated_at = EXCLUDED.updated_at`,
    [tenantId, startedAt.toISOString(), now.toISOString(), col('id'), col('idempotencyKey'), col('scheduledContactId'), col('debtorId'), col('accountId'), col('contactPointId'),
      col('channel'), col('provider'), col('purpose'), col('templateRef'), col('templateVersion'), col('language'), col('contentKind'), col('destination'), col('subject'),
      col('body'), col('bodySha256'), col('status'), col('externalId'), col('errorCode'), col('errorKind'), col('errorScope'), col('providerErrorCode'), col('errorMessage'),
      rows.map((r) => iso(r.nextAttemptAt))],
  );
};

export interface Outcome extends AttemptErrorFields {
  messageId: string;
  contactId: string | null;
  /** Message status after the attempt. */
  status: string;
  externalId: string | null;
  /** scheduled_contacts: 'sent'/'delivered'/'failed', or 'claimed' to wait for a retry. */
  contactStatus: string;
  contactReason: string | null;
  /** The message row already holds this outcome (written by `insertRecorded`): only history and contact. */
  messageRecorded?: boolean;
}

/** Records a batch of outcomes on the messages and their status history (their contacts: `recordContactOutcomes`, first). */
export const recordOutcomes = async (sql: Sql, tenantId: string, outcomes: readonly Outcome[], now: Date): Promise<void> => {
  if (outcomes.length === 0) return;
  const updates = outcomes.filter((o) => !o.messageRecorded);
  const col = <K extends keyof Outcome>(k: K) => updates.map((o) => o[k]);
  const at = now.toISOString();
  if (updates.length > 0) await sql.query(
    `UPDATE messages m SET status = v.status, external_id = COALESCE(v.external_id, m.external_id), error_code = v.error_code, error_kind = v.error_kind,
       error_scope = v.error_scope, provider_error_code = v.provider_error_code, error_message = v.error_message, next_attempt_at = v.next_attempt_at::timestamptz,
       sent_at = CASE WHEN v.status IN ('queued','sent','delivered','read') THEN COALESCE(m.sent_at, $2::timestamptz) ELSE m.sent_at END,
       delivered_at = CASE WHEN v.status = 'delivered' THEN $2::timestamptz ELSE m.delivered_at END,
       failed_at = CASE WHEN v.status = 'failed' THEN $2::timestamptz ELSE m.failed_at END, updated_at = $2::timestamptz
     FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
       AS v(id, status, external_id, error_code, error_kind, error_scope, provider_error_code, error_message, next_attempt_at)
     WHERE m.tenant_id = $1 AND m.id = v.id`,
    [tenantId, at, col('messageId'), col('status'), col('externalId'), col('errorCode'), col('errorKind'), col('errorScope'), col('providerErrorCode'),
      col('errorMessage'), updates.map((o) => iso(o.nextAttemptAt))],
  );
  const receipts = outcomes.filter((o) => ['queued', 'sent', 'delivered', 'read', 'failed'].includes(o.status));
  if (receipts.length > 0) {
    await sql.query(
      `INSERT INTO message_status_history (tenant_id, message_id, status, provider_at, recorded_at, error_code, provider_error_code)
       SELECT $1, v.id, v.status, NULL, $2::timestamptz, v.error_code, v.provider_error_code FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS v(id, status, error_code, provider_error_code)
       ON CONFLICT DO NOTHING`,
      [tenantId, at, receipts.map((o) => o.messageId), receipts.map((o) => o.status), receipts.map((o) => o.errorCode), receipts.map((o) => o.providerErrorCode)],
    );
  }
};

/**
 * Moves the scheduled contacts of a batch of outcomes, fenced: only contacts no other claim has
 * taken since this worker's (a lease that expired mid-send, then another dispatcher's claim)
 * are written; a contact released meanwhile (cancelled, or moved by an early receipt) still is,
 * as before. Returns the contacts written: the caller records messages, history and events for
 * those only, and leaves the others to the claim that holds them.
 */
export const recordContactOutcomes = async (sql: Sql, tenantId: string, outcomes: readonly Outcome[], now: Date, fence: ClaimFence): Promise<Set<string>> => {
  const contacts = outcomes.filter((o) => o.contactId !== null);
  if (contacts.length === 0) return new Set();
  const r = await sql.query<{ id: string }>(
    `UPDATE scheduled_contacts s SET status = v.status, status_reason = v.reason,
       claimed_by = NULL, claim_expires_at = CASE WHEN v.status = 'claimed' THEN v.next_at::timestamptz ELSE NULL END,
       sent_at = CASE WHEN v.status IN ('sent','delivered','read') THEN COALESCE(s.sent_at, $2::timestamptz) ELSE s.sent_at END, updated_at = $2::timestamptz
     FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::int[]) AS v(id, status, reason, next_at, attempt)
     WHERE s.tenant_id = $1 AND s.id = v.id AND s.attempts = v.attempt AND (s.claimed_by = $8 OR s.claimed_by IS NULL)
     RETURNING s.id`,
    [tenantId, now.toISOString(), contacts.map((o) => o.contactId), contacts.map((o) => o.contactStatus), contacts.map((o) => o.contactReason), contacts.map((o) => iso(o.nextAttemptAt)),
      contacts.map((o) => fence.attemptOf(o.contactId!)), fence.workerId],
  );
  return new Set(r.rows.map((x) => x.id));
};

// ---------------------------------------------------------------------------------------------
// Receipts (webhooks)

export const findMessageForReceipt = async (sql: Sql, tenantId: string, provider: string, externalId: string, idempotencyKey: string | undefined): Promise<MessageRow | null> => {
  const r = await sql.query<MessageRow>(
    `SELECT * FROM messages WHERE tenant_id = $1 AND ((provider = $2 AND external_id = $3) OR ($4::text IS NOT NULL AND idempotency_key = $4))
     ORDER BY (external_id = $3) DESC NULLS LAST LIMIT 1 FOR UPDATE`,
    [tenantId, provider, externalId, idempotencyKey ?? null],
  );
  return r.rows[0] ?? null;
};

/** Adds a receipt to the history; false when it was already there (a repeated callback). */
export const insertReceipt = async (sql: Sql, r: { tenantId: string; messageId: string; status: string; providerAt: Date | null; now: Date; errorCode: string | null; providerErrorCode: string | null }): Promise<boolean> =>
  (
    await sql.query(
      `INSERT INTO message_status_history (tenant_id, message_id, status, provider_at, recorded_at, error_code, provider_error_code)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
      [r.tenantId, r.messageId, r.status, iso(r.providerAt), r.now.toISOString(), r.errorCode, r.providerErrorCode],
    )
  ).rowCount > 0;

export const applyReceipt = async (sql: Sql, m: MessageRow, r: { status: string; externalId: string | null; at: Date; errorCode: string | null; providerErrorCode: string | null; errorMessage: string | null }): Promise<void> => {
  await sql.query(
    `UPDATE messages SET status = $3, external_id = COALESCE(external_id, $4), updated_at = $5,
       sent_at = CASE WHEN $3 IN ('sent','delivered','read') THEN COALESCE(sent_at, $5) ELSE sent_at END,
       delivered_at = CASE WHEN $3 IN ('delivered','read') THEN COALESCE(delivered_at, $5) ELSE delivered_at END,
       read_at = CASE WHEN $3 = 'read' THEN COALESCE(read_at, $5) ELSE read_at END,
       failed_at = CASE WHEN $3 IN ('failed','undelivered','bounced') THEN COALESCE(failed_at, $5) ELSE failed_at END,
       error_code = COALESCE($6, error_code), provider_error_code = COALESCE($7, provider_error_code), error_message = COALESCE($8, error_message)
     WHERE tenant_id = $1 AND id = $2`,
    [m.tenant_id, m.id, r.status, r.externalId, r.at.toISOString(), r.errorCode, r.providerErrorCode, r.errorMessage],
  );
};

/** Moves the scheduled contact with its message (a late receipt never moves it back). */
export const updateContactStatus = async (sql: Sql, tenantId: string, contactId: string, status: string, reason: string | null, now: Date): Promise<void> => {
  await sql.query(
    `UPDATE scheduled_contacts SET status = $3, status_reason = COALESCE($4, status_reason), claimed_by = NULL, claim_expires_at = NULL,
       sent_at = CASE WHEN $3 IN ('sent','delivered','read') THEN COALESCE(sent_at, $5) ELSE sent_at END, updated_at = $5
     WHERE tenant_id = $1 AND id = $2 AND status NOT IN ('cancelled','suppressed')`,
    [tenantId, contactId, status, reason, now.toISOString()],
  );
};

// ---------------------------------------------------------------------------------------------
// Inbound, opt-outs, WhatsApp window

export interface MatchedAddress {
  contact_point_id: string;
  debtor_id: string;
  kind: string;
  language: string;
}

/** Contact points holding an address (a number can belong to two debtors: both are matched). */
export const matchAddress = async (sql: Sql, tenantId: string, kinds: readonly string[], address: string): Promise<MatchedAddress[]> =>
  (
    await sql.query<MatchedAddress>(
      `SELECT cp.id AS contact_point_id, cp.debtor_id, cp.kind, d.language FROM contact_points cp JOIN debtors d ON d.tenant_id = cp.tenant_id AND d.id = cp.debtor_id
       WHERE cp.tenant_id = $1 AND cp.kind = ANY($2::text[]) AND lower(cp.value) = lower($3) ORDER BY cp.created_at`,
      [tenantId, kinds, address],
    )
  ).rows;

export const insertInbound = async (sql: Sql, r: {
  tenantId: string; id: string; provider: string; externalId: string; channel: string; from: string; to: string; body: string; contentType: string;
  debtorId: string | null; contactPointId: string | null; keywordAction: string | null; receivedAt: Date;
}): Promise<boolean> =>
  (
    await sql.query(
      `INSERT INTO inbound_messages (tenant_id, id, provider, external_id, channel, from_address, to_address, body, content_type, debtor_id, contact_point_id, keyword_action, received_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) ON CONFLICT (tenant_id, provider, external_id) DO NOTHING`,
      [r.tenantId, r.id, r.provider, r.externalId, r.channel, r.from, r.to, r.body, r.contentType, r.debtorId, r.contactPointId, r.keywordAction, r.receivedAt.toISOString()],
    )
  ).rowCount > 0;

export const touchWhatsappSession = async (sql: Sql, tenantId: string, address: string, at: Date): Promise<void> => {
  await sql.query(
    `INSERT INTO whatsapp_sessions (tenant_id, address, last_inbound_at) VALUES ($1, $2, $3)
     ON CONFLICT (tenant_id, address) DO UPDATE SET last_inbound_at = GREATEST(whatsapp_sessions.last_inbound_at, EXCLUDED.last_inbound_at)`,
    [tenantId, address, at.toISOString()],
  );
};

/** Opts the address out on these contact points; returns those that were not opted out yet. */
export const optOutContactPoints = async (sql: Sql, tenantId: string, ids: readonly string[], reason: string, at: Date): Promise<{ id: string; debtor_id: string; kind: string }[]> =>
  (
    await sql.query<{ id: string; debtor_id: string; kind: string }>(
      `UPDATE contact_points SET opted_out_at = $3, opt_out_reason = $4 WHERE tenant_id = $1 AND id = ANY($2::text[]) AND opted_out_at IS NULL
       RETURNING id, debtor_id, kind`,
      [tenantId, ids, at.toISOString(), reason],
    )
  ).rows;

export const optInContactPoints = async (sql: Sql, tenantId: string, ids: readonly string[]): Promise<number> =>
  (await sql.query(`UPDATE contact_points SET opted_out_at = NULL, opt_out_reason = NULL WHERE tenant_id = $1 AND id = ANY($2::text[]) AND opted_out_at IS NOT NULL`, [tenantId, ids])).rowCount;

/** Cancels what is pending to an address on the channels it opted out of. */
export const cancelPendingTo = async (sql: Sql, tenantId: string, address: string, channels: readonly string[], reason: string, now: Date): Promise<number> =>
  (
    await sql.query(
      `UPDATE scheduled_contacts SET status = 'cancelled', status_reason = $4, claimed_by = NULL, claim_expires_at = NULL, updated_at = $5
       WHERE tenant_id = $1 AND lower(destination) = lower($2) AND channel = ANY($3::text[]) AND status IN ('scheduled','claimed') AND purpose <> 'opt_out_confirmation'
         AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.tenant_id = scheduled_contacts.tenant_id AND m.scheduled_contact_id = scheduled_contacts.id AND m.status = 'sending')`,
      [tenantId, address, channels, reason, now.toISOString()],
    )
  ).rowCount;

/** The debtor's most recent open account (an ad-hoc contact such as an opt-out confirmation hangs from it). */
export const latestAccountOf = async (sql: Sql, tenantId: string, debtorId: string): Promise<string | null> =>
  (await sql.query<{ id: string }>(`SELECT id FROM accounts WHERE tenant_id = $1 AND debtor_id = $2 ORDER BY (status = 'active') DESC, created_at DESC LIMIT 1`, [tenantId, debtorId])).rows[0]?.id ?? null;

/**
 * Schedules a contact the messaging module decides on its own (an opt-out confirmation, a help
 * reply). With `noneSince`, nothing is scheduled when a contact of the same purpose to the same
 * address on the same channel was already scheduled after that instant (one help reply per
 * address per 24 hours).
 */
export const insertAdHocContact = async (sql: Sql, r: {
  tenantId: string; id: string; accountId: string; debtorId: string; channel: string; purpose: string; language: string; contactPointId: string;
  destination: string; sendAt: Date; windowEnd: Date | null; idempotencyKey: string; noneSince?: Date;
}): Promise<boolean> =>
  (
    await sql.query(
      `INSERT INTO scheduled_contacts (tenant_id, id, account_id, debtor_id, kind, channel, purpose, template_ref, language, contact_point_id, destination, send_at, window_end, idempotency_key, explanation)
       SELECT $1::text, $2::text, $3::text, $4::text, 'message', $5::text, $6::text, $6::text, $7::text, $8::text, $9::text, $10::timestamptz, $11::timestamptz, $12::text,
              '{"source":"messaging"}'::jsonb
       WHERE $13::timestamptz IS NULL OR NOT EXISTS (
         SELECT 1 FROM scheduled_contacts p WHERE p.tenant_id = $1 AND p.purpose = $6 AND p.channel = $5 AND lower(p.destination) = lower($9) AND p.send_at > $13::timestamptz)
       ON CONFLICT (tenant_id, idempotency_key) DO NOTHING`,
      [r.tenantId, r.id, r.accountId, r.debtorId, r.channel, r.purpose, r.language, r.contactPointId, r.destination, r.sendAt.toISOString(), iso(r.windowEnd), r.idempotencyKey,
        iso(r.noneSince)],
    )
  ).rowCount > 0;

// ---------------------------------------------------------------------------------------------
// Tracked links

export const insertLinks = async (sql: Sql, tenantId: string, rows: readonly { token: string; messageId: string; kind: 'link' | 'unsubscribe'; url: string | null }[]): Promise<void> => {
  if (rows.length === 0) return;
  await sql.query(
    `INSERT INTO tracked_links (token, tenant_id, message_id, kind, url) SELECT v.token, $1, v.message_id, v.kind, v.url
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS v(token, message_id, kind, url) ON CONFLICT DO NOTHING`,
    [tenantId, rows.map((r) => r.token), rows.map((r) => r.messageId), rows.map((r) => r.kind), rows.map((r) => r.url)],
  );
};

export interface LinkRow {
  token: string;
  tenant_id: string;
  message_id: string;
  kind: 'link' | 'unsubscribe';
  url: string | null;
  clicks: number;
}

export const findLink = async (sql: Sql, token: string): Promise<LinkRow | null> =>
  (await sql.query<LinkRow>(`SELECT token, tenant_id, message_id, kind, url, clicks FROM tracked_links WHERE token = $1`, [token])).rows[0] ?? null;

export const recordClick = async (sql: Sql, token: string, at: Date): Promise<void> => {
  await sql.query(
    `UPDATE tracked_links SET clicks = clicks + 1, first_clicked_at = COALESCE(first_clicked_at, $2), last_clicked_at = $2 WHERE token = $1`,
    [token, at.toISOString()],
  );
};

export const markClicked = async (sql: Sql, tenantId: string, messageId: string, at: Date): Promise<boolean> => {
  await sql.query(`UPDATE messages SET clicked_at = COALESCE(clicked_at, $3) WHERE tenant_id = $1 AND id = $2`, [tenantId, messageId, at.toISOString()]);
  return insertReceipt(sql, { tenantId, messageId, status: 'clicked', providerAt: at, now: at, errorCode: null, providerErrorCode: null });
};

export const findMessage = async (sql: Sql, tenantId: string, id: string): Promise<MessageRow | null> =>
  (await sql.query<MessageRow>(`SELECT * FROM messages WHERE tenant_id = $1 AND id = $2`, [tenantId, id])).rows[0] ?? null;

export const listMessagesOfDebtor = async (sql: Sql, tenantId: string, debtorId: string, limit: number): Promise<(MessageRow & { history: { status: string; provider_at: string | null; recorded_at: string }[] })[]> =>
  (
    await sql.query<MessageRow & { history: { status: string; provider_at: string | null; recorded_at: string }[] }>(
      `SELECT m.*, COALESCE((SELECT json_agg(json_build_object('status', h.status, 'provider_at', h.provider_at, 'recorded_at', h.recorded_at) ORDER BY h.recorded_at)
                             FROM message_status_history h WHERE h.tenant_id = m.tenant_id AND h.message_id = m.id), '[]'::json) AS history
       FROM messages m WHERE m.tenant_id = $1 AND m.debtor_id = $2 ORDER BY m.created_at DESC LIMIT $3`,
      [tenantId, debtorId, limit],
    )
  ).rows;

// ---------------------------------------------------------------------------------------------
// Channel configuration and rate limits

export interface ChannelConfigRow {
  tenant_id: string;
  provider: 'smtp' | 'twilio' | 'meta' | 'sandbox';
  channels: string[];
  config_enc: string;
  summary: Record<string, unknown>;
  rate_per_second: number;
  burst: number;
  reconcile_after_seconds: number;
  max_attempts: number;
  paused_until: Date | null;
  paused_reason: string | null;
  updated_at: Date;
}

export const listChannelConfigs = async (sql: Sql, tenantId: string): Promise<ChannelConfigRow[]> =>
  (await sql.query<ChannelConfigRow>(`SELECT * FROM channel_configs WHERE tenant_id = $1 ORDER BY provider`, [tenantId])).rows;

/** One provider's configurations across tenants (routing a shared webhook such as one Meta app's). */
export const listChannelConfigsOfProvider = async (sql: Sql, provider: ChannelConfigRow['provider']): Promise<Pick<ChannelConfigRow, 'tenant_id' | 'config_enc'>[]> =>
  (await sql.query<Pick<ChannelConfigRow, 'tenant_id' | 'config_enc'>>(`SELECT tenant_id, config_enc FROM channel_configs WHERE provider = $1 ORDER BY tenant_id`, [provider])).rows;

export const upsertChannelConfig = async (sql: Sql, r: Omit<ChannelConfigRow, 'paused_until' | 'paused_reason' | 'updated_at'>, now: Date): Promise<void> => {
  await sql.query(
    `INSERT INTO channel_configs (tenant_id, provider, channels, config_enc, summary, rate_per_second, burst, reconcile_after_seconds, max_attempts, updated_at)
     VALUES ($1,$2,$3,$4,$5::jsonb,$6,$7,$8,$9,$10)
     ON CONFLICT (tenant_id, provider) DO UPDATE SET channels = EXCLUDED.channels, config_enc = EXCLUDED.config_enc, summary = EXCLUDED.summary,
       rate_per_second = EXCLUDED.rate_per_second, burst = EXCLUDED.burst, reconcile_after_seconds = EXCLUDED.reconcile_after_seconds,
       max_attempts = EXCLUDED.max_attempts, paused_until = NULL, paused_reason = NULL, updated_at = EXCLUDED.updated_at`,
    [r.tenant_id, r.provider, r.channels, r.config_enc, JSON.stringify(r.summary), r.rate_per_second, r.burst, r.reconcile_after_seconds, r.max_attempts, now.toISOString()],
  );
  // One provider per channel: a channel moves to the provider configured last.
  await sql.query(
    `UPDATE channel_configs SET channels = ARRAY(SELECT c FROM unnest(channels) c WHERE c <> ALL($3::text[])) WHERE tenant_id = $1 AND provider <> $2`,
    [r.tenant_id, r.provider, r.channels],
  );
};

export const pauseChannelConfig = async (sql: Sql, tenantId: string, provider: string, until: Date, reason: string): Promise<void> => {
  await sql.query(`UPDATE channel_configs SET paused_until = $3, paused_reason = $4 WHERE tenant_id = $1 AND provider = $2`, [tenantId, provider, until.toISOString(), reason]);
};

export const lockBucket = async (sql: Sql, key: string): Promise<{ tokens: number; updated_at: Date } | null> =>
  (await sql.query<{ tokens: number; updated_at: Date }>(`SELECT tokens, updated_at FROM rate_buckets WHERE key = $1 FOR UPDATE`, [key])).rows[0] ?? null;

export const saveBucket = async (sql: Sql, key: string, tokens: number, at: Date): Promise<void> => {
  await sql.query(
    `INSERT INTO rate_buckets (key, tokens, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET tokens = EXCLUDED.tokens, updated_at = EXCLUDED.updated_at`,
    [key, tokens, at.toISOString()],
  );
};

// ---------------------------------------------------------------------------------------------
// Retention

/** Purges bodies older than each tenant's retention (default 1095 days); keeps hashes and templates. */
export const purgeBodies = async (sql: Sql, now: Date): Promise<number> =>
  (
    await sql.query(
      `UPDATE messages m SET body = NULL, subject = NULL, body_purged_at = $1
       FROM tenants t WHERE t.id = m.tenant_id AND m.body IS NOT NULL
         AND m.created_at < $1::timestamptz - make_interval(days => COALESCE((t.settings #>> '{messaging,bodyRetentionDays}')::int, 1095))`,
      [now.toISOString()],
    )
  ).rowCount;
