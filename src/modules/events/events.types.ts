import { z } from 'zod';
import { EVENT_TYPES } from './outbox.repo.ts';

/**
 * API shapes for events and webhook endpoints. Response schemas name every field they return;
 * an endpoint's secret appears only in the response to its creation.
 */
export const EventType = z.enum(EVENT_TYPES);

const families = [...new Set(EVENT_TYPES.map((t) => t.split('.')[0]!))];

/** `*`, an event type, or a family such as `account.*`. */
export const EventTypeFilter = z.string().refine(
  (f) => f === '*' || (EVENT_TYPES as readonly string[]).includes(f) || (f.endsWith('.*') && families.includes(f.slice(0, -2))),
  { message: `expected "*", an event type (${EVENT_TYPES.join(', ')}) or a family (${families.map((f) => `${f}.*`).join(', ')})` },
);

const WebhookUrl = z
  .string()
  .url('expected an absolute URL')
  .refine((u) => /^https?:$/.test(new URL(u).protocol), 'expected an http or https URL')
  .refine((u) => !new URL(u).username && !new URL(u).password, 'credentials in the URL are not allowed; verify the signature instead')
  .refine((u) => u.length <= 2000, 'URL longer than 2000 characters');

export const WebhookEndpointCreate = z.object({
  url: WebhookUrl,
  eventTypes: z.array(EventTypeFilter).min(1).max(50).default(['*']),
  description: z.string().max(500).optional(),
});

export const WebhookEndpointUpdate = z
  .object({
    url: WebhookUrl,
    eventTypes: z.array(EventTypeFilter).min(1).max(50),
    description: z.string().max(500).nullable(),
    /** Re-enables an endpoint that answered 410 Gone, or pauses one. */
    active: z.boolean(),
  })
  .partial();

export const WebhookEndpoint = z.object({
  id: z.string(),
  url: z.string(),
  eventTypes: z.array(z.string()),
  active: z.boolean(),
  description: z.string().nullable(),
  createdAt: z.string(),
});

/** The creation response: the only time the signing secret is shown. */
export const WebhookEndpointCreated = WebhookEndpoint.extend({
  secret: z.string().describe('whsec_… signing secret; store it now, it is not shown again'),
});

export const WebhookEndpointList = z.object({ data: z.array(WebhookEndpoint) });

export const DeliveryStatus = z.enum(['pending', 'delivered', 'failed']);

export const WebhookDelivery = z.object({
  id: z.string(),
  endpointId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  status: DeliveryStatus,
  attempts: z.number().int(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  /** When the next attempt is due; null once delivered or failed. */
  nextAttemptAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  createdAt: z.string(),
});

export const DeliveryListQuery = z.object({
  endpointId: z.string().optional(),
  eventId: z.string().optional(),
  status: DeliveryStatus.optional(),
  /** Newest first; pass the previous page's `nextCursor`. */
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const WebhookDeliveryList = z.object({ data: z.array(WebhookDelivery), nextCursor: z.string().nullable() });

export const Event = z.object({
  seq: z.number().int(),
  id: z.string(),
  type: z.string(),
  subjectType: z.string(),
  subjectId: z.string(),
  payload: z.record(z.string(), z.unknown()),
  occurredAt: z.string(),
});

export const EventListQuery = z.object({
  /** Events after this sequence number (exclusive); the feed is ordered by `seq`. */
  afterSeq: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  types: z
    .union([z.array(EventType), z.string().transform((s) => s.split(',').map((t) => t.trim()).filter(Boolean))])
    .pipe(z.array(EventType))
    .optional(),
});

export const EventList = z.object({ data: z.array(Event), nextAfterSeq: z.number().int().nullable() });

export type WebhookEndpointCreate = z.input<typeof WebhookEndpointCreate>;
export type WebhookEndpointUpdate = z.infer<typeof WebhookEndpointUpdate>;
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>;
export type WebhookEndpointCreated = z.infer<typeof WebhookEndpointCreated>;
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;
export type DeliveryListQuery = z.input<typeof DeliveryListQuery>;
export type Event = z.infer<typeof Event>;
export type EventListQuery = z.input<typeof EventListQuery>;
