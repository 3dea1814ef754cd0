import { pino, type Logger } from 'pino';

/**
 * Structured logs. Debtor data must never reach them: the redact list removes fields that carry
 * personal data if a caller logs a whole object by mistake, and request logs carry ids only.
 */
export const PII_PATHS = [
  '*.given_name', '*.family_name', '*.name', '*.national_id', '*.birth_date', '*.phone', '*.email', '*.value',
  '*.address', '*.givenName', '*.familyName', '*.nationalId', '*.birthDate', 'req.headers.authorization',
  'req.headers["x-api-key"]', '*.secret', '*.password',
];

export const createLogger = (level: string): Logger =>
  pino({ level, redact: { paths: PII_PATHS, censor: '[redacted]' }, base: { service: 'tacto' } });

export type { Logger };
