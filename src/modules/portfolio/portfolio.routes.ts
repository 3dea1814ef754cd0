import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../../http/errors.ts';
import type { PortfolioService } from './portfolio.service.ts';
import * as s from './portfolio.types.ts';

const IdParam = z.object({ id: z.string().min(1) });

export const portfolioRoutes =
  (portfolio: PortfolioService): FastifyPluginAsyncZod =>
  async (app) => {
    app.post('/debtors', {
      schema: { tags: ['debtors'], summary: 'Create a debtor with contact points', body: s.DebtorCreate, response: { 201: s.Debtor, ...errorResponses } },
      handler: async (req, reply) => reply.status(201).send(await portfolio.createDebtor(req.tenantId, req.body)),
    });
    app.get('/debtors', {
      schema: { tags: ['debtors'], summary: 'List debtors (cursor pagination)', querystring: s.DebtorListQuery, response: { 200: s.page(s.Debtor), ...errorResponses } },
      handler: async (req) => portfolio.listDebtors(req.tenantId, req.query),
    });
    app.get('/debtors/:id', {
      schema: { tags: ['debtors'], summary: 'Read a debtor', params: IdParam, response: { 200: s.Debtor, ...errorResponses } },
      handler: async (req) => portfolio.getDebtor(req.tenantId, req.params.id),
    });
    app.patch('/debtors/:id', {
      schema: { tags: ['debtors'], summary: 'Update a debtor (optimistic concurrency with expectedVersion)', params: IdParam, body: s.DebtorUpdate, response: { 200: s.Debtor, ...errorResponses } },
      handler: async (req) => portfolio.updateDebtor(req.tenantId, req.params.id, req.body),
    });
    app.post('/debtors/:id/contact-points', {
      schema: { tags: ['debtors'], summary: 'Add or update contact points', params: IdParam, body: z.object({ contactPoints: z.array(s.ContactPointInput).min(1).max(50) }), response: { 200: s.Debtor, ...errorResponses } },
      handler: async (req) => portfolio.addContactPoints(req.tenantId, req.params.id, req.body.contactPoints),
    });
    app.post('/debtors/:id/contact-points/:contactPointId/opt-out', {
      schema: {
        tags: ['debtors'],
        summary: 'Record an opt-out for one address (applies to every debt)',
        params: IdParam.extend({ contactPointId: z.string().min(1) }),
        body: z.object({ reason: z.string().min(1).max(200).default('debtor request') }),
        response: { 200: s.Debtor, ...errorResponses },
      },
      handler: async (req) => portfolio.optOut(req.tenantId, req.params.id, req.params.contactPointId, req.body.reason),
    });
    app.post('/accounts', {
      schema: { tags: ['accounts'], summary: 'Create an account (a debt) with its schedule', body: s.AccountCreate, response: { 201: s.AccountDetail, ...errorResponses } },
      handler: async (req, reply) => reply.status(201).send(await portfolio.createAccount(req.tenantId, req.body)),
    });
    app.get('/accounts', {
      schema: { tags: ['accounts'], summary: 'List accounts with filters (cursor pagination)', querystring: s.AccountListQuery, response: { 200: s.page(s.AccountListItem), ...errorResponses } },
      handler: async (req) => portfolio.listAccounts(req.tenantId, req.query),
    });
    app.get('/accounts/:id', {
      schema: { tags: ['accounts'], summary: 'Read an account with balance breakdown and schedule', params: IdParam, response: { 200: s.AccountDetail, ...errorResponses } },
      handler: async (req) => portfolio.getAccount(req.tenantId, req.params.id),
    });
    app.patch('/accounts/:id', {
      schema: { tags: ['accounts'], summary: 'Update an account', params: IdParam, body: s.AccountUpdate, response: { 200: s.AccountDetail, ...errorResponses } },
      handler: async (req) => portfolio.updateAccount(req.tenantId, req.params.id, req.body),
    });
    app.get('/portfolio/summary', {
      schema: {
        tags: ['accounts'],
        summary: 'Open accounts and balance by delinquency bucket and currency',
        response: { 200: z.object({ data: z.array(z.object({ bucket: z.string(), currency: z.string(), accounts: z.number().int(), balanceMinor: z.number().int() })) }) },
      },
      handler: async (req) => ({
        data: (await portfolio.summary(req.tenantId)).map((r) => ({ bucket: r.bucket, currency: r.currency, accounts: r.accounts, balanceMinor: r.balance_minor })),
      }),
    });
  };
