import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../../http/errors.ts';
import { CHANNELS, HOLD_KINDS } from './journeys.facts.types.ts';
import { REPORTED_EVENT_TYPES } from './journeys.service.ts';
import type { JourneysService } from './journeys.service.ts';

/** HTTP API of the daily run, explain, scheduled contacts and strategies (docs/journeys.md). */

const IdParam = z.object({ id: z.string().min(1) });
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');
const Json = z.unknown();
const Lines = z.array(z.object({ code: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])), text: z.object({ es: z.string(), en: z.string() }) }));

const RunSummary = z.object({
  id: z.string(), businessDate: z.string(), decidedAt: z.string(), status: z.enum(['running', 'completed', 'failed']), passes: z.number().int(),
  /** The run is cut into this many slices (by debtor) that worker processes share; how many are done. */
  slices: z.number().int(), slicesDone: z.number().int(),
  accountsSeen: z.number().int(), accountsAdvanced: z.number().int(), accountsAssigned: z.number().int(), contactsScheduled: z.number().int(),
  counts: z.record(z.string(), z.number()), error: z.string().nullable(), startedAt: z.string(), finishedAt: z.string().nullable(),
  resumed: z.boolean().optional(), seconds: z.number().optional(),
  /** The slices this call worked on. */
  slicesWorked: z.array(z.number().int()).optional(),
});

const RunStart = z.object({
  /** Business date; default today (UTC). */
  businessDate: IsoDate.optional(),
  /** Decision instant for a new run (ISO); default now. */
  at: z.iso.datetime({ offset: true }).optional(),
  /** true (default): answer when the run is done; false: answer 202 at once with the run id. */
  wait: z.boolean().default(true),
  batchSize: z.number().int().min(1).max(100_000).optional(),
  /** Cut a new run into this many slices (by debtor) so that the workers share it (default 1). */
  slices: z.number().int().min(1).max(64).optional(),
});

const ScheduledContact = z.object({
  id: z.string(), accountId: z.string(), debtorId: z.string(), kind: z.string(), channel: z.string().nullable(), purpose: z.string(),
  templateRef: z.string().nullable(), language: z.string(), contactPointId: z.string().nullable(), sendAt: z.string(), windowEnd: z.string().nullable(),
  status: z.string(), statusReason: z.string().nullable(), idempotencyKey: z.string(), runId: z.string().nullable(), runDate: z.string().nullable(),
  journeyId: z.string().nullable(), journeyVersion: z.number().int().nullable(), stepId: z.string().nullable(), arm: z.string().nullable(),
  content: z.record(z.string(), Json), explanation: z.record(z.string(), Json), createdAt: z.string(), updatedAt: z.string(),
  /** Whose contact it is: the account's reference, the debtor's name and time zone. */
  accountRef: z.string().nullable().optional(), debtorName: z.string().nullable().optional(), debtorTimezone: z.string().nullable().optional(),
});

