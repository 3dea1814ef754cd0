import type { Database } from '../../db/db.ts';
import type { Clock } from '../../lib/clock.ts';
import { isoDate } from '../../lib/clock.ts';
import type { IdFactory } from '../../lib/ids.ts';
import { conflict, invalid, notFound, type ErrorDetail } from '../../lib/errors.ts';
import { appendEvents, type NewEvent } from '../events/index.ts';
import { findCreditorByRef, findCreditor } from '../tenants/index.ts';
import { buildSchedule, bucketFor, daysPastDue, oldestUnpaidDueDate, payInstalments, type Instalment } from '../ledger/index.ts';
import * as repo from './portfolio.repo.ts';
import { addressLine, defaultLanguage, defaultTimezone, normaliseContactValue } from './portfolio.domain.ts';
import { toAccount, toAccountDetail, toDebtor } from './portfolio.mappers.ts';
import type {
  AccountCreate, AccountListItem, AccountDetail, AccountListQuery, AccountUpdate, ContactPointInput, Debtor, DebtorCreate, DebtorListQuery, DebtorUpdate,
} from './portfolio.types.ts';

export interface PortfolioDeps {
  db: Database;
  clock: Clock;
  newId: IdFactory;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

const pageOf = <R extends { id: string }, T>(rows: R[], limit: number, map: (r: R) => T): Page<T> => ({
  data: rows.map(map),
  nextCursor: rows.length === limit ? rows[rows.length - 1]!.id : null,
});

/** Debtors, their contact points and accounts: load, decide with the domain rules, save. */
export const createPortfolioService = ({ db, clock, newId }: PortfolioDeps) => {
  const requireCreditor = async (tenantId: string, ref: string) => {
    const c = await findCreditorByRef(db, tenantId, ref);
    if (!c) throw invalid('CREDITOR.UNKNOWN', `no creditor with reference ${ref}`, [{ field: 'creditorRef', value: ref, message: 'unknown creditor' }]);
    return c;
  };

  const normaliseContacts = (debtorId: string, tenantId: string, country: string, inputs: readonly ContactPointInput[]) => {
    const errors: ErrorDetail[] = [];
    const rows = inputs.flatMap((c, i) => {
      const raw = c.kind === 'address' ? (c.value ?? (c.address ? addressLine(c.address) : '')) : (c.value ?? '');
      const n = normaliseContactValue(c.kind, raw, country);
      if (!n.ok) {
        errors.push({ field: `contactPoints[${i}].value`, value: c.value, message: n.reason });
        return [];
      }
      return [{
        tenant_id: tenantId, id: newId('cp'), debtor_id: debtorId, kind: c.kind, value: n.value, address: c.address ?? null,
        label: c.label ?? null, is_primary: c.isPrimary ?? i === inputs.findIndex((o) => o.kind === c.kind), consent: c.consent ?? 'unknown',
      } as const];
    });
    if (errors.length) throw invalid('DEBTOR.INVALID_CONTACT_POINT', 'one or more contact points are invalid', errors);
    return rows;
  };

  const loadDebtor = async (tenantId: string, id: string): Promise<Debtor> => {
    const row = await repo.findDebtor(db, tenantId, id);
    if (!row) throw notFound('debtor', id);
    return toDebtor(row, await repo.listContactPoints(db, tenantId, [id]));
  };

  return {
    async createDebtor(tenantId: string, input: DebtorCreate): Promise<Debtor> {
      const creditor = await requireCreditor(tenantId, input.creditorRef);
      const timezone = input.timezone ?? defaultTimezone(input.country);
      if (!timezone) throw invalid('DEBTOR.TIMEZONE_REQUIRED', `give a timezone: country ${input.country} has no default`, [{ field: 'timezone', message: 'required' }]);
      if (input.kind === 'person' && !input.givenName && !input.familyName) {
        throw invalid('DEBTOR.NAME_REQUIRED', 'a person needs a given or family name', [{ field: 'givenName', message: 'required' }]);
      }
      if (input.kind === 'company' && !input.companyName) {
        throw invalid('DEBTOR.NAME_REQUIRED', 'a company needs companyName', [{ field: 'companyName', message: 'required' }]);
      }
      const id = newId('dbt');
      const contacts = normaliseContacts(id, tenantId, input.country, input.contactPoints);
      return db.transaction(async (tx) => {
        if (await repo.findDebtorByRef(tx, tenantId, creditor.id, input.externalRef)) {
          throw conflict('DEBTOR.DUPLICATE_REFERENCE', `debtor ${input.externalRef} already exists for creditor ${input.creditorRef}`, [
            { field: 'externalRef', value: input.externalRef, message: 'already exists' },
          ]);
        }
        const row = await repo.insertDebtor(tx, {
          tenant_id: tenantId, id, creditor_id: creditor.id, external_ref: input.externalRef, kind: input.kind,
          given_name: input.givenName ?? null, family_name: input.familyName ?? null, company_name: input.companyName ?? null,
          national_id: input.nationalId ?? null, birth_date: input.birthDate ?? null, language: input.language ?? defaultLanguage(input.country),
          country: input.country, region: input.region ?? null, timezone, preferences: input.preferences ?? {},
        });
        await repo.insertContactPoints(tx, contacts);
        await appendEvents(tx, [{ id: newId('evt'), tenantId, type: 'debtor.created', subjectType: 'debtor', subjectId: id, payload: { debtorId: id, creditorId: creditor.id, externalRef: input.externalRef }, occurredAt: clock.now() }]);
        return toDebtor(row, await repo.listContactPoints(tx, tenantId, [id]));
      });
    },

    getDebtor: loadDebtor,

    async listDebtors(tenantId: string, q: DebtorListQuery): Promise<Page<Debtor>> {
      const creditorId = q.creditorRef ? (await requireCreditor(tenantId, q.creditorRef)).id : undefined;
      const rows = await repo.listDebtors(db, tenantId, { ...q, creditorId });
      const contacts = await repo.listContactPoints(db, tenantId, rows.map((r) => r.id));
      return pageOf(rows, q.limit, (r) => toDebtor(r, contacts.filter((c) => c.debtor_id === r.id)));
    },

    async updateDebtor(tenantId: string, id: string, input: DebtorUpdate): Promise<Debtor> {
      const { expectedVersion, ...changes } = input;
      return db.transaction(async (tx) => {
        const current = await repo.findDebtor(tx, tenantId, id, true);
        if (!current) throw notFound('debtor', id);
        if (expectedVersion !== undefined && expectedVersion !== current.version) {
          throw conflict('DEBTOR.VERSION_CONFLICT', `debtor ${id} is at version ${current.version}, not ${expectedVersion}`, [{ field: 'expectedVersion', value: expectedVersion, message: 'stale' }]);
        }
        const row = await repo.updateDebtor(tx, tenantId, id, changes, clock.now());
        await appendEvents(tx, [{ id: newId('evt'), tenantId, type: 'debtor.updated', subjectType: 'debtor', subjectId: id, payload: { debtorId: id, fields: Object.keys(changes) }, occurredAt: clock.now() }]);
        return toDebtor(row, await repo.listContactPoints(tx, tenantId, [id]));
      });
    },

    async addContactPoints(tenantId: string, debtorId: string, inputs: ContactPointInput[]): Promise<Debtor> {
      const debtor = await repo.findDebtor(db, tenantId, debtorId);
      if (!debtor) throw notFound('debtor', debtorId);
      await repo.insertContactPoints(db, normaliseContacts(debtorId, tenantId, debtor.country, inputs));
      return loadDebtor(tenantId, debtorId);
    },

    /** Opt-out applies to that address for every debt (Reg F 1006.6(e)); the first time is kept. */
    async optOut(tenantId: string, debtorId: string, contactPointId: string, reason: string): Promise<Debtor> {
      await db.transaction(async (tx) => {
        const row = await repo.optOutContactPoint(tx, tenantId, debtorId, contactPointId, reason, clock.now());
        if (!row) throw notFound('contact_point', contactPointId);
        await appendEvents(tx, [{ id: newId('evt'), tenantId, type: 'contact_point.opted_out', subjectType: 'debtor', subjectId: debtorId, payload: { debtorId, contactPointId, kind: row.kind, reason }, occurredAt: clock.now() }]);
      });
      return loadDebtor(tenantId, debtorId);
    },

    async createAccount(tenantId: string, input: AccountCreate): Promise<AccountDetail> {
      const creditor = await requireCreditor(tenantId, input.creditorRef);
      const debtor = await repo.findDebtor(db, tenantId, input.debtorId);
      if (!debtor) throw invalid('DEBTOR.UNKNOWN', `no debtor ${input.debtorId}`, [{ field: 'debtorId', value: input.debtorId, message: 'unknown debtor' }]);
      if (debtor.creditor_id !== creditor.id) {
        throw invalid('ACCOUNT.CREDITOR_MISMATCH', 'the debtor belongs to another creditor', [{ field: 'debtorId', value: input.debtorId, message: 'other creditor' }]);
      }
      const id = newId('acc');
      let schedule: Instalment[] = [];
      if (Array.isArray(input.schedule)) {
        schedule = [...input.schedule]
          .sort((a, b) => a.dueDate.localeCompare(b.dueDate))
          .map((s, i) => ({ seq: i + 1, dueDate: s.dueDate, amount: s.amountMinor, paid: Math.min(s.paidMinor, s.amountMinor) }));
      } else if (input.schedule) {
        schedule = buildSchedule(input.schedule.firstDueDate, input.schedule.count, input.schedule.amountMinor, input.schedule.frequency);
      }
      const asOf = isoDate(clock.now());
      const dpd = daysPastDue(schedule, asOf);
      return db.transaction(async (tx) => {
        if (await repo.findAccountByRef(tx, tenantId, creditor.id, input.externalRef)) {
          throw conflict('ACCOUNT.DUPLICATE_REFERENCE', `account ${input.externalRef} already exists for creditor ${input.creditorRef}`, [
            { field: 'externalRef', value: input.externalRef, message: 'already exists' },
          ]);
        }
        const owed = input.principalMinor + input.interestMinor + input.feesMinor;
        const row = await repo.insertAccount(tx, {
          tenant_id: tenantId, id, creditor_id: creditor.id, debtor_id: debtor.id, external_ref: input.externalRef, product: input.product,
          currency: input.currency, original_principal_minor: input.originalPrincipalMinor, principal_minor: input.principalMinor,
          interest_minor: input.interestMinor, fees_minor: input.feesMinor, status: owed === 0 ? 'paid' : input.chargedOffAt ? 'charged_off' : 'active',
          opened_at: input.openedAt ?? null, charged_off_at: input.chargedOffAt ?? null, days_past_due: dpd, bucket: bucketFor(dpd),
          dpd_as_of: asOf, oldest_unpaid_due_date: oldestUnpaidDueDate(schedule, asOf), attributes: input.attributes ?? {},
          schedule_due_dates: schedule.map((s) => s.dueDate), schedule_amounts_minor: schedule.map((s) => s.amount), schedule_paid_minor: schedule.map((s) => s.paid),
        });
        await appendEvents(tx, [{ id: newId('evt'), tenantId, type: 'account.created', subjectType: 'account', subjectId: id, payload: { accountId: id, debtorId: debtor.id, creditorId: creditor.id, externalRef: input.externalRef, currency: input.currency, balanceMinor: owed, status: row.status }, occurredAt: clock.now() }]);
        return toAccountDetail(row);
      });
    },

    async getAccount(tenantId: string, id: string): Promise<AccountDetail> {
      const row = await repo.findAccount(db, tenantId, id);
      if (!row) throw notFound('account', id);
      return toAccountDetail(row);
    },

    async listAccounts(tenantId: string, q: AccountListQuery): Promise<Page<AccountListItem>> {
      const creditorId = q.creditorRef ? (await requireCreditor(tenantId, q.creditorRef)).id : undefined;
      return pageOf(await repo.listAccounts(db, tenantId, { ...q, creditorId }), q.limit, (r) => ({
        ...toAccount(r),
        debtor: { id: r.debtor_id, externalRef: r.debtor_ref, name: r.debtor_name },
      }));
    },

    async updateAccount(tenantId: string, id: string, input: AccountUpdate): Promise<AccountDetail> {
      return db.transaction(async (tx) => {
        const current = await repo.findAccount(tx, tenantId, id, true);
        if (!current) throw notFound('account', id);
        if (input.expectedVersion !== undefined && input.expectedVersion !== current.version) {
          throw conflict('ACCOUNT.VERSION_CONFLICT', `account ${id} is at version ${current.version}, not ${input.expectedVersion}`, [{ field: 'expectedVersion', value: input.expectedVersion, message: 'stale' }]);
        }
        const row = await repo.updateAccountFields(tx, tenantId, id, input, clock.now());
        const events: NewEvent[] = [{ id: newId('evt'), tenantId, type: 'account.updated', subjectType: 'account', subjectId: id, payload: { accountId: id, fields: Object.keys(input).filter((k) => k !== 'expectedVersion') }, occurredAt: clock.now() }];
        if (row.status !== current.status) {
          events.push({ id: newId('evt'), tenantId, type: 'account.status_changed', subjectType: 'account', subjectId: id, payload: { accountId: id, from: current.status, to: row.status }, occurredAt: clock.now() });
        }
        await appendEvents(tx, events);
        return toAccountDetail(row);
      });
    },

    async summary(tenantId: string) {
      return repo.portfolioSummary(db, tenantId);
    },

    /** Applies already-received money to a schedule (used when seeding histories). */
    payInstalments,
    findCreditor: (tenantId: string, id: string) => findCreditor(db, tenantId, id),
  };
};

export type PortfolioService = ReturnType<typeof createPortfolioService>;
