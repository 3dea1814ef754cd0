import type { Database, Sql } from '../../db/db.ts';
import type { Clock } from '../../lib/clock.ts';
import type { IdFactory } from '../../lib/ids.ts';
import { evaluateContact, allowedWindows } from './policy.evaluate.ts';
import { BUILT_IN_PACKS } from './policy.packs.ts';
import type { AllowedWindow, PolicyDecision, PolicyEvaluateRequest } from './policy.types.ts';
import type { WindowQuery } from './policy.evaluate.ts';
import * as repo from './policy.repo.ts';

export interface PolicyDeps {
  db: Database;
  clock: Clock;
  newId: IdFactory;
}

/** Who a recorded decision was about. */
export interface DecisionSubject {
  debtorId?: string | undefined;
  accountId?: string | undefined;
}

/**
 * The contact policy at the edge: evaluation stays pure (policy.evaluate.ts); this service
 * records the decisions the platform acts on, with the pack version that made them.
 */
export const createPolicyService = ({ db, clock, newId }: PolicyDeps) => ({
  evaluate: (input: PolicyEvaluateRequest): PolicyDecision => evaluateContact(input, BUILT_IN_PACKS),

  windows: (input: Omit<PolicyEvaluateRequest, 'proposed'>, query: WindowQuery): AllowedWindow[] => allowedWindows(input, query, BUILT_IN_PACKS),

  /** Evaluates and writes the decision to the audit trail, in the caller's transaction if given. */
  async decideAndRecord(tenantId: string, input: PolicyEvaluateRequest, subject: DecisionSubject): Promise<PolicyDecision & { decisionId: string }> {
    const decision = evaluateContact(input, BUILT_IN_PACKS);
    const id = newId('pdc');
    await repo.insertDecision(db, {
      tenant_id: tenantId,
      id,
      debtor_id: subject.debtorId ?? null,
      account_id: subject.accountId ?? input.proposed.debtId ?? null,
      channel: input.proposed.channel,
      proposed_at: new Date(input.proposed.at),
      allowed: decision.allowed,
      reasons: decision.reasons,
      next_allowed_at: decision.nextAllowedAt ? new Date(decision.nextAllowedAt) : null,
      pack_id: decision.packId,
      pack_version: decision.overlay ? `${decision.packVersion}+${decision.overlay.id}@${decision.overlay.version}` : decision.packVersion,
      decided_at: clock.now(),
    });
    return { ...decision, decisionId: id };
  },

  async listDecisions(tenantId: string, q: { debtorId?: string | undefined; accountId?: string | undefined; cursor?: string | undefined; limit: number }) {
    const rows = await repo.listDecisions(db, tenantId, q);
    return {
      data: rows.map((r) => ({
        id: r.id, debtorId: r.debtor_id, accountId: r.account_id, channel: r.channel, proposedAt: r.proposed_at.toISOString(), allowed: r.allowed,
        reasons: r.reasons, nextAllowedAt: r.next_allowed_at?.toISOString() ?? null, packId: r.pack_id, packVersion: r.pack_version, decidedAt: r.decided_at.toISOString(),
      })),
      nextCursor: rows.length === q.limit ? rows[rows.length - 1]!.id : null,
    };
  },

  /**
   * Records decisions already evaluated (the dispatcher evaluates a batch with `evaluateContact`
   * and writes them in one statement, in its own transaction).
   */
  async recordDecisions(sql: Sql, tenantId: string, items: readonly { decision: PolicyDecision; channel: string; proposedAt: Date; subject: DecisionSubject }[]): Promise<void> {
    await repo.insertDecisions(sql, tenantId, items.map(({ decision, channel, proposedAt, subject }) => ({
      id: newId('pdc'), debtor_id: subject.debtorId ?? null, account_id: subject.accountId ?? null, channel, proposed_at: proposedAt, allowed: decision.allowed,
      reasons: decision.reasons, next_allowed_at: decision.nextAllowedAt ? new Date(decision.nextAllowedAt) : null, pack_id: decision.packId,
      pack_version: decision.overlay ? `${decision.packVersion}+${decision.overlay.id}@${decision.overlay.version}` : decision.packVersion, decided_at: clock.now(),
    })));
  },

  packs: () => Object.values(BUILT_IN_PACKS).map((p) => ({ id: p.id, version: p.version, jurisdiction: p.jurisdiction, name: p.name })),
});

export type PolicyService = ReturnType<typeof createPolicyService>;
