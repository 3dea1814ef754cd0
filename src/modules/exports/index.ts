export { exportData, type ExportDeps, type ExportResult } from './exports.service.ts';
export { ExportRequest, ExportEntity, ExportFormat, ExportFilters, CsvOptions } from './exports.types.ts';
export { columnNames, COLUMNS, SUPPORTED_FILTERS } from './exports.domain.ts';
export { exportsRoutes } from './exports.routes.ts';
