export { runImport, BATCH_ROWS, type ImportDeps, type RunImportInput } from './imports.service.ts';
export { getImport, listImportErrors, writeErrorReportCsv, STORED_ERRORS_CAP, REPORTED_ERRORS_CAP, type ImportRecord } from './imports.report.ts';
export {
  ImportOptions,
  ImportQuery,
  IMPORT_ERROR_CODES,
  ACCOUNT_COLUMNS,
  TRANSACTION_COLUMNS,
  type ParsedImportOptions,
  type ImportError,
  type ImportErrorCode,
  type ImportReport,
  type ImportStatus,
  type ImportKind,
  type ImportFormat,
  type ImportProgress,
  type ImportCounts,
} from './imports.types.ts';
export { importsRoutes } from './imports.routes.ts';
