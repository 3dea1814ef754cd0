/**
 * Typed client for the Tacto HTTP API (/api/v1). Response shapes come from the server's own Zod
 * schemas (type-only imports, erased at build time), so a change on the server that the console
 * does not follow breaks the typecheck rather than a page. Every failure becomes an ApiError
 * carrying the API's stable code, its field details and the request id for support.
 */
import type { Account, AccountDetail, AccountListItem, ContactPoint, Debtor } from '../../src/modules/portfolio/portfolio.types.ts';
import type { Transaction } from '../../src/modules/ledger/ledger.types.ts';
import type { ExplainResponse, RunSummaryResponse, ScheduledContactFilters, ScheduledContactResponse } from '../../src/modules/journeys/journeys.routes.ts';

export type { Account, AccountDetail, AccountListItem, ContactPoint, Debtor, Transaction };
/** GET /accounts/{id}/explain: assignment, journey state, last decision, contacts and preview. */
export type Explain = ExplainResponse;
export type ScheduledContact = ScheduledContactResponse;
export type ScheduledContactQuery = Omit<ScheduledContactFilters, 'limit'> & { limit?: number };
/** One daily run of the decision engine (GET /runs/daily): status, progress and counts. */
export type RunSummary = RunSummaryResponse;
export type RunStatus = RunSummary['status'];
/** POST /runs/daily: the day to run (default today) and whether to answer before it is done. */
export interface RunStart {
  businessDate?: string;
  at?: string;
  wait?: boolean;
  batchSize?: number;
  slices?: number;
}
export const SCHEDULED_CONTACT_STATUSES = ['scheduled', 'claimed', 'sent', 'delivered', 'read', 'failed', 'cancelled', 'suppressed'] as const;
export const CONTACT_CHANNELS = ['call', 'sms', 'whatsapp', 'email', 'letter', 'visit'] as const;
/** One explanation line: a stable code, its parameters, and the server's sentence in es and en. */
export type ExplainLine = NonNullable<Explain['lastDecision']>['lines'][number];
/** A strategy document as far as the console reads it: names of segments and journeys. */
export interface StrategyNames {
  id: string;
  version: number;
  name: Record<string, string>;
  document: { segments?: { id: string; name?: Record<string, string> }[]; journeys?: { id: string; version: number; name?: Record<string, string> }[] };
}
export type AccountStatus = Account['status'];
export const ACCOUNT_STATUSES: readonly AccountStatus[] = ['active', 'paid', 'settled', 'charged_off', 'closed', 'recalled'];

/** The sandbox inbox (GET /sandbox/conversations, /sandbox/messages; POST /sandbox/replies). */
export interface SandboxConversation {
  address: string;
  channel: string;
  messages: number;
  lastAt: string;
  lastText: string;
  debtorId: string | null;
  debtorName: string | null;
}

export interface SandboxMessage {
  id: string;
  direction: 'outbound' | 'inbound';
  channel: string;
  to: string;
  from: string;
  text: string;
  subject: string | null;
  template: string | null;
  status: string;
  errorCode: string | null;
  createdAt: string;
}

