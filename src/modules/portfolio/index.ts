export { createPortfolioService, type PortfolioService, type PortfolioDeps, type Page } from './portfolio.service.ts';
export * as portfolioSchemas from './portfolio.types.ts';
export { normalisePhone, normaliseEmail, normaliseContactValue, defaultLanguage, defaultTimezone, countryTimezones, addressLine } from './portfolio.domain.ts';
export { toAccount, toAccountDetail, toDebtor } from './portfolio.mappers.ts';
export type { AccountRow, DebtorRow, ContactPointRow } from './portfolio.repo.ts';
export { findAccount } from './portfolio.repo.ts';
export { portfolioRoutes } from './portfolio.routes.ts';
