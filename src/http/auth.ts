import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../lib/errors.ts';
import type { TenantsService } from '../modules/tenants/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    tenantId: string;
    apiKeyId: string;
  }
}

/** The presented key: `Authorization: Bearer tk_…` or `X-Api-Key: tk_…`. */
const presentedKey = (req: FastifyRequest): string | undefined => {
  const h = req.headers.authorization;
  if (h?.toLowerCase().startsWith('bearer ')) return h.slice(7).trim();
  const k = req.headers['x-api-key'];
  return typeof k === 'string' ? k.trim() : undefined;
};

/**
 * Every /api/v1 route runs as the tenant its API key belongs to; services take that tenant id
 * explicitly, so no query can reach another tenant's rows.
 */
export const registerApiKeyAuth = (app: FastifyInstance, tenants: Pick<TenantsService, 'authenticate'>): void => {
  app.decorateRequest('tenantId', '');
  app.decorateRequest('apiKeyId', '');
  app.addHook('onRequest', async (req) => {
    const key = presentedKey(req);
    if (!key) throw new AppError('AUTH.MISSING_API_KEY', 'unauthorized', 'send an API key as "Authorization: Bearer <key>" or "X-Api-Key: <key>"');
    const who = await tenants.authenticate(key);
    req.tenantId = who.tenantId;
    req.apiKeyId = who.keyId;
  });
};
