/**
 * The facts segments and journey branches are written over: one flat record per account,
 * built by the daily run from the portfolio, ledger, promises, plans, policy inputs and the
 * contact history. Flat and fixed-shape on purpose: a million of these are scanned per run and
 * V8 keeps property loads on objects of one shape fast.
 *
 * The catalogue below is the single source of truth for fact names, their kinds and the values
 * enumerated facts may take: the expression validator checks rules against it, and
 * docs/journeys.md documents it.
 */

/** Mirrors the policy module's CHANNELS (a test keeps the two lists equal). */
export const CHANNELS = ['call', 'sms', 'whatsapp', 'email', 'letter', 'visit'] as const;
export type Channel = (typeof CHANNELS)[number];

export const LANGUAGES = ['es', 'en', 'pt'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Mirrors the policy module's HOLD_KINDS (a test keeps the two lists equal). */
export const HOLD_KINDS = ['dispute', 'bankruptcy', 'deceased', 'breathing_space', 'pause', 'cease', 'litigation'] as const;
export type HoldKind = (typeof HOLD_KINDS)[number];

/** Seed 003: the reason drives the treatment (a one-off hardship, forgetfulness, a dispute). */
export const REASONS_FOR_ARREARS = ['unknown', 'forgetful', 'hardship', 'dispute', 'unwilling'] as const;
export type ReasonForArrears = (typeof REASONS_FOR_ARREARS)[number];

export const PROMISE_STATES = ['none', 'active', 'kept', 'broken'] as const;
export type PromiseState = (typeof PROMISE_STATES)[number];

export const PLAN_STATES = ['none', 'active', 'completed', 'broken'] as const;
export type PlanState = (typeof PLAN_STATES)[number];

/**
 * Outcomes of contacts as the journey sees them (a superset of the policy's delivery outcomes:
 * replies, clicks, payments and promises are what a message was for).
 */
export const CONTACT_OUTCOMES = [
  'delivered', 'read', 'replied', 'clicked', 'paid', 'promised', 'failed', 'answered', 'no_answer', 'voicemail',
] as const;
export type ContactOutcome = (typeof CONTACT_OUTCOMES)[number];

export interface AccountFacts {
  daysPastDue: number;
  daysToDue: number | null;
  bucket: string;
  balanceMinor: number;
  overdueMinor: number;
  currency: string;
  product: string;
  scoreBand: string | null;
  reasonForArrears: ReasonForArrears;
  promiseState: PromiseState;
  planState: PlanState;
  brokenPromises: number;
  vulnerable: boolean;
  holds: readonly HoldKind[];
  disputed: boolean;
  language: Language;
  country: string;
  channelsAvailable: readonly Channel[];
  optedOutChannels: readonly Channel[];
  lastContactOutcome: ContactOutcome | null;
  daysSinceLastContact: number | null;
  daysSinceLastPayment: number | null;
}

export type FactName = keyof AccountFacts;
export type FactKind = 'number' | 'string' | 'boolean' | 'list';

export interface FactSpec {
  readonly kind: FactKind;
  readonly nullable: boolean;
  /** Allowed values of an enumerated string fact, or of a list fact's elements. */
  readonly values?: readonly string[];
  readonly description: string;
}

/** Every fact, in documentation order. */
export const FACTS: { readonly [K in FactName]: FactSpec } = {
  daysPastDue: { kind: 'number', nullable: false, description: 'Days since the oldest unpaid instalment fell due; 0 when current.' },
  daysToDue: { kind: 'number', nullable: true, description: 'Days until the next unpaid instalment falls due (0 = today); null when none is scheduled.' },
  bucket: { kind: 'string', nullable: false, description: 'Delinquency bucket of daysPastDue: current, 1-30, 31-60, 61-90, 91-120, 121-180, 180+ (configurable per tenant).' },
  balanceMinor: { kind: 'number', nullable: false, description: 'Outstanding balance in minor units of currency (integer; exact up to 2^53).' },
  overdueMinor: { kind: 'number', nullable: false, description: 'Amount past due in minor units; 0 when current.' },
  currency: { kind: 'string', nullable: false, description: 'ISO 4217 code of the account (EUR, MXN, COP, BRL…).' },
  product: { kind: 'string', nullable: false, description: "The creditor's product code (card, personal_loan, utility…)." },
  scoreBand: { kind: 'string', nullable: true, description: 'Propensity-to-pay band from the scorecard (A best … E worst); null before scoring.' },
  reasonForArrears: { kind: 'string', nullable: false, values: REASONS_FOR_ARREARS, description: 'Classified reason for arrears; unknown until someone or something classifies it.' },
  promiseState: { kind: 'string', nullable: false, values: PROMISE_STATES, description: 'State of the latest promise to pay: none, active (not yet due), kept, broken.' },
  planState: { kind: 'string', nullable: false, values: PLAN_STATES, description: 'State of the latest payment plan: none, active, completed, broken.' },
  brokenPromises: { kind: 'number', nullable: false, description: 'Promises to pay broken in the last 12 months.' },
  vulnerable: { kind: 'boolean', nullable: false, description: 'A vulnerability is recorded (health, life events, resilience, capability).' },
  holds: { kind: 'list', nullable: false, values: HOLD_KINDS, description: 'Holds in force today for this account (dispute, bankruptcy, deceased, breathing_space, pause, cease, litigation).' },
  disputed: { kind: 'boolean', nullable: false, description: 'The debtor disputes this debt and the dispute is not resolved.' },
  language: { kind: 'string', nullable: false, values: LANGUAGES, description: "The debtor's language for messages: es, en or pt." },
  country: { kind: 'string', nullable: false, description: "ISO 3166 alpha-2 country of the debtor's address (ES, MX, CO, BR…)." },
  channelsAvailable: { kind: 'list', nullable: false, values: CHANNELS, description: 'Channels with a usable contact point (a mobile for sms/whatsapp, an e-mail address…).' },
  optedOutChannels: { kind: 'list', nullable: false, values: CHANNELS, description: 'Channels the debtor opted out of (all addresses).' },
  lastContactOutcome: { kind: 'string', nullable: true, values: CONTACT_OUTCOMES, description: 'Outcome of the latest outbound contact; null when never contacted.' },
  daysSinceLastContact: { kind: 'number', nullable: true, description: 'Days since the latest outbound contact attempt; null when never contacted.' },
  daysSinceLastPayment: { kind: 'number', nullable: true, description: 'Days since the latest payment; null when nothing was ever paid.' },
};

export const FACT_NAMES = Object.keys(FACTS) as FactName[];
