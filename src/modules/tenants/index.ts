export { createTenantsService, hashSecret, type TenantsService, type TenantsDeps } from './tenants.service.ts';
export type { TenantRow, CreditorRow } from './tenants.repo.ts';
export { findCreditorByRef, findCreditor, upsertCreditor, listCreditors } from './tenants.repo.ts';
