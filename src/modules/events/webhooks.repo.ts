import type { Sql } from '../../db/db.ts';

export interface EndpointRow {
  tenant_id: string;
  id: string;
  url: string;
  secret: string;
  event_types: string[];
  active: boolean;
  description: string | null;
  created_at: Date;
}

export interface DeliveryRow {
  tenant_id: string;
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Date;
  delivered_at: Date | null;
  created_at: Date;
}

/** A claimed delivery with what its attempt needs: where to send, the secret, and the event. */
export interface ClaimedDelivery {
  tenant_id: string;
  id: string;
  endpoint_id: string;
  event_id: string;
  attempts: number;
  url: string;
  secret: string;
  type: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
}

export const insertEndpoint = async (sql: Sql, r: Omit<EndpointRow, 'active'>): Promise<EndpointRow> =>
  (
    await sql.query<EndpointRow>(
      `INSERT INTO webhook_endpoints (tenant_id, id, url, secret, event_types, description, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [r.tenant_id, r.id, r.url, r.secret, r.event_types, r.description, r.created_at],
    )
  ).rows[0]!;

export const listEndpoints = async (sql: Sql, tenantId: string): Promise<EndpointRow[]> =>
  (await sql.query<EndpointRow>(`SELECT * FROM webhook_endpoints WHERE tenant_id = $1 ORDER BY id`, [tenantId])).rows;

export const findEndpoint = async (sql: Sql, tenantId: string, id: string): Promise<EndpointRow | null> =>
  (await sql.query<EndpointRow>(`SELECT * FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2`, [tenantId, id])).rows[0] ?? null;

export const updateEndpoint = async (
  sql: Sql,
  tenantId: string,
  id: string,
  p: { url?: string | undefined; eventTypes?: string[] | undefined; description?: string | null | undefined; active?: boolean | undefined },
): Promise<EndpointRow | null> =>
  (
    await sql.query<EndpointRow>(
      `UPDATE webhook_endpoints SET
         url = COALESCE($3, url),
         event_types = COALESCE($4, event_types),
         description = CASE WHEN $5 THEN $6 ELSE description END,
         active = COALESCE($7, active)
       WHERE tenant_id = $1 AND id = $2 RETURNING *`,
      [tenantId, id, p.url ?? null, p.eventTypes ?? null, p.description !== undefined, p.description ?? null, p.active ?? null],
    )
  ).rows[0] ?? null;

/** Deleting an endpoint deletes its deliveries too (ON DELETE CASCADE). */
export const deleteEndpoint = async (sql: Sql, tenantId: string, id: string): Promise<boolean> =>
  (await sql.query(`DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2`, [tenantId, id])).rowCount > 0;

/** The receiver answered 410 Gone: stop sending to it, and give up what is still pending. */
export const disableEndpoint = async (sql: Sql, tenantId: string, id: string, reason: string): Promise<void> => {
  await sql.query(`UPDATE webhook_endpoints SET active = false WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
  await sql.query(
    `UPDATE webhook_deliveries SET status = 'failed', last_error = COALESCE(last_error, $3)
     WHERE tenant_id = $1 AND endpoint_id = $2 AND status = 'pending'`,
    [tenantId, id, reason],
  );
};

export const activeEndpointsOf = async (
  sql: Sql,
  tenantIds: readonly string[],
): Promise<{ tenant_id: string; id: string; event_types: string[]; created_at: Date }[]> =>
  (
    await sql.query<{ tenant_id: string; id: string; event_types: string[]; created_at: Date }>(
      `SELECT tenant_id, id, event_types, created_at FROM webhook_endpoints WHERE tenant_id = ANY($1::text[]) AND active`,
      [tenantIds],
    )
  ).rows;

/**
 * Creates deliveries; a pair (endpoint, event) that already has one is skipped (the unique key),
 * so a relay that runs twice over the same events still creates one delivery each.
 */
export const insertDeliveries = async (
  sql: Sql,
  rows: readonly { tenantId: string; id: string; endpointId: string; eventId: string }[],
  at: Date,
): Promise<{ tenant_id: string; id: string }[]> => {
  if (rows.length === 0) return [];
  return (
    await sql.query<{ tenant_id: string; id: string }>(
      `INSERT INTO webhook_deliveries (tenant_id, id, endpoint_id, event_id, next_attempt_at, created_at)
       SELECT t, i, w, e, $5, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS r(t, i, w, e)
       ON CONFLICT (endpoint_id, event_id) DO NOTHING
       RETURNING tenant_id, id`,
      [rows.map((r) => r.tenantId), rows.map((r) => r.id), rows.map((r) => r.endpointId), rows.map((r) => r.eventId), at],
    )
  ).rows;
};

/**
 * Claims due deliveries of active endpoints: each claimed row gets its attempt counted and its
 * next_attempt_at pushed to `leaseUntil`, so no other worker takes it while the HTTP call runs
 * (outside any transaction); if this worker dies, the lease runs out and the row is due again.
 * `only` restricts the claim to given deliveries (a delivery job).
 */
export const claimDueDeliveries = async (
  sql: Sql,
  o: { now: Date; leaseUntil: Date; limit: number; only?: readonly { tenantId: string; id: string }[] | undefined },
): Promise<ClaimedDelivery[]> =>
  (
    await sql.query<ClaimedDelivery>(
      `WITH due AS (
         SELECT d.tenant_id, d.id FROM webhook_deliveries d
         JOIN webhook_endpoints w ON w.tenant_id = d.tenant_id AND w.id = d.endpoint_id AND w.active
         WHERE d.status = 'pending' AND d.next_attempt_at <= $1
           AND ($4::text[] IS NULL OR (d.tenant_id, d.id) IN (SELECT * FROM unnest($4::text[], $5::text[])))
         ORDER BY d.next_attempt_at
         LIMIT $3
         FOR UPDATE OF d SKIP LOCKED
       ), claimed AS (
         UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = $2
         FROM due WHERE d.tenant_id = due.tenant_id AND d.id = due.id
         RETURNING d.tenant_id, d.id, d.endpoint_id, d.event_id, d.attempts
       )
       SELECT c.*, w.url, w.secret, e.type, e.payload, e.occurred_at
       FROM claimed c
       JOIN webhook_endpoints w ON w.tenant_id = c.tenant_id AND w.id = c.endpoint_id
       JOIN events e ON e.id = c.event_id AND e.tenant_id = c.tenant_id`,
      [o.now, o.leaseUntil, o.limit, o.only ? o.only.map((r) => r.tenantId) : null, o.only ? o.only.map((r) => r.id) : null],
    )
  ).rows;

/**
 * Records an attempt's outcome. Guarded by the attempt number the worker claimed: if its lease ran
 * out and another worker has since claimed the row, this stale result is dropped.
 */
export const recordAttempt = async (
  sql: Sql,
  r: {
    tenantId: string;
    id: string;
    attempt: number;
    status: 'pending' | 'delivered' | 'failed';
    statusCode: number | null;
    error: string | null;
    nextAttemptAt: Date | null;
    at: Date;
  },
): Promise<boolean> =>
  (
    await sql.query(
      `UPDATE webhook_deliveries SET
         status = $4, last_status_code = $5, last_error = $6,
         next_attempt_at = COALESCE($7, next_attempt_at),
         delivered_at = CASE WHEN $4 = 'delivered' THEN $8 ELSE delivered_at END
       WHERE tenant_id = $1 AND id = $2 AND attempts = $3 AND status = 'pending'`,
      [r.tenantId, r.id, r.attempt, r.status, r.statusCode, r.error, r.nextAttemptAt, r.at],
    )
  ).rowCount > 0;

const deliveryColumns = `d.tenant_id, d.id, d.endpoint_id, d.event_id, e.type AS event_type, d.status, d.attempts,
  d.last_status_code, d.last_error, d.next_attempt_at, d.delivered_at, d.created_at`;

export const listDeliveries = async (
  sql: Sql,
  tenantId: string,
  f: { endpointId?: string | undefined; eventId?: string | undefined; status?: string | undefined; cursor?: string | undefined; limit: number },
): Promise<DeliveryRow[]> =>
  (
    await sql.query<DeliveryRow>(
      `SELECT ${deliveryColumns}
       FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
       WHERE d.tenant_id = $1 AND ($2::text IS NULL OR d.id < $2)
         AND ($4::text IS NULL OR d.endpoint_id = $4) AND ($5::text IS NULL OR d.event_id = $5) AND ($6::text IS NULL OR d.status = $6)
       ORDER BY d.id DESC LIMIT $3`,
      [tenantId, f.cursor ?? null, f.limit, f.endpointId ?? null, f.eventId ?? null, f.status ?? null],
    )
  ).rows;

export const findDelivery = async (sql: Sql, tenantId: string, id: string): Promise<DeliveryRow | null> =>
  (
    await sql.query<DeliveryRow>(
      `SELECT ${deliveryColumns} FROM webhook_deliveries d JOIN events e ON e.id = d.event_id WHERE d.tenant_id = $1 AND d.id = $2`,
      [tenantId, id],
    )
  ).rows[0] ?? null;

/** Manual redelivery starts a fresh attempt budget, due now. */
export const resetDelivery = async (sql: Sql, tenantId: string, id: string, now: Date): Promise<boolean> =>
  (
    await sql.query(
      `UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $3, delivered_at = NULL
       WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id, now],
    )
  ).rowCount > 0;