export interface SandboxReplyResult {
  stored: boolean;
  debtorId: string | null;
  keywordAction: 'opt_out' | 'opt_in' | 'help' | null;
  optedOut: number;
  cancelled: number;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface SummaryRow {
  bucket: string;
  currency: string;
  accounts: number;
  balanceMinor: number;
}

export interface ErrorDetail {
  field?: string;
  row?: number;
  value?: unknown;
  message: string;
}

export interface AccountQuery {
  status?: string;
  open?: 'true' | 'false';
  bucket?: string;
  creditorRef?: string;
  debtorId?: string;
  product?: string;
  currency?: string;
  minDaysPastDue?: string;
  maxDaysPastDue?: string;
  cursor?: string;
  limit?: number;
}

export interface DebtorQuery {
  q?: string;
  externalRef?: string;
  cursor?: string;
  limit?: number;
}

export interface PaymentInput {
  amount: string;
  method?: string;
  externalId?: string;
  note?: string;
  occurredAt?: string;
}

export interface AccountPatch {
  status?: AccountStatus;
  expectedVersion?: number;
}

export type ImportKind = 'accounts' | 'transactions';

export interface ImportOptions {
  kind: ImportKind;
  dryRun: boolean;
  allOrNothing: boolean;
}

export interface ImportRowError {
  row: number;
  column: string | null;
  value: unknown;
  code: string;
  reason: string;
}

export interface ImportResult {
  importId: string;
  status: string;
  rowsTotal: number;
  rowsImported: number;
  rowsFailed: number;
  created: Record<string, number>;
  updated: Record<string, number>;
  errors: ImportRowError[];
  errorsTruncated: boolean;
  durationMs: number;
}

/** A failed call: the API's error body, or a synthetic code for network and parse failures. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetail[];
  readonly requestId: string | null;
  constructor(status: number, code: string, message: string, details: ErrorDetail[] = [], requestId: string | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.requestId = requestId;
  }

  /** The messages the API gave for one request field (`body.amount` or just `amount`). */
  forField(...names: string[]): string[] {
    return this.details
      .filter((d) => d.field !== undefined && names.some((n) => d.field === n || d.field === `body.${n}` || d.field === `querystring.${n}`))
      .map((d) => d.message);
  }
}

const isErrorBody = (x: unknown): x is { error: { code: string; message: string; details?: ErrorDetail[]; requestId?: string } } =>
  typeof x === 'object' && x !== null && 'error' in x && typeof (x as { error: unknown }).error === 'object' && (x as { error: { code?: unknown } }).error !== null && typeof (x as { error: { code?: unknown } }).error.code === 'string';

type Query = Record<string, string | number | boolean | undefined | null>;

