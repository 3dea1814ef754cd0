export { createLedgerService, toTransaction, type LedgerService, type LedgerDeps, type RecordResult } from './ledger.service.ts';
export * as ledgerSchemas from './ledger.types.ts';
export * from './ledger.domain.ts';
export { applyLedgerInput, type LedgerInput, type LedgerState, type LedgerOutcome } from './ledger.apply.ts';
export { bucketCaseSql, refreshDaysPastDue, type LedgerAccountRow } from './ledger.repo.ts';
export { ledgerRoutes } from './ledger.routes.ts';
