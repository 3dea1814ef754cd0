import type { AccountFacts } from './journeys.facts.types.ts';

/**
 * A facts record for tests: a current, reachable, forgetful debtor; override what the case is
 * about. Kept beside the domain (as policy's testkit is) because only this module's tests use it.
 */
export const factsOf = (over: Partial<AccountFacts> = {}): AccountFacts => ({
  daysPastDue: 0,
  daysToDue: 10,
  bucket: 'current',
  balanceMinor: 120_000,
  overdueMinor: 0,
  currency: 'EUR',
  product: 'personal_loan',
  scoreBand: 'B',
  reasonForArrears: 'forgetful',
  promiseState: 'none',
  planState: 'none',
  brokenPromises: 0,
  vulnerable: false,
  holds: [],
  disputed: false,
  language: 'es',
  country: 'ES',
  channelsAvailable: ['whatsapp', 'sms', 'email', 'call'],
  optedOutChannels: [],
  lastContactOutcome: null,
  daysSinceLastContact: null,
  daysSinceLastPayment: 30,
  ...over,
});
