import type { Sql } from '../../db/db.ts';
import type { SandboxListQuery, SandboxMessage, SandboxStore } from '../../channels/index.ts';

/**
 * The sandbox channel's store as a table (the web inbox reads it). Saves made in the same tick
 * are written with one INSERT (the dispatcher hands a whole batch to the adapter at once), and the
 * unique index on tenant + idempotency key makes a repeated send return the first message, as
 * the adapter contract requires.
 */
interface Row {
  tenant_id: string;
  id: string;
  direction: 'outbound' | 'inbound';
  channel: SandboxMessage['channel'];
  idempotency_key: string | null;
  to_address: string;
  from_address: string;
  subject: string | null;
  body: string;
  html: string | null;
  template: string | null;
  status: SandboxMessage['status'];
  error: SandboxMessage['error'] | null;
  created_at: Date;
}

const toMessage = (r: Row): SandboxMessage => ({
  id: r.id, tenantId: r.tenant_id, direction: r.direction, channel: r.channel, to: r.to_address, from: r.from_address, text: r.body,
  status: r.status, createdAt: new Date(r.created_at),
  ...(r.idempotency_key !== null ? { idempotencyKey: r.idempotency_key } : {}),
  ...(r.subject !== null ? { subject: r.subject } : {}),
  ...(r.html !== null ? { html: r.html } : {}),
  ...(r.template !== null ? { template: r.template } : {}),
  ...(r.error ? { error: r.error } : {}),
});

export const createDbSandboxStore = (sql: Sql): SandboxStore => {
  let pending: { message: SandboxMessage; resolve: (m: SandboxMessage) => void; reject: (e: unknown) => void }[] = [];
  let scheduled = false;

  const flush = async (): Promise<void> => {
    const batch = pending;
    pending = [];
    scheduled = false;
    try {
      const m = batch.map((b) => b.message);
      const col = <T>(f: (x: SandboxMessage) => T) => m.map(f);
      // RETURNING gives back what this insert stored; only keys that were already there (a
      // repeated send) need a second read to return the first message.
      const inserted = (await sql.query<Row>(
        `INSERT INTO sandbox_messages (tenant_id, id, direction, channel, idempotency_key, to_address, from_address, subject, body, html, template, status, error, created_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::jsonb[], $14::timestamptz[])
         ON CONFLICT DO NOTHING
         RETURNING *`,
        [col((x) => x.tenantId), col((x) => x.id), col((x) => x.direction), col((x) => x.channel), col((x) => x.idempotencyKey ?? null), col((x) => x.to),
          col((x) => x.from), col((x) => x.subject ?? null), col((x) => x.text), col((x) => x.html ?? null), col((x) => x.template ?? null), col((x) => x.status),
          col((x) => (x.error ? JSON.stringify(x.error) : null)), col((x) => x.createdAt.toISOString())],
      )).rows;
      // Read back what is stored under each key that this insert did not store: the first save of a key wins.
      const mine = new Set(inserted.filter((r) => r.idempotency_key !== null).map((r) => `${r.tenant_id}\u0000${r.idempotency_key}`));
      const keyed = m.filter((x) => x.idempotencyKey !== undefined && !mine.has(`${x.tenantId}\u0000${x.idempotencyKey}`));
      const stored = inserted.concat(keyed.length === 0 ? [] : (await sql.query<Row>(
        `SELECT s.* FROM sandbox_messages s JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, key) ON s.tenant_id = k.tenant_id AND s.idempotency_key = k.key`,
        [keyed.map((x) => x.tenantId), keyed.map((x) => x.idempotencyKey)],
      )).rows);
      const byKey = new Map(stored.map((r) => [`${r.tenant_id}\u0000${r.idempotency_key}`, toMessage(r)]));
      for (const b of batch) {
        const k = b.message.idempotencyKey === undefined ? undefined : `${b.message.tenantId}\u0000${b.message.idempotencyKey}`;
        b.resolve((k !== undefined ? byKey.get(k) : undefined) ?? b.message);
      }
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
  };

  return {
    save: (message) =>
      new Promise<SandboxMessage>((resolve, reject) => {
        pending.push({ message, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(() => void flush());
        }
      }),
    list: async (q: SandboxListQuery) => {
      const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
      const r = await sql.query<Row>(
        `SELECT * FROM sandbox_messages WHERE tenant_id = $1 AND ($2::text IS NULL OR to_address = $2 OR from_address = $2)
           AND ($3::text IS NULL OR direction = $3) AND ($4::timestamptz IS NULL OR created_at > $4)
         ORDER BY seq LIMIT $5`,
        [q.tenantId, q.address ?? null, q.direction ?? null, q.since ? q.since.toISOString() : null, limit],
      );
      return r.rows.map(toMessage);
    },
  };
};

export interface ConversationRow {
  address: string;
  channel: string;
  messages: number;
  last_at: Date;
  last_body: string;
  debtor_id: string | null;
  debtor_name: string | null;
}

/** The inbox: one conversation per debtor address, most recent first. */
export const listConversations = async (sql: Sql, tenantId: string, limit: number): Promise<ConversationRow[]> =>
  (
    await sql.query<ConversationRow>(
      `WITH m AS (
         SELECT CASE WHEN direction = 'outbound' THEN to_address ELSE from_address END AS address, channel, body, created_at, seq
         FROM sandbox_messages WHERE tenant_id = $1),
       c AS (
         SELECT address, (array_agg(channel ORDER BY seq DESC))[1] AS channel, count(*)::int AS messages, max(created_at) AS last_at,
                (array_agg(body ORDER BY seq DESC))[1] AS last_body, max(seq) AS last_seq
         FROM m GROUP BY address)
       SELECT c.address, c.channel, c.messages, c.last_at, c.last_body, cp.debtor_id,
              NULLIF(concat_ws(' ', d.given_name, d.family_name, d.company_name), '') AS debtor_name
       FROM c
       LEFT JOIN LATERAL (SELECT debtor_id FROM contact_points WHERE tenant_id = $1 AND lower(value) = lower(c.address) ORDER BY created_at LIMIT 1) cp ON true
       LEFT JOIN debtors d ON d.tenant_id = $1 AND d.id = cp.debtor_id
       ORDER BY c.last_seq DESC LIMIT $2`,
      [tenantId, limit],
    )
  ).rows;
