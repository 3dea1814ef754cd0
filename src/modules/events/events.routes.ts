import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../../http/errors.ts';
import type { WebhooksService } from './webhooks.service.ts';
import * as s from './events.types.ts';

const IdParam = z.object({ id: z.string().min(1) });

/** Webhook endpoints, their deliveries, and the event feed (the outbox, read by sequence). */
export const eventsRoutes =
  (webhooks: WebhooksService): FastifyPluginAsyncZod =>
  async (app) => {
    app.post('/webhooks', {
      schema: { tags: ['webhooks'], summary: 'Register a webhook endpoint (the signing secret is returned once)', body: s.WebhookEndpointCreate, response: { 201: s.WebhookEndpointCreated, ...errorResponses } },
      handler: async (req, reply) => reply.status(201).send(await webhooks.createEndpoint(req.tenantId, req.body)),
    });
    app.get('/webhooks', {
      schema: { tags: ['webhooks'], summary: 'List webhook endpoints', response: { 200: s.WebhookEndpointList, ...errorResponses } },
      handler: async (req) => webhooks.listEndpoints(req.tenantId),
    });
    app.get('/webhooks/:id', {
      schema: { tags: ['webhooks'], summary: 'Read a webhook endpoint', params: IdParam, response: { 200: s.WebhookEndpoint, ...errorResponses } },
      handler: async (req) => webhooks.getEndpoint(req.tenantId, req.params.id),
    });
    app.patch('/webhooks/:id', {
      schema: { tags: ['webhooks'], summary: 'Update or re-enable a webhook endpoint', params: IdParam, body: s.WebhookEndpointUpdate, response: { 200: s.WebhookEndpoint, ...errorResponses } },
      handler: async (req) => webhooks.updateEndpoint(req.tenantId, req.params.id, req.body),
    });
    app.delete('/webhooks/:id', {
      schema: { tags: ['webhooks'], summary: 'Delete a webhook endpoint and its pending deliveries', params: IdParam, response: { 204: z.null(), ...errorResponses } },
      handler: async (req, reply) => {
        await webhooks.deleteEndpoint(req.tenantId, req.params.id);
        return reply.status(204).send(null);
      },
    });
    app.get('/webhook-deliveries', {
      schema: { tags: ['webhooks'], summary: 'List deliveries (status, attempts, last response)', querystring: s.DeliveryListQuery, response: { 200: s.WebhookDeliveryList, ...errorResponses } },
      handler: async (req) => webhooks.listDeliveries(req.tenantId, req.query),
    });
    app.post('/webhook-deliveries/:id/redeliver', {
      schema: { tags: ['webhooks'], summary: 'Queue a delivery again now', params: IdParam, response: { 200: s.WebhookDelivery, ...errorResponses } },
      handler: async (req) => webhooks.redeliver(req.tenantId, req.params.id),
    });
    app.get('/events', {
      schema: { tags: ['events'], summary: 'The event feed in order (poll with afterSeq)', querystring: s.EventListQuery, response: { 200: s.EventList, ...errorResponses } },
      handler: async (req) => webhooks.listEvents(req.tenantId, req.query),
    });
  };