const ScheduledContactQuery = z.object({
  accountId: z.string().optional(),
  debtorId: z.string().optional(),
  status: z.enum(['scheduled', 'claimed', 'sent', 'delivered', 'read', 'failed', 'cancelled', 'suppressed']).optional(),
  channel: z.enum(CHANNELS).optional(),
  runDate: IsoDate.optional(),
  /** Newest first; pass the previous page's `nextCursor`. */
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const StrategySummary = z.object({
  id: z.string(), version: z.number().int(), name: z.record(z.string(), z.string()), versions: z.number().int(), retired: z.boolean(), createdAt: z.string(),
  segments: z.array(z.string()), journeys: z.array(z.object({ id: z.string(), version: z.number().int() })),
});

const Explain = z.object({
  account: z.object({ id: z.string(), externalRef: z.string(), status: z.string(), debtorId: z.string(), daysPastDue: z.number().int(), bucket: z.string() }),
  facts: z.record(z.string(), Json).nullable(),
  assignment: z.object({ strategyId: z.string().nullable(), strategyVersion: z.number().int().nullable(), segmentId: z.string().nullable(), arm: z.string().nullable() }).nullable(),
  journey: z.object({
    id: z.string().nullable(), version: z.number().int().nullable(), stepId: z.string().nullable(), status: z.string(), statusReason: z.string().nullable(),
    enteredAt: z.string().nullable(), enteredStepAt: z.string().nullable(), attempts: z.number().int(), lastAction: Json, pendingEvents: z.array(Json), lastRunDate: z.string().nullable(),
  }).nullable(),
  lastDecision: z.object({ runDate: z.string().nullable(), lines: Lines }).nullable(),
  scheduledContacts: z.array(ScheduledContact),
  preview: z.object({
    at: z.string(), lines: Lines, jurisdiction: z.string(),
    policy: z.array(z.object({ channel: z.string(), allowed: z.boolean(), windows: z.array(z.object({ start: z.string(), end: z.string() })), reasons: z.array(Json) })),
    action: z.record(z.string(), Json).nullable(), stateAfter: z.record(z.string(), Json).nullable(),
  }).nullable(),
  previewError: z.string().nullable(),
  advancedToday: z.boolean(),
});

/** Response shapes, for the staff console's typed client (type-only imports). */
export type ExplainResponse = z.infer<typeof Explain>;
export type ScheduledContactResponse = z.infer<typeof ScheduledContact>;
export type ScheduledContactFilters = z.input<typeof ScheduledContactQuery>;
export type RunSummaryResponse = z.infer<typeof RunSummary>;

const ReportedEvent = z.object({
  type: z.enum(REPORTED_EVENT_TYPES),
  /** For `hold`: its kind (default pause). */
  hold: z.enum(HOLD_KINDS).optional(),
});

export const journeysRoutes =
  (journeys: JourneysService): FastifyPluginAsyncZod =>
  async (app) => {
    app.post('/runs/daily', {
      schema: {
        tags: ['journeys'],
        summary: 'Run (or resume) the daily run for this tenant: advance journeys, ask the contact policy, schedule contacts',
        description: 'Idempotent per business date: a repeated call makes another pass that schedules nothing twice. With `wait: false` the answer is 202 with the run to poll.',
        body: RunStart.default({ wait: true }),
        response: { 200: RunSummary, 202: RunSummary, ...errorResponses },
      },
      handler: async (req, reply) => {
        const b = req.body;
        const options = { tenantId: req.tenantId, businessDate: b.businessDate, at: b.at, batchSize: b.batchSize, slices: b.slices };
        if (b.wait) return reply.status(200).send(await journeys.runDaily(options));
        let started: (id: string) => void = () => undefined;
        const id = new Promise<string>((resolve) => (started = resolve));
        const done = journeys.runDaily({ ...options, onStarted: (runId) => started(runId) });
        done.catch((e: unknown) => req.log.error({ err: e }, 'daily run failed'));
        const runId = await Promise.race([id, done.then((r) => r.id)]);
        return reply.status(202).send(await journeys.getRun(req.tenantId, runId));
      },
    });
    app.get('/runs/daily', {
      schema: {
        tags: ['journeys'], summary: 'List daily runs, newest first',
        querystring: z.object({ cursor: z.string().optional(), limit: z.coerce.number().int().min(1).max(200).default(30) }),
        response: { 200: z.object({ data: z.array(RunSummary), nextCursor: z.string().nullable() }), ...errorResponses },
      },
      handler: async (req) => journeys.listRuns(req.tenantId, req.query),
    });
    app.get('/runs/daily/:id', {
      schema: { tags: ['journeys'], summary: 'Read a daily run: status, checkpoint progress and counts', params: IdParam, response: { 200: RunSummary, ...errorResponses } },
      handler: async (req) => journeys.getRun(req.tenantId, req.params.id),
    });
    app.get('/accounts/:id/explain', {
      schema: {
        tags: ['journeys'],
        summary: "Explain an account's journey: segment, step, why this action, why this time, what the policy said",
        description: 'The id may also be the account\'s external reference. `preview` is what the run would decide now (nothing is written).',
        params: IdParam,
        response: { 200: Explain, ...errorResponses },
      },
      handler: async (req) => journeys.explain(req.tenantId, req.params.id) as never,
    });
    app.get('/scheduled-contacts', {
      schema: {
        tags: ['journeys'], summary: 'List scheduled contacts (what the daily run decided, and their status)', querystring: ScheduledContactQuery,
        response: { 200: z.object({ data: z.array(ScheduledContact), nextCursor: z.string().nullable() }), ...errorResponses },
      },
      handler: async (req) => journeys.listScheduledContacts(req.tenantId, req.query),
    });
    app.post('/accounts/:id/journey-events', {
      schema: {
        tags: ['journeys'],
        summary: 'Report a promise to pay, an agreed plan, a dispute or a hold: cancels what is pending for the account',
        params: IdParam, body: ReportedEvent,
        response: { 200: z.object({ accountId: z.string(), type: z.string(), cancelled: z.number().int(), cancelledIds: z.array(z.string()) }), ...errorResponses },
      },
      handler: async (req) => journeys.reportEvent(req.tenantId, req.params.id, req.body),
    });
    app.get('/strategies', {
      schema: { tags: ['strategies'], summary: 'List strategies (latest version of each)', response: { 200: z.object({ data: z.array(StrategySummary) }), ...errorResponses } },
      handler: async (req) => journeys.listStrategies(req.tenantId),
    });
    app.get('/strategies/:id', {
      schema: {
        tags: ['strategies'], summary: 'Read a strategy document (latest version, or ?version=N)', params: IdParam,
        querystring: z.object({ version: z.coerce.number().int().min(1).optional() }),
        response: { 200: StrategySummary.extend({ document: Json, versionList: z.array(z.number().int()) }), ...errorResponses },
      },
      handler: async (req) => journeys.getStrategy(req.tenantId, req.params.id, req.query.version),
    });
    app.post('/strategies', {
      schema: {
        tags: ['strategies'],
        summary: 'Upload a new strategy version (validated; errors name the field path, e.g. journeys[0].steps[3].next)',
        body: z.record(z.string(), Json),
        response: { 200: z.object({ created: z.boolean(), strategy: StrategySummary }), 201: z.object({ created: z.boolean(), strategy: StrategySummary }), ...errorResponses },
      },
      handler: async (req, reply) => {
        const r = await journeys.uploadStrategy(req.tenantId, req.body);
        return reply.status(r.created ? 201 : 200).send(r);
      },
    });
  };
