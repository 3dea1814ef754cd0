import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../../http/errors.ts';
import type { LedgerService } from './ledger.service.ts';
import * as s from './ledger.types.ts';

const IdParam = z.object({ id: z.string().min(1) });

export const ledgerRoutes =
  (ledger: LedgerService): FastifyPluginAsyncZod =>
  async (app) => {
    app.post('/accounts/:id/payments', {
      schema: {
        tags: ['transactions'],
        summary: 'Record a payment (idempotent by externalId: a replay answers 200 with the first result)',
        params: IdParam,
        body: s.PaymentCreate,
        response: { 200: s.Transaction, 201: s.Transaction, ...errorResponses },
      },
      handler: async (req, reply) => {
        const r = await ledger.recordPayment(req.tenantId, req.params.id, req.body);
        return reply.status(r.replayed ? 200 : 201).send(r.transaction);
      },
    });
    app.post('/accounts/:id/transactions', {
      schema: {
        tags: ['transactions'],
        summary: 'Record a payment, charge, adjustment or reversal',
        params: IdParam,
        body: s.TransactionCreate,
        response: { 200: s.Transaction, 201: s.Transaction, ...errorResponses },
      },
      handler: async (req, reply) => {
        const r = await ledger.record(req.tenantId, req.params.id, req.body);
        return reply.status(r.replayed ? 200 : 201).send(r.transaction);
      },
    });
    app.get('/transactions', {
      schema: { tags: ['transactions'], summary: 'List ledger transactions', querystring: s.TransactionListQuery, response: { 200: z.object({ data: z.array(s.Transaction), nextCursor: z.string().nullable() }), ...errorResponses } },
      handler: async (req) => ledger.list(req.tenantId, req.query),
    });
    app.get('/transactions/:id', {
      schema: { tags: ['transactions'], summary: 'Read a transaction', params: IdParam, response: { 200: s.Transaction, ...errorResponses } },
      handler: async (req) => ledger.get(req.tenantId, req.params.id),
    });
  };
