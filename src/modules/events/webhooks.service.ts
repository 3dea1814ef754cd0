import { randomBytes as nodeRandomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { Database, Sql } from '../../db/db.ts';
import type { Clock } from '../../lib/clock.ts';
import type { IdFactory } from '../../lib/ids.ts';
import { invalid, notFound, conflict } from '../../lib/errors.ts';
import { claimUnrelayedEvents, listEvents as listEventRows, markEventsRelayed, type EventRow } from './outbox.repo.ts';
import * as repo from './webhooks.repo.ts';
import { buildEnvelope, decideAfterAttempt, describeAttempt, planDeliveries, secretFromBytes, signRequest } from './webhooks.domain.ts';
import { postWebhook, type FetchLike } from './webhooks.sender.ts';
import * as s from './events.types.ts';

/** A delivery attempt to schedule as a job: `at` is when it becomes due. */
export interface DeliveryJob {
  tenantId: string;
  deliveryId: string;
  at: Date;
}

export interface WebhooksDeps {
  db: Database;
  clock: Clock;
  newId: IdFactory;
  fetch: FetchLike;
  /**
   * Seals signing secrets at rest (lib/secretbox.ts); without it they are stored as given. A stored
   * value not in the sealed form (an endpoint made before sealing) is used as it is.
   */
  secrets?: { seal(plaintext: string): string; open(sealed: string): string };
  /**
   * Enqueues delivery attempts in the caller's transaction (the worker wires this to the job
   * queue). Without it, deliveries wait for `deliverDue()` to sweep them.
   */
  scheduleDeliveries?: (tx: Sql, jobs: readonly DeliveryJob[]) => Promise<void>;
  /**
   * Internal subscribers: called with the events each relay transaction moves, in that
   * transaction (the worker enqueues the journeys' cancellation job here, so it exists if and
   * only if the relay committed).
   */
  onRelayed?: (tx: Sql, events: readonly { tenantId: string; id: string; type: string }[]) => Promise<void>;
  /** Per-attempt HTTP timeout; a timeout counts as a failed attempt (default 10 s). */
  timeoutMs?: number;
  /** Events claimed per relay transaction (default 500). */
  relayBatchSize?: number;
  /** Parallel POSTs within one `deliverDue` / `deliver` call (default 8). */
  concurrency?: number;
  randomBytes?: (n: number) => Uint8Array;
}

export interface DeliveryCounts {
  attempted: number;
  delivered: number;
  /** Failed this time, scheduled again. */
  retrying: number;
  /** Out of attempts, or the endpoint answered 410 Gone. */
  failed: number;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

const toEndpoint = (r: repo.EndpointRow): s.WebhookEndpoint => ({
  id: r.id, url: r.url, eventTypes: r.event_types, active: r.active, description: r.description, createdAt: r.created_at.toISOString(),
});

const toDelivery = (r: repo.DeliveryRow): s.WebhookDelivery => ({
  id: r.id, endpointId: r.endpoint_id, eventId: r.event_id, eventType: r.event_type, status: r.status, attempts: r.attempts,
  lastStatusCode: r.last_status_code, lastError: r.last_error, nextAttemptAt: r.status === 'pending' ? r.next_attempt_at.toISOString() : null,
  deliveredAt: iso(r.delivered_at), createdAt: r.created_at.toISOString(),
});

const toEvent = (r: EventRow): s.Event => ({
  seq: r.seq, id: r.id, type: r.type, subjectType: r.subject_type, subjectId: r.subject_id, payload: r.payload, occurredAt: new Date(r.occurred_at).toISOString(),
});

/** Parses service input with the API schema, so the CLI gets the same field errors as the API. */
const parse = <T extends z.ZodType>(schema: T, input: unknown, code: string): z.output<T> => {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const details = r.error.issues.map((i) => ({ field: i.path.join('.') || 'input', message: i.message }));
  throw invalid(code, `invalid input: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
};

/** Runs `fn` over `items` with at most `limit` in flight. */
const mapLimited = async <T, U>(items: readonly T[], limit: number, fn: (t: T) => Promise<U>): Promise<U[]> => {
  const out: U[] = new Array(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
};

/**
 * Webhook endpoints, the outbox relay and delivery attempts. Delivery is at least once: a
 * receiver deduplicates on `webhook-id` (the event id), identical on every retry.
 */
export const createWebhooksService = (deps: WebhooksDeps) => {
  const { db, clock, newId } = deps;
  const timeoutMs = deps.timeoutMs ?? 10_000;
  // The lease outlives the HTTP timeout by a margin, so a slow attempt is never taken twice.
  const leaseMs = timeoutMs + 50_000;
  const relayBatchSize = deps.relayBatchSize ?? 500;
  const concurrency = deps.concurrency ?? 8;
  const random = deps.randomBytes ?? ((n: number) => nodeRandomBytes(n));

  const attempt = async (d: repo.ClaimedDelivery): Promise<keyof Omit<DeliveryCounts, 'attempted'> | 'stale'> => {
    const secret = deps.secrets && d.secret.startsWith('v1.') ? deps.secrets.open(d.secret) : d.secret;
    const signed = signRequest(secret, d.event_id, clock.now(), buildEnvelope({ id: d.event_id, type: d.type, occurredAt: new Date(d.occurred_at), payload: d.payload }));
    const result = await postWebhook(deps.fetch, d.url, signed, timeoutMs);
    const now = clock.now();
    const outcome = decideAfterAttempt(result, d.attempts, now, d.id);
    const statusCode = result.kind === 'response' ? result.status : null;
    const error = describeAttempt(result);
    return db.transaction(async (tx) => {
      const base = { tenantId: d.tenant_id, id: d.id, attempt: d.attempts, statusCode, error, at: now };
      switch (outcome.status) {
        case 'delivered':
          return (await repo.recordAttempt(tx, { ...base, status: 'delivered', nextAttemptAt: null })) ? 'delivered' : 'stale';
        case 'failed':
          return (await repo.recordAttempt(tx, { ...base, status: 'failed', nextAttemptAt: null })) ? 'failed' : 'stale';
        case 'endpoint_gone': {
          if (!(await repo.recordAttempt(tx, { ...base, status: 'failed', nextAttemptAt: null }))) return 'stale';
          await repo.disableEndpoint(tx, d.tenant_id, d.endpoint_id, 'endpoint disabled: it answered 410 Gone');
          return 'failed';
        }
        case 'retry': {
          if (!(await repo.recordAttempt(tx, { ...base, status: 'pending', nextAttemptAt: outcome.nextAttemptAt }))) return 'stale';
          await deps.scheduleDeliveries?.(tx, [{ tenantId: d.tenant_id, deliveryId: d.id, at: outcome.nextAttemptAt }]);
          return 'retrying';
        }
      }
    });
  };

  const run = async (claimed: repo.ClaimedDelivery[]): Promise<DeliveryCounts> => {
    const counts: DeliveryCounts = { attempted: claimed.length, delivered: 0, retrying: 0, failed: 0 };
    for (const r of await mapLimited(claimed, concurrency, attempt)) if (r !== 'stale') counts[r]++;
    return counts;
  };

  const claim = (limit: number, only?: readonly { tenantId: string; id: string }[], graceMs = 0) => {
    const now = clock.now();
    return db.transaction((tx) =>
      repo.claimDueDeliveries(tx, { now: new Date(now.getTime() + graceMs), leaseUntil: new Date(now.getTime() + leaseMs), limit, only }),
    );
  };

  const requireEndpoint = async (tenantId: string, id: string): Promise<repo.EndpointRow> => {
    const row = await repo.findEndpoint(db, tenantId, id);
    if (!row) throw notFound('webhook_endpoint', id);
    return row;
  };

  /**
   * Moves one batch of events out of the outbox: one delivery per matching active endpoint,
   * events marked relayed, delivery jobs enqueued, all in one transaction.
   */
  const relayOnce = async (): Promise<{ events: number; deliveries: number }> =>
    db.transaction(async (tx) => {
      const events = await claimUnrelayedEvents(tx, relayBatchSize);
      if (events.length === 0) return { events: 0, deliveries: 0 };
      const endpoints = await repo.activeEndpointsOf(tx, [...new Set(events.map((e) => e.tenant_id))]);
      const plan = planDeliveries(
        events.map((e) => ({ tenantId: e.tenant_id, id: e.id, type: e.type, occurredAt: e.occurred_at })),
        endpoints.map((w) => ({ tenantId: w.tenant_id, id: w.id, eventTypes: w.event_types, createdAt: w.created_at })),
      );
      const now = clock.now();
      const inserted = await repo.insertDeliveries(tx, plan.map((p) => ({ ...p, id: newId('whd') })), now);
      await markEventsRelayed(tx, events.map((e) => e.seq), now);
      await deps.onRelayed?.(tx, events.map((e) => ({ tenantId: e.tenant_id, id: e.id, type: e.type })));
      if (inserted.length > 0) await deps.scheduleDeliveries?.(tx, inserted.map((r) => ({ tenantId: r.tenant_id, deliveryId: r.id, at: now })));
      return { events: events.length, deliveries: inserted.length };
    });

  return {
    /** Registers an endpoint and returns its signing secret; the secret is never shown again. */
    async createEndpoint(tenantId: string, input: s.WebhookEndpointCreate): Promise<s.WebhookEndpointCreated> {
      const v = parse(s.WebhookEndpointCreate, input, 'WEBHOOK.INVALID_ENDPOINT');
      const secret = secretFromBytes(random(32));
      const row = await repo.insertEndpoint(db, {
        tenant_id: tenantId, id: newId('whe'), url: v.url, secret: deps.secrets ? deps.secrets.seal(secret) : secret, event_types: [...new Set(v.eventTypes)], description: v.description ?? null, created_at: clock.now(),
      });
      return { ...toEndpoint(row), secret };
    },

    async listEndpoints(tenantId: string): Promise<{ data: s.WebhookEndpoint[] }> {
      return { data: (await repo.listEndpoints(db, tenantId)).map(toEndpoint) };
    },

    async getEndpoint(tenantId: string, id: string): Promise<s.WebhookEndpoint> {
      return toEndpoint(await requireEndpoint(tenantId, id));
    },

    async updateEndpoint(tenantId: string, id: string, input: s.WebhookEndpointUpdate): Promise<s.WebhookEndpoint> {
      const v = parse(s.WebhookEndpointUpdate, input, 'WEBHOOK.INVALID_ENDPOINT');
      const row = await repo.updateEndpoint(db, tenantId, id, { ...v, eventTypes: v.eventTypes ? [...new Set(v.eventTypes)] : undefined });
      if (!row) throw notFound('webhook_endpoint', id);
      return toEndpoint(row);
    },

    /** Removes the endpoint and its delivery history. */
    async deleteEndpoint(tenantId: string, id: string): Promise<void> {
      if (!(await repo.deleteEndpoint(db, tenantId, id))) throw notFound('webhook_endpoint', id);
    },

    async listDeliveries(tenantId: string, query: s.DeliveryListQuery = {}): Promise<{ data: s.WebhookDelivery[]; nextCursor: string | null }> {
      const q = parse(s.DeliveryListQuery, query, 'WEBHOOK.INVALID_QUERY');
      const rows = await repo.listDeliveries(db, tenantId, q);
      return { data: rows.map(toDelivery), nextCursor: rows.length === q.limit ? rows[rows.length - 1]!.id : null };
    },

    async getDelivery(tenantId: string, id: string): Promise<s.WebhookDelivery> {
      const row = await repo.findDelivery(db, tenantId, id);
      if (!row) throw notFound('webhook_delivery', id);
      return toDelivery(row);
    },

    /** Sends a delivery again (whatever its state) with a fresh attempt budget, due now. */
    async redeliver(tenantId: string, deliveryId: string): Promise<s.WebhookDelivery> {
      const current = await repo.findDelivery(db, tenantId, deliveryId);
      if (!current) throw notFound('webhook_delivery', deliveryId);
      const endpoint = await requireEndpoint(tenantId, current.endpoint_id);
      if (!endpoint.active) {
        throw conflict('WEBHOOK.ENDPOINT_DISABLED', `endpoint ${endpoint.id} is disabled; enable it (active: true) before redelivering`, [
          { field: 'endpointId', value: endpoint.id, message: 'disabled' },
        ]);
      }
      const now = clock.now();
      await db.transaction(async (tx) => {
        await repo.resetDelivery(tx, tenantId, deliveryId, now);
        await deps.scheduleDeliveries?.(tx, [{ tenantId, deliveryId, at: now }]);
      });
      return toDelivery((await repo.findDelivery(db, tenantId, deliveryId))!);
    },

    relayOnce,

    /** Relays until the outbox is empty or `maxBatches` ran (so one call never hogs PGlite's connection). */
    async relayAll(maxBatches = 20): Promise<{ events: number; deliveries: number }> {
      const total = { events: 0, deliveries: 0 };
      for (let i = 0; i < maxBatches; i++) {
        const r = await relayOnce();
        total.events += r.events;
        total.deliveries += r.deliveries;
        if (r.events < relayBatchSize) break;
      }
      return total;
    },

    /** Attempts every due delivery (up to `limit`): the sweeper, and the way without a queue. */
    async deliverDue(opts: { limit?: number } = {}): Promise<DeliveryCounts> {
      return run(await claim(opts.limit ?? 100));
    },

    /**
     * Attempts the given deliveries if they are due (a delivery job); others are left alone. A
     * job's start time is judged by the database clock, ours may lag it a little: a few seconds
     * of grace keep such a job from finding its delivery "not yet due" and leaving it to the sweeper.
     */
    async deliver(refs: readonly { tenantId: string; deliveryId: string }[]): Promise<DeliveryCounts> {
      if (refs.length === 0) return { attempted: 0, delivered: 0, retrying: 0, failed: 0 };
      return run(await claim(refs.length, refs.map((r) => ({ tenantId: r.tenantId, id: r.deliveryId })), 5_000));
    },

    /** The tenant's event feed in `seq` order (polling alternative to webhooks). */
    async listEvents(tenantId: string, query: s.EventListQuery = {}): Promise<{ data: s.Event[]; nextAfterSeq: number | null }> {
      const q = parse(s.EventListQuery, query, 'EVENT.INVALID_QUERY');
      const rows = await listEventRows(db, tenantId, { afterSeq: q.afterSeq, limit: q.limit, ...(q.types ? { types: q.types } : {}) });
      return { data: rows.map(toEvent), nextAfterSeq: rows.length === q.limit ? rows[rows.length - 1]!.seq : null };
    },
  };
};

export type WebhooksService = ReturnType<typeof createWebhooksService>;
