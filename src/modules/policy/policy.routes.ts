import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../../http/errors.ts';
import type { PolicyService } from './policy.service.ts';
import { AllowedWindow, PolicyDecision, PolicyEvaluateRequest } from './policy.types.ts';
import { CHANNELS } from './policy.vocabulary.ts';

const RecordQuery = z.object({
  /** `true`: write the decision to the audit trail (what the platform acts on). Default: a what-if. */
  record: z.enum(['true', 'false']).transform((v) => v === 'true').default(false),
  debtorId: z.string().min(1).optional(),
  accountId: z.string().min(1).optional(),
});

const WindowsRequest = PolicyEvaluateRequest.omit({ proposed: true }).extend({
  channel: z.enum(CHANNELS),
  from: z.iso.datetime({ offset: true }),
  days: z.number().int().min(1).max(366).default(7),
  debtId: z.string().min(1).optional(),
  address: z.string().min(1).optional(),
});

const RecordedDecision = z.object({
  id: z.string(),
  debtorId: z.string().nullable(),
  accountId: z.string().nullable(),
  channel: z.string(),
  proposedAt: z.string(),
  allowed: z.boolean(),
  reasons: z.array(z.unknown()),
  nextAllowedAt: z.string().nullable(),
  packId: z.string(),
  packVersion: z.string(),
  decidedAt: z.string(),
});

export const policyRoutes =
  (policy: PolicyService): FastifyPluginAsyncZod =>
  async (app) => {
    app.post('/policy/evaluate', {
      schema: {
        tags: ['policy'],
        summary: 'Is this contact allowed? Every reason with its code, rule, citation and es/en text; the next allowed time when not',
        description: 'The document format is in docs/policy.md. With ?record=true the decision is written to the audit trail.',
        body: PolicyEvaluateRequest,
        querystring: RecordQuery,
        response: { 200: PolicyDecision.extend({ decisionId: z.string().optional() }), ...errorResponses },
      },
      handler: async (req) => {
        const { record, debtorId, accountId } = req.query;
        return record ? policy.decideAndRecord(req.tenantId, req.body, { debtorId, accountId }) : policy.evaluate(req.body);
      },
    });
    app.post('/policy/windows', {
      schema: {
        tags: ['policy'],
        summary: 'Allowed windows for a debtor and a channel over the next N days (UTC instants, both ends allowed)',
        body: WindowsRequest,
        response: { 200: z.object({ data: z.array(AllowedWindow) }), ...errorResponses },
      },
      handler: async (req) => {
        const { channel, from, days, debtId, address, ...input } = req.body;
        return { data: policy.windows(input, { channel, from, days, ...(debtId ? { debtId } : {}), ...(address ? { address } : {}) }) };
      },
    });
    app.get('/policy/decisions', {
      schema: {
        tags: ['policy'],
        summary: 'The audit trail of recorded decisions, newest first',
        querystring: z.object({ debtorId: z.string().optional(), accountId: z.string().optional(), cursor: z.string().optional(), limit: z.coerce.number().int().min(1).max(500).default(50) }),
        response: { 200: z.object({ data: z.array(RecordedDecision), nextCursor: z.string().nullable() }), ...errorResponses },
      },
      handler: async (req) => policy.listDecisions(req.tenantId, req.query),
    });
    app.get('/policy/packs', {
      schema: {
        tags: ['policy'],
        summary: 'The built-in jurisdiction packs and their versions',
        response: { 200: z.object({ data: z.array(z.object({ id: z.string(), version: z.string(), jurisdiction: z.string(), name: z.string() })) }) },
      },
      handler: async () => ({ data: policy.packs() }),
    });
  };
