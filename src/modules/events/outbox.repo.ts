import type { Sql } from '../../db/db.ts';

/**
 * Event types the CRM (and later modules) learn from. Payloads carry ids, amounts and states,
 * never debtor personal data: a webhook receiver that needs the debtor reads it by API.
 */
export const EVENT_TYPES = [
  'debtor.created',
  'debtor.updated',
  'account.created',
  'account.updated',
  'account.balance_changed',
  'account.status_changed',
  'payment.recorded',
  'transaction.recorded',
  'transaction.reversed',
  'contact_point.opted_out',
  'import.completed',
  'message.sent',
  'message.delivered',
  'message.read',
  'message.failed',
  'message.received',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface NewEvent {
  id: string;
  tenantId: string;
  type: EventType;
  subjectType: string;
  subjectId: string;
  payload: Record<string, unknown>;
  occurredAt: Date;
}

/** Writes events in the caller's transaction: they exist if and only if the change committed. */
export const appendEvents = async (sql: Sql, events: readonly NewEvent[]): Promise<void> => {
  if (events.length === 0) return;
  // Parallel arrays through unnest: one plan whatever the batch size, and a fraction of the
  // parse and bind work of a seven-parameters-per-row VALUES list. Ordinality keeps `seq` in
  // the order given.
  await sql.query(
    `INSERT INTO events (id, tenant_id, type, subject_type, subject_id, payload, occurred_at)
     SELECT v.id, v.tenant_id, v.type, v.subject_type, v.subject_id, v.payload::jsonb, v.occurred_at
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[]) WITH ORDINALITY
       AS v(id, tenant_id, type, subject_type, subject_id, payload, occurred_at, n)
     ORDER BY v.n`,
    [events.map((e) => e.id), events.map((e) => e.tenantId), events.map((e) => e.type), events.map((e) => e.subjectType), events.map((e) => e.subjectId),
      events.map((e) => JSON.stringify(e.payload)), events.map((e) => e.occurredAt.toISOString())],
  );
};

export interface EventRow {
  seq: number;
  tenant_id: string;
  id: string;
  type: EventType;
  subject_type: string;
  subject_id: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
  relayed_at: Date | null;
}

export const listEvents = async (
  sql: Sql,
  tenantId: string,
  opts: { afterSeq?: number; limit: number; types?: string[] },
): Promise<EventRow[]> =>
  (
    await sql.query<EventRow>(
      `SELECT * FROM events WHERE tenant_id = $1 AND seq > $2 AND ($4::text[] IS NULL OR type = ANY($4))
       ORDER BY seq LIMIT $3`,
      [tenantId, opts.afterSeq ?? 0, opts.limit, opts.types ?? null],
    )
  ).rows;

/** The relay's view of an unrelayed event. */
export interface UnrelayedEvent {
  seq: number;
  tenant_id: string;
  id: string;
  type: string;
  occurred_at: Date;
}

/**
 * Locks the oldest unrelayed events, in seq order, for the caller's transaction. SKIP LOCKED lets
 * several relays run at once on a server, each taking a disjoint batch.
 */
export const claimUnrelayedEvents = async (sql: Sql, limit: number): Promise<UnrelayedEvent[]> =>
  (
    await sql.query<UnrelayedEvent>(
      `SELECT seq, tenant_id, id, type, occurred_at FROM events WHERE relayed_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    )
  ).rows;

export const markEventsRelayed = async (sql: Sql, seqs: readonly number[], at: Date): Promise<void> => {
  if (seqs.length === 0) return;
  await sql.query(`UPDATE events SET relayed_at = $2 WHERE seq = ANY($1::bigint[])`, [seqs, at]);
};
