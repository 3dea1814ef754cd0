import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../../db/db.ts';
import type { IdFactory } from '../../lib/ids.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError, conflict, invalid } from '../../lib/errors.ts';
import * as repo from './tenants.repo.ts';

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export interface TenantsDeps {
  db: Database;
  newId: IdFactory;
  clock: Clock;
}

/** Tenants (agencies or lenders), their API keys and their creditors. */
export const createTenantsService = ({ db, newId, clock }: TenantsDeps) => ({
  async createTenant(input: { slug: string; name: string; country?: string }): Promise<repo.TenantRow> {
    if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(input.slug)) {
      throw invalid('TENANT.INVALID_SLUG', 'slug must be 2-63 lowercase letters, digits or dashes', [{ field: 'slug', message: 'invalid', value: input.slug }]);
    }
    if (await repo.findTenantBySlug(db, input.slug)) throw conflict('TENANT.SLUG_TAKEN', `tenant ${input.slug} already exists`);
    return repo.insertTenant(db, { id: newId('ten'), slug: input.slug, name: input.name, country: input.country ?? 'ES' });
  },

  findBySlug: (slug: string) => repo.findTenantBySlug(db, slug),
  list: () => repo.listTenants(db),

  /** Creates an API key; the secret is returned once and only its hash is stored. */
  /** Sets top-level settings (e.g. `messaging`: the contact details messages identify the agency with). */
  async mergeSettings(tenantId: string, patch: Record<string, unknown>): Promise<void> {
    await repo.mergeTenantSettings(db, tenantId, patch);
  },

  async createApiKey(tenantId: string, name: string): Promise<{ id: string; secret: string; prefix: string }> {
    const secret = `tk_${randomBytes(24).toString('base64url')}`;
    const id = newId('key');
    const prefix = secret.slice(0, 10);
    await repo.insertApiKey(db, { tenantId, id, name, prefix, secretHash: hashSecret(secret) });
    return { id, secret, prefix };
  },

  /**
   * Registers a key whose secret the caller chose. Only the demo uses it, so that its documented
   * key works on every fresh start; real keys come from createApiKey.
   */
  async registerApiKey(tenantId: string, name: string, secret: string): Promise<void> {
    const existing = await repo.findApiKeyByHash(db, hashSecret(secret));
    if (existing) return;
    await repo.insertApiKey(db, { tenantId, id: newId('key'), name, prefix: secret.slice(0, 10), secretHash: hashSecret(secret) });
  },

  /** Resolves a presented secret to its tenant, or throws 401 with a stable code. */
  async authenticate(secret: string): Promise<{ tenantId: string; keyId: string; scopes: string[] }> {
    const row = await repo.findApiKeyByHash(db, hashSecret(secret));
    if (!row || row.revoked_at) throw new AppError('AUTH.INVALID_API_KEY', 'unauthorized', 'the API key is unknown or revoked');
    await repo.touchApiKey(db, row.tenant_id, row.id, clock.now());
    return { tenantId: row.tenant_id, keyId: row.id, scopes: row.scopes };
  },

  listApiKeys: (tenantId: string) => repo.listApiKeys(db, tenantId),
  revokeApiKey: (tenantId: string, id: string) => repo.revokeApiKey(db, tenantId, id, clock.now()),

  upsertCreditor: (tenantId: string, c: Omit<Parameters<typeof repo.upsertCreditor>[1], 'tenantId' | 'id'>) =>
    repo.upsertCreditor(db, { ...c, tenantId, id: newId('cre') }),
  listCreditors: (tenantId: string) => repo.listCreditors(db, tenantId),
  findCreditorByRef: (tenantId: string, ref: string) => repo.findCreditorByRef(db, tenantId, ref),
});

export type TenantsService = ReturnType<typeof createTenantsService>;
