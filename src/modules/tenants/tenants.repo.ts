import type { Sql } from '../../db/db.ts';

export interface TenantRow {
  id: string;
  slug: string;
  name: string;
  country: string;
  settings: Record<string, unknown>;
  created_at: Date;
}

export interface CreditorRow {
  tenant_id: string;
  id: string;
  external_ref: string;
  name: string;
  tax_id: string | null;
  country: string;
  allocation_order: string[];
  allowed_channels: string[];
  first_party: boolean;
  created_at: Date;
}

export const insertTenant = async (sql: Sql, t: { id: string; slug: string; name: string; country: string }): Promise<TenantRow> =>
  (
    await sql.query<TenantRow>(
      'INSERT INTO tenants (id, slug, name, country) VALUES ($1, $2, $3, $4) RETURNING *',
      [t.id, t.slug, t.name, t.country],
    )
  ).rows[0]!;

/** Merges `patch` into the tenant's settings (top-level keys replaced). */
export const mergeTenantSettings = async (sql: Sql, id: string, patch: Record<string, unknown>): Promise<void> => {
  await sql.query('UPDATE tenants SET settings = settings || $2::jsonb WHERE id = $1', [id, JSON.stringify(patch)]);
};

export const findTenantBySlug = async (sql: Sql, slug: string): Promise<TenantRow | undefined> =>
  (await sql.query<TenantRow>('SELECT * FROM tenants WHERE slug = $1', [slug])).rows[0];

export const findTenantById = async (sql: Sql, id: string): Promise<TenantRow | undefined> =>
  (await sql.query<TenantRow>('SELECT * FROM tenants WHERE id = $1', [id])).rows[0];

export const listTenants = async (sql: Sql): Promise<TenantRow[]> =>
  (await sql.query<TenantRow>('SELECT * FROM tenants ORDER BY created_at, id')).rows;

export const insertApiKey = async (
  sql: Sql,
  k: { tenantId: string; id: string; name: string; prefix: string; secretHash: string },
): Promise<void> => {
  await sql.query('INSERT INTO api_keys (tenant_id, id, name, prefix, secret_hash) VALUES ($1, $2, $3, $4, $5)', [
    k.tenantId,
    k.id,
    k.name,
    k.prefix,
    k.secretHash,
  ]);
};

export const findApiKeyByHash = async (
  sql: Sql,
  secretHash: string,
): Promise<{ tenant_id: string; id: string; scopes: string[]; revoked_at: Date | null } | undefined> =>
  (
    await sql.query<{ tenant_id: string; id: string; scopes: string[]; revoked_at: Date | null }>(
      'SELECT tenant_id, id, scopes, revoked_at FROM api_keys WHERE secret_hash = $1',
      [secretHash],
    )
  ).rows[0];

export const touchApiKey = async (sql: Sql, tenantId: string, id: string, at: Date): Promise<void> => {
  await sql.query('UPDATE api_keys SET last_used_at = $3 WHERE tenant_id = $1 AND id = $2', [tenantId, id, at]);
};

export const revokeApiKey = async (sql: Sql, tenantId: string, id: string, at: Date): Promise<boolean> =>
  (await sql.query('UPDATE api_keys SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL', [tenantId, id, at]))
    .rowCount > 0;

export const listApiKeys = async (
  sql: Sql,
  tenantId: string,
): Promise<{ id: string; name: string; prefix: string; created_at: Date; last_used_at: Date | null; revoked_at: Date | null }[]> =>
  (
    await sql.query<{ id: string; name: string; prefix: string; created_at: Date; last_used_at: Date | null; revoked_at: Date | null }>(
      'SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_keys WHERE tenant_id = $1 ORDER BY created_at',
      [tenantId],
    )
  ).rows;

export const upsertCreditor = async (
  sql: Sql,
  c: {
    tenantId: string;
    id: string;
    externalRef: string;
    name: string;
    country: string;
    taxId?: string | null;
    allocationOrder?: string[];
    allowedChannels?: string[];
    firstParty?: boolean;
  },
): Promise<CreditorRow> =>
  (
    await sql.query<CreditorRow>(
      `INSERT INTO creditors (tenant_id, id, external_ref, name, country, tax_id, allocation_order, allowed_channels, first_party)
       VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7, ARRAY['fees','interest','principal']), COALESCE($8, ARRAY['sms','email','call','letter']), COALESCE($9, false))
       ON CONFLICT (tenant_id, external_ref) DO UPDATE SET
         name = EXCLUDED.name, country = EXCLUDED.country, tax_id = COALESCE(EXCLUDED.tax_id, creditors.tax_id),
         allocation_order = COALESCE($7, creditors.allocation_order),
         allowed_channels = COALESCE($8, creditors.allowed_channels),
         first_party = COALESCE($9, creditors.first_party)
       RETURNING *`,
      [
        c.tenantId,
        c.id,
        c.externalRef,
        c.name,
        c.country,
        c.taxId ?? null,
        c.allocationOrder ?? null,
        c.allowedChannels ?? null,
        c.firstParty ?? null,
      ],
    )
  ).rows[0]!;

export const listCreditors = async (sql: Sql, tenantId: string): Promise<CreditorRow[]> =>
  (await sql.query<CreditorRow>('SELECT * FROM creditors WHERE tenant_id = $1 ORDER BY name, id', [tenantId])).rows;

export const findCreditorByRef = async (sql: Sql, tenantId: string, ref: string): Promise<CreditorRow | undefined> =>
  (await sql.query<CreditorRow>('SELECT * FROM creditors WHERE tenant_id = $1 AND external_ref = $2', [tenantId, ref])).rows[0];

export const findCreditor = async (sql: Sql, tenantId: string, id: string): Promise<CreditorRow | undefined> =>
  (await sql.query<CreditorRow>('SELECT * FROM creditors WHERE tenant_id = $1 AND id = $2', [tenantId, id])).rows[0];