const queryString = (q: Query | undefined): string => {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

interface RequestOptions {
  query?: Query;
  json?: unknown;
  body?: BodyInit;
  contentType?: string;
  signal?: AbortSignal | undefined;
  accept?: string;
}

export const IMPORT_CONTENT_TYPES: Record<string, string> = {
  csv: 'text/csv',
  txt: 'text/csv',
  ndjson: 'application/x-ndjson',
  jsonl: 'application/x-ndjson',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The Content-Type the import endpoint expects for a file, by its extension; null if unsupported. */
export const importContentType = (filename: string): string | null => {
  const ext = filename.toLowerCase().split('.').pop() ?? '';
  return IMPORT_CONTENT_TYPES[ext] ?? null;
};

/**
 * A client bound to one tenant API key. `onUnauthorized` runs when the API rejects the key
 * (revoked or mistyped), so the console can return to sign-in instead of showing broken pages.
 */
export const createApi = (apiKey: string, onUnauthorized: (e: ApiError) => void = () => {}) => {
  const request = async <T>(method: string, path: string, o: RequestOptions = {}): Promise<T> => {
    const headers: Record<string, string> = { authorization: `Bearer ${apiKey}`, accept: o.accept ?? 'application/json' };
    let body: BodyInit | undefined = o.body;
    if (o.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(o.json);
    } else if (o.contentType) {
      headers['content-type'] = o.contentType;
    }
    let res: Response;
    try {
      res = await fetch(`/api/v1${path}${queryString(o.query)}`, { method, headers, body: body ?? null, signal: o.signal ?? null });
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw e;
      throw new ApiError(0, 'NETWORK', e instanceof Error ? e.message : String(e));
    }
    const type = res.headers.get('content-type') ?? '';
    const payload: unknown = type.includes('json') ? await res.json().catch(() => null) : await res.text();
    if (!res.ok) {
      const err = isErrorBody(payload)
        ? new ApiError(res.status, payload.error.code, payload.error.message, payload.error.details ?? [], payload.error.requestId ?? null)
        : new ApiError(res.status, `HTTP_${res.status}`, typeof payload === 'string' && payload ? payload.slice(0, 300) : res.statusText);
      if (res.status === 401) onUnauthorized(err);
      throw err;
    }
    return payload as T;
  };

  return {
    summary: (signal?: AbortSignal) => request<{ data: SummaryRow[] }>('GET', '/portfolio/summary', { signal }),

    listAccounts: (q: AccountQuery, signal?: AbortSignal) => request<Page<AccountListItem>>('GET', '/accounts', { query: { ...q }, signal }),
    getAccount: (id: string, signal?: AbortSignal) => request<AccountDetail>('GET', `/accounts/${encodeURIComponent(id)}`, { signal }),
    updateAccount: (id: string, patch: AccountPatch) => request<AccountDetail>('PATCH', `/accounts/${encodeURIComponent(id)}`, { json: patch }),
    recordPayment: (id: string, p: PaymentInput) => request<Transaction>('POST', `/accounts/${encodeURIComponent(id)}/payments`, { json: p }),
    listTransactions: (q: { accountId: string; cursor?: string; limit?: number }, signal?: AbortSignal) =>
      request<Page<Transaction>>('GET', '/transactions', { query: { ...q }, signal }),

    explainAccount: (id: string, signal?: AbortSignal) => request<Explain>('GET', `/accounts/${encodeURIComponent(id)}/explain`, { signal }),
    listScheduledContacts: (q: ScheduledContactQuery, signal?: AbortSignal) =>
      request<Page<ScheduledContact>>('GET', '/scheduled-contacts', { query: { ...q }, signal }),
    listRuns: (q: { cursor?: string; limit?: number }, signal?: AbortSignal) => request<Page<RunSummary>>('GET', '/runs/daily', { query: { ...q }, signal }),
    getRun: (id: string, signal?: AbortSignal) => request<RunSummary>('GET', `/runs/daily/${encodeURIComponent(id)}`, { signal }),
    /** With `wait: false` the API answers 202 at once with the run to poll. */
    startRun: (r: RunStart) => request<RunSummary>('POST', '/runs/daily', { json: r }),
    getStrategy: (id: string, version: number | null, signal?: AbortSignal) =>
      request<StrategyNames>('GET', `/strategies/${encodeURIComponent(id)}`, { query: { version }, signal }),

    listDebtors: (q: DebtorQuery, signal?: AbortSignal) => request<Page<Debtor>>('GET', '/debtors', { query: { ...q }, signal }),
    getDebtor: (id: string, signal?: AbortSignal) => request<Debtor>('GET', `/debtors/${encodeURIComponent(id)}`, { signal }),
    sandboxConversations: (signal?: AbortSignal) => request<{ data: SandboxConversation[] }>('GET', '/sandbox/conversations', { signal }),
    sandboxMessages: (address: string, signal?: AbortSignal) => request<{ data: SandboxMessage[] }>('GET', '/sandbox/messages', { query: { address }, signal }),
    sandboxReply: (r: { channel: string; from: string; text: string }) => request<SandboxReplyResult>('POST', '/sandbox/replies', { json: r }),
    optOut: (debtorId: string, contactPointId: string, reason: string) =>
      request<Debtor>('POST', `/debtors/${encodeURIComponent(debtorId)}/contact-points/${encodeURIComponent(contactPointId)}/opt-out`, { json: { reason } }),

    importFile: (file: File, o: ImportOptions, signal?: AbortSignal) => {
      const contentType = importContentType(file.name) ?? (file.type || 'application/octet-stream');
      return request<ImportResult>('POST', '/imports', {
        query: { dryRun: o.dryRun, allOrNothing: o.allOrNothing, filename: file.name, kind: o.kind },
        body: file,
        contentType,
        signal,
      });
    },
    /** The full error report of an import; the server may answer CSV or JSON. */
    importErrors: (importId: string) =>
      request<string | { data?: ImportRowError[]; errors?: ImportRowError[] } | ImportRowError[]>('GET', `/imports/${encodeURIComponent(importId)}/errors`, {
        accept: 'text/csv, application/json',
      }),
  };
};

export type Api = ReturnType<typeof createApi>;

/** Checks a key before it is stored: any authenticated read will do; the summary is small. */
export const verifyApiKey = async (apiKey: string): Promise<void> => {
  await createApi(apiKey).summary();
};

/** A person's or company's display name. */
export const debtorName = (d: Pick<Debtor, 'kind' | 'givenName' | 'familyName' | 'companyName'>): string =>
  d.kind === 'company' ? (d.companyName ?? '') : [d.givenName, d.familyName].filter(Boolean).join(' ');
