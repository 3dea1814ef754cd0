export { appendEvents, listEvents, EVENT_TYPES, type EventType, type NewEvent, type EventRow } from './outbox.repo.ts';
export { createWebhooksService, type WebhooksService, type WebhooksDeps, type DeliveryCounts, type DeliveryJob } from './webhooks.service.ts';
export { registerEventJobs, EVENT_JOBS, type EventJobsOptions } from './events.jobs.ts';
export type { FetchLike } from './webhooks.sender.ts';
export { MAX_ATTEMPTS, RETRY_DELAYS_SECONDS, retrySchedule, buildEnvelope, type Envelope } from './webhooks.domain.ts';
export {
  WebhookEndpointCreate,
  WebhookEndpointUpdate,
  WebhookEndpoint,
  WebhookEndpointCreated,
  WebhookEndpointList,
  WebhookDelivery,
  WebhookDeliveryList,
  DeliveryListQuery,
  Event as OutboxEvent,
  EventList,
  EventListQuery,
  EventType as EventTypeSchema,
} from './events.types.ts';
export * as eventsSchemas from './events.types.ts';
export { eventsRoutes } from './events.routes.ts';
