import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifyStatic from '@fastify/static';
import scalar from '@scalar/fastify-api-reference';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../db/db.ts';
import type { Services } from '../services.ts';
import { PII_PATHS } from '../lib/logger.ts';
import { registerErrorHandler } from './errors.ts';
import { registerApiKeyAuth } from './auth.ts';
import { portfolioRoutes } from '../modules/portfolio/index.ts';
import { ledgerRoutes } from '../modules/ledger/index.ts';
import { importsRoutes } from '../modules/imports/index.ts';
import { eventsRoutes } from '../modules/events/index.ts';
import { exportsRoutes } from '../modules/exports/index.ts';
import { policyRoutes } from '../modules/policy/index.ts';
import { messagingApiRoutes, messagingPublicRoutes } from '../modules/messaging/index.ts';
import { journeysRoutes } from '../modules/journeys/index.ts';

export interface AppOptions {
  db: Database;
  services: Services;
  logLevel?: string;
  /** Built web app to serve at / (web/dist); skipped when absent. */
  webDir?: string;
  version?: string;
  /** Extra route plugins mounted under /api/v1 with API-key auth. */
  apiPlugins?: ((app: FastifyInstance) => Promise<void>)[];
}

/**
 * The HTTP API and the web app. Request and response bodies are declared with Zod; responses
 * are serialised through their schemas, so fields a schema does not name are never sent.
 */
export const buildApp = async (opts: AppOptions): Promise<FastifyInstance> => {
  const app = Fastify({
    logger: opts.logLevel && opts.logLevel !== 'silent' ? { level: opts.logLevel, redact: PII_PATHS } : false,
    bodyLimit: 5 * 1024 * 1024,
    genReqId: () => `req_${Math.random().toString(36).slice(2, 12)}`,
    ajv: undefined,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tacto API',
        version: opts.version ?? '0.1.0',
        description:
          'Collections platform API: portfolio, ledger, imports, exports, webhooks, contact policy, messaging, strategies and the daily run. ' +
          'Provider webhooks (/webhooks/…), tracked links (/l/…) and unsubscribe (/u/…) need no API key: they are verified by signature or token. ' +
          'Authenticate with a tenant API key: `Authorization: Bearer <key>`. Errors carry a stable `error.code`.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(scalar, { routePrefix: '/api/docs', configuration: { title: 'Tacto API' } });

  app.get('/health', {
    schema: { tags: ['system'], summary: 'Liveness and readiness', security: [], response: { 200: z.object({ status: z.literal('ok'), database: z.enum(['pglite', 'postgres']) }) } },
    handler: async () => {
      await opts.db.query('SELECT 1');
      return { status: 'ok' as const, database: opts.db.kind };
    },
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(
    async (api) => {
      registerApiKeyAuth(api, opts.services.tenants);
      await api.register(portfolioRoutes(opts.services.portfolio));
      await api.register(ledgerRoutes(opts.services.ledger));
      await api.register(importsRoutes(opts.services.deps));
      await api.register(exportsRoutes({ db: opts.db }));
      await api.register(eventsRoutes(opts.services.webhooks));
      await api.register(policyRoutes(opts.services.policy));
      await api.register(messagingApiRoutes(opts.services.messaging));
      await api.register(journeysRoutes(opts.services.journeys));
      for (const p of opts.apiPlugins ?? []) await api.register(p);
    },
    { prefix: '/api/v1' },
  );

  // Provider webhooks, tracked links and unsubscribe: public, each verified on its own terms.
  await app.register(messagingPublicRoutes(opts.services.messaging));

  const webDir = opts.webDir ?? join(process.cwd(), 'web', 'dist');
  if (existsSync(join(webDir, 'index.html'))) {
    await app.register(fastifyStatic, { root: webDir, prefix: '/', wildcard: false });
    // Client-side routes of the single-page app fall back to index.html.
    app.get('/app/*', { schema: { hide: true } }, (_req, reply) => reply.sendFile('index.html'));
  }
  return app;
};
