/**
 * Expected failures carry a stable code (e.g. `ACCOUNT.NOT_FOUND`) that clients can branch on;
 * the HTTP layer maps the code's category to a status. Bugs are thrown as plain Errors.
 */
export type ErrorCategory = 'invalid' | 'not_found' | 'conflict' | 'unauthorized' | 'forbidden' | 'rate_limited';

const STATUS: Record<ErrorCategory, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
};

export interface ErrorDetail {
  field?: string;
  row?: number;
  value?: unknown;
  message: string;
}

export class AppError extends Error {
  readonly code: string;
  readonly category: ErrorCategory;
  readonly details: ErrorDetail[];
  constructor(code: string, category: ErrorCategory, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.category = category;
    this.details = details;
  }
  get status(): number {
    return STATUS[this.category];
  }
}

export const notFound = (what: string, id: string): AppError =>
  new AppError(`${what.toUpperCase()}.NOT_FOUND`, 'not_found', `${what} ${id} was not found`);

export const invalid = (code: string, message: string, details: ErrorDetail[] = []): AppError =>
  new AppError(code, 'invalid', message, details);

export const conflict = (code: string, message: string, details: ErrorDetail[] = []): AppError =>
  new AppError(code, 'conflict', message, details);
